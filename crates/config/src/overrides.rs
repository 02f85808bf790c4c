//! `-c key=value` overrides: parsed once ([`parse_overrides`]) and applied in memory to every
//! load through a [`crate::ConfigStore`] that carries them; never written to the file.

use std::path::Path;

use serde_json::Value;

use crate::error::ConfigError;
use crate::file::ConfigFile;
use crate::key_path::parse_key_path;
use crate::value::MergeStrategy;

/// A `-c` override that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum OverrideError {
    /// No `=`.
    #[error(
        "invalid config override `{raw}`: expected `key=value` (values are TOML, e.g. `model=\"o3\"`)"
    )]
    MissingEquals {
        /// The override as given.
        raw: String,
    },
    /// The key path is malformed.
    #[error("invalid config override `{raw}`")]
    Invalid {
        /// The override as given.
        raw: String,
        /// Why.
        #[source]
        source: ConfigError,
    },
}

/// One parsed `-c` override.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigOverride {
    /// Key path segments.
    pub key_path: Vec<String>,
    /// The value as JSON.
    pub value: Value,
}

/// Parses `key=value` overrides; the value is TOML, and one that does not parse as TOML is
/// taken as a string (as Codex does).
pub fn parse_overrides(raw: &[String]) -> Result<Vec<ConfigOverride>, OverrideError> {
    raw.iter()
        .map(|item| {
            let (key, value) = item
                .split_once('=')
                .ok_or_else(|| OverrideError::MissingEquals { raw: item.clone() })?;
            let key_path = parse_key_path(key.trim()).map_err(|source| OverrideError::Invalid {
                raw: item.clone(),
                source,
            })?;
            Ok(ConfigOverride {
                key_path,
                value: toml_value_to_json(value.trim()),
            })
        })
        .collect()
}

fn toml_value_to_json(text: &str) -> Value {
    let document = format!("v = {text}\n");
    ConfigFile::parse(Path::new("<override>"), document.into_bytes())
        .ok()
        .and_then(|file| file.get(&["v"]))
        .unwrap_or_else(|| Value::String(text.to_owned()))
}

impl ConfigFile {
    /// Applies `overrides` in order to this document in memory (tables merge key by key).
    pub fn apply_overrides(&mut self, overrides: &[ConfigOverride]) -> Result<(), ConfigError> {
        for item in overrides {
            self.set_value(&item.key_path, &item.value, MergeStrategy::Upsert)?;
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "overrides_tests.rs"]
mod tests;
