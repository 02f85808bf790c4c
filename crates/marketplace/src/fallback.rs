//! The manifest synthesised from a marketplace entry (spec §4.5), used when a plugin source
//! has no `plugin.json` of its own.

use serde_json::{Map, Value};

/// Entry fields that describe the marketplace listing rather than the plugin.
const ENTRY_FIELDS: [&str; 4] = ["name", "source", "policy", "category"];

/// Builds manifest JSON from `entry`: every extra field, plus `name` and `category`, plus an
/// `interface` assembled from the entry's `interface`, `displayName`, `author.name`
/// (`developerName`), `homepage` (`websiteUrl`) and `category`. `None` when the entry has
/// neither extra fields nor a category.
pub(crate) fn fallback_manifest(
    entry: &Map<String, Value>,
    name: &str,
    category: Option<&str>,
) -> Option<String> {
    let extras: Map<String, Value> = entry
        .iter()
        .filter(|(key, _)| !ENTRY_FIELDS.contains(&key.as_str()))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    if extras.is_empty() && category.is_none() {
        return None;
    }
    let mut interface = match extras.get("interface") {
        Some(Value::Object(interface)) => interface.clone(),
        _ => Map::new(),
    };
    let mut fill = |key: &str, value: Option<&Value>| {
        if let Some(Value::String(text)) = value
            && !text.trim().is_empty()
            && !interface.contains_key(key)
        {
            interface.insert(key.to_owned(), Value::String(text.clone()));
        }
    };
    fill("displayName", extras.get("displayName"));
    fill(
        "developerName",
        extras.get("author").and_then(|author| author.get("name")),
    );
    fill("websiteUrl", extras.get("homepage"));
    if let Some(category) = category {
        interface.insert("category".to_owned(), Value::String(category.to_owned()));
    }
    let mut manifest = extras;
    manifest.insert("name".to_owned(), Value::String(name.to_owned()));
    if let Some(category) = category {
        manifest.insert("category".to_owned(), Value::String(category.to_owned()));
    }
    if interface.is_empty() {
        manifest.remove("interface");
    } else {
        manifest.insert("interface".to_owned(), Value::Object(interface));
    }
    serde_json::to_string_pretty(&Value::Object(manifest)).ok()
}

#[cfg(test)]
#[path = "fallback_tests.rs"]
mod tests;
