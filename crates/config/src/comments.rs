//! Keeps the user's comments when an edit removes the key or table they were written above.
//!
//! `toml_edit` stores the comments and blank lines before a key or a `[header]` as that item's
//! prefix, so removing the item would drop them. Comments that sit directly on top of the item
//! go with it; comments separated from it by a blank line (and a file's opening comments) are
//! handed to whatever is rendered next.

use toml_edit::{DocumentMut, Item, RawString, Table};

/// Removes `key` from the standard table at `parent_path`, moving its detached comments to
/// the next rendered item. Returns whether the key existed.
pub(crate) fn remove_keeping_comments(
    doc: &mut DocumentMut,
    parent_path: &[String],
    key: &str,
) -> bool {
    let order = tables_in_render_order(doc);
    let Some(parent) = table_at(doc.as_table(), parent_path) else {
        return false;
    };
    let Some(item) = parent.get(key) else {
        return false;
    };
    let mut removed_path = parent_path.to_vec();
    removed_path.push(key.to_owned());
    let root_has_values = doc.iter().any(|(_, item)| item.is_value());
    let (prefix, first_in_file, next_value) = if let Item::Table(table) = item {
        (
            raw(table.decor().prefix()),
            !root_has_values && order.first() == Some(&removed_path),
            None,
        )
    } else {
        let keys: Vec<&str> = parent
            .iter()
            .filter(|(_, item)| item.is_value())
            .map(|(k, _)| k)
            .collect();
        let index = keys.iter().position(|k| *k == key);
        (
            parent
                .key(key)
                .map(|k| raw(k.leaf_decor().prefix()))
                .unwrap_or_default(),
            parent_path.is_empty() && index == Some(0),
            index.and_then(|i| keys.get(i + 1)).map(|k| (*k).to_owned()),
        )
    };
    let is_table = item.is_table();

    let Some(parent) = table_at_mut(doc.as_table_mut(), parent_path) else {
        return false;
    };
    if parent.remove(key).is_none() {
        return false;
    }
    let Some(kept) = kept_comments(&prefix, first_in_file) else {
        return true;
    };
    if let Some(mut next_key) = next_value.and_then(|next| parent.key_mut(&next)) {
        let decor = next_key.leaf_decor_mut();
        let old = raw(decor.prefix());
        decor.set_prefix(format!("{kept}{old}"));
        return true;
    }
    // The next header after the removed table, or after the table that held the removed key.
    let next_table = if is_table {
        order
            .iter()
            .skip_while(|path| **path != removed_path)
            .find(|path| !path.starts_with(&removed_path))
    } else if parent_path.is_empty() {
        order.first()
    } else {
        order
            .iter()
            .skip_while(|path| path.as_slice() != parent_path)
            .nth(1)
    };
    if let Some(table) = next_table.and_then(|path| table_at_mut(doc.as_table_mut(), path)) {
        let decor = table.decor_mut();
        let old = decor
            .prefix()
            .map_or_else(|| "\n".to_owned(), |p| raw(Some(p)));
        decor.set_prefix(format!("{kept}{old}"));
    } else {
        let old = raw(Some(doc.trailing()));
        doc.set_trailing(format!("\n{kept}{old}"));
    }
    true
}

/// The comment lines of a removed item's prefix that do not belong to the item itself.
fn kept_comments(prefix: &str, first_in_file: bool) -> Option<String> {
    let lines: Vec<&str> = prefix.split_inclusive('\n').collect();
    let end = if first_in_file {
        lines.len()
    } else {
        lines.iter().rposition(|line| line.trim().is_empty())?
    };
    let kept = lines.get(..end)?.concat();
    let kept = kept.trim_end();
    if !kept.lines().any(|line| line.trim_start().starts_with('#')) {
        return None;
    }
    Some(format!("{}\n", kept.trim_start_matches('\n')))
}

fn raw(raw: Option<&RawString>) -> String {
    raw.and_then(RawString::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// Paths of the `[headers]` in the order `toml_edit` renders them (by position, new tables
/// after the table visited before them).
fn tables_in_render_order(doc: &DocumentMut) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let mut last_position = 0;
    collect_tables(
        doc.as_table(),
        &mut Vec::new(),
        &mut last_position,
        &mut found,
    );
    found.sort_by_key(|(position, _)| *position);
    found.into_iter().map(|(_, path)| path).collect()
}

fn collect_tables(
    table: &Table,
    path: &mut Vec<String>,
    last_position: &mut usize,
    found: &mut Vec<(usize, Vec<String>)>,
) {
    for (key, item) in table {
        if let Item::Table(child) = item {
            path.push(key.to_owned());
            if let Some(position) = child.position() {
                *last_position = position;
            }
            let has_values = child.iter().any(|(_, item)| item.is_value());
            if !child.is_dotted() && (has_values || !child.is_implicit()) {
                found.push((*last_position, path.clone()));
            }
            collect_tables(child, path, last_position, found);
            path.pop();
        }
    }
}

fn table_at<'a>(mut table: &'a Table, path: &[String]) -> Option<&'a Table> {
    for segment in path {
        table = table.get(segment)?.as_table()?;
    }
    Some(table)
}

fn table_at_mut<'a>(mut table: &'a mut Table, path: &[String]) -> Option<&'a mut Table> {
    for segment in path {
        table = table.get_mut(segment)?.as_table_mut()?;
    }
    Some(table)
}

#[cfg(test)]
#[path = "comments_tests.rs"]
mod tests;
