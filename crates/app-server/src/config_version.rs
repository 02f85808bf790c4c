//! The `version` Codex reports for a config file: `sha256:` and the hex SHA-256 of the
//! file's contents as compact JSON with sorted keys (not of its bytes, so formatting and
//! comments do not change it).

use berth_config::ConfigFile;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// The Codex-compatible version of `config`.
pub(crate) fn codex_config_version(config: &ConfigFile) -> String {
    let document = config
        .get::<&str>(&[])
        .unwrap_or_else(|| Value::Object(serde_json::Map::new()));
    let canonical = sorted(document).to_string();
    let digest = Sha256::digest(canonical.as_bytes());
    let mut hex = String::with_capacity(71);
    hex.push_str("sha256:");
    for byte in digest {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(key, value)| (key, sorted(value)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

#[cfg(test)]
#[path = "config_version_tests.rs"]
mod tests;
