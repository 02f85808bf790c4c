//! Generic reads and writes by key path (`get`, `set_value`, `clear_value`), the engine behind
//! the app server's `config/value/write` and the typed plugin and marketplace edits.

use serde_json::Value as Json;
use toml_edit::{InlineTable, Item, Table, Value};

use crate::comments::remove_keeping_comments;
use crate::error::{ConfigError, KeyPathProblem, ValueProblem};
use crate::file::ConfigFile;
use crate::key_path::display_key_path;
use crate::toml_json::{describe, item_to_json, json_to_item};

/// How [`ConfigFile::set_value`] combines a new value with what is already there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MergeStrategy {
    /// The new value replaces the old one entirely.
    #[default]
    Replace,
    /// When both old and new are tables/objects, merge key by key (recursively; a `null`
    /// member removes that key); otherwise replace.
    Upsert,
}

impl ConfigFile {
    /// Reads the value at `key_path` as JSON, or `None` when nothing is there.
    pub fn get<S: AsRef<str>>(&self, key_path: &[S]) -> Option<Json> {
        let mut item = self.root();
        for segment in key_path {
            item = item.as_table_like()?.get(segment.as_ref())?;
        }
        item_to_json(item)
    }

    /// Writes `value` at `key_path`, creating intermediate tables as needed.
    ///
    /// Objects become standard tables (`[a.b]`) unless they land inside an inline table; a
    /// `null` value removes the key. Formatting of everything else is left untouched, and a
    /// replaced value keeps its surrounding whitespace and comments.
    pub fn set_value<S: AsRef<str>>(
        &mut self,
        key_path: &[S],
        value: &Json,
        strategy: MergeStrategy,
    ) -> Result<(), ConfigError> {
        if value.is_null() {
            return self.clear_value(key_path).map(|_| ());
        }
        let ctx = self.edit_context(key_path)?;
        let (parents, leaf) = split_leaf(key_path, &ctx)?;
        let parent = navigate(self.doc_mut().as_item_mut(), parents, true, &ctx)?;
        let Some(parent) = parent else {
            return Ok(());
        };
        write_entry(parent, leaf, value, strategy, &ctx)
    }

    /// Removes the key at `key_path` (with everything below it). Returns whether it existed.
    pub fn clear_value<S: AsRef<str>>(&mut self, key_path: &[S]) -> Result<bool, ConfigError> {
        let ctx = self.edit_context(key_path)?;
        let (parents, leaf) = split_leaf(key_path, &ctx)?;
        match navigate(self.doc_mut().as_item_mut(), parents, false, &ctx) {
            Ok(Some(Item::Table(_))) => {
                let parents: Vec<String> = parents.iter().map(|s| s.as_ref().to_owned()).collect();
                Ok(remove_keeping_comments(self.doc_mut(), &parents, leaf))
            }
            Ok(Some(parent)) => Ok(parent
                .as_table_like_mut()
                .and_then(|table| table.remove(leaf))
                .is_some()),
            // A path through a scalar holds nothing to clear.
            Ok(None) | Err(ConfigError::NotATable { .. }) => Ok(false),
            Err(err) => Err(err),
        }
    }

    fn edit_context<S: AsRef<str>>(&self, key_path: &[S]) -> Result<EditContext, ConfigError> {
        let ctx = EditContext {
            path: self.path().to_path_buf(),
            key_path: display_key_path(key_path),
            segments: key_path.iter().map(|s| s.as_ref().to_owned()).collect(),
        };
        if ctx.segments.is_empty() {
            return Err(ConfigError::InvalidKeyPath {
                key_path: ctx.key_path,
                problem: KeyPathProblem::Empty,
            });
        }
        Ok(ctx)
    }
}

/// What an edit is about, for error messages.
struct EditContext {
    path: std::path::PathBuf,
    key_path: String,
    segments: Vec<String>,
}

impl EditContext {
    fn not_a_table(&self, depth: usize, item: &Item) -> ConfigError {
        ConfigError::NotATable {
            path: self.path.clone(),
            key_path: self.key_path.clone(),
            blocking_key: display_key_path(&self.segments[..depth.min(self.segments.len())]),
            found: describe(item),
        }
    }

    fn invalid_value(&self, problem: ValueProblem) -> ConfigError {
        ConfigError::InvalidValue {
            path: self.path.clone(),
            key_path: self.key_path.clone(),
            problem,
        }
    }
}

fn split_leaf<'k, S: AsRef<str>>(
    key_path: &'k [S],
    ctx: &EditContext,
) -> Result<(&'k [S], &'k str), ConfigError> {
    match key_path.split_last() {
        Some((leaf, parents)) => Ok((parents, leaf.as_ref())),
        None => Err(ConfigError::InvalidKeyPath {
            key_path: ctx.key_path.clone(),
            problem: KeyPathProblem::Empty,
        }),
    }
}

/// Walks from `root` down `segments`, returning the item that should hold the leaf. Missing
/// tables are created (implicit, so they get no header of their own) when `create` is set,
/// otherwise `None` is returned.
fn navigate<'a, S: AsRef<str>>(
    root: &'a mut Item,
    segments: &[S],
    create: bool,
    ctx: &EditContext,
) -> Result<Option<&'a mut Item>, ConfigError> {
    let mut current = root;
    for (depth, segment) in segments.iter().enumerate() {
        let segment = segment.as_ref();
        let inline = matches!(current, Item::Value(_));
        if current.as_table_like().is_none() {
            return Err(ctx.not_a_table(depth, current));
        }
        let Some(table) = current.as_table_like_mut() else {
            return Err(ctx.not_a_table(depth, &Item::None));
        };
        if !table.contains_key(segment) {
            if !create {
                return Ok(None);
            }
            table.insert(segment, new_table(inline));
        }
        let Some(next) = table.get_mut(segment) else {
            return Ok(None);
        };
        current = next;
    }
    if current.as_table_like().is_none() {
        return Err(ctx.not_a_table(segments.len(), current));
    }
    Ok(Some(current))
}

fn new_table(inline: bool) -> Item {
    if inline {
        Item::Value(Value::InlineTable(InlineTable::new()))
    } else {
        let mut table = Table::new();
        table.set_implicit(true);
        Item::Table(table)
    }
}

/// Writes `value` under `key` in the table-like `parent`.
fn write_entry(
    parent: &mut Item,
    key: &str,
    value: &Json,
    strategy: MergeStrategy,
    ctx: &EditContext,
) -> Result<(), ConfigError> {
    let inline = matches!(parent, Item::Value(_));
    let Some(table) = parent.as_table_like_mut() else {
        return Err(ctx.not_a_table(ctx.segments.len().saturating_sub(1), parent));
    };
    if value.is_null() {
        table.remove(key);
        return Ok(());
    }
    match (strategy, value, table.get_mut(key)) {
        (MergeStrategy::Upsert, Json::Object(members), Some(existing))
            if existing.is_table_like() =>
        {
            for (member_key, member_value) in members {
                write_entry(existing, member_key, member_value, strategy, ctx)?;
            }
            Ok(())
        }
        (_, _, Some(existing)) => {
            let mut new_item = json_to_item(value, inline).map_err(|p| ctx.invalid_value(p))?;
            if existing.is_table() == new_item.is_table() {
                keep_formatting(existing, &mut new_item);
                *existing = new_item;
            } else {
                // `a = 1` becoming `[a]` (or back): the key's old spacing does not fit the new
                // shape, so start the key afresh.
                table.remove(key);
                table.insert(key, new_item);
            }
            Ok(())
        }
        (_, _, None) => {
            let new_item = json_to_item(value, inline).map_err(|p| ctx.invalid_value(p))?;
            table.insert(key, new_item);
            Ok(())
        }
    }
}

/// Carries the old item's surrounding whitespace/comments (and a table's place in the file)
/// over to the item replacing it.
fn keep_formatting(old: &Item, new: &mut Item) {
    match (old, new) {
        (Item::Value(old), Item::Value(new)) => {
            *new.decor_mut() = old.decor().clone();
        }
        (Item::Table(old), Item::Table(new)) => {
            *new.decor_mut() = old.decor().clone();
            if let Some(position) = old.position() {
                new.set_position(position);
            }
            // A replaced table keeps its header if it had one.
            if !old.is_implicit() {
                new.set_implicit(false);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
#[path = "value_tests.rs"]
mod tests;
