//! What the server is started with ([`ServerOptions`]) and the effective configuration: the
//! user's `config.toml` with the `-c key=value` overrides applied in memory (never written).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use berth_config::{ConfigError, ConfigFile, ConfigStore, MergeStrategy, parse_key_path};
use serde_json::Value;

/// Reads an environment variable; the binary passes the process environment, tests pass a
/// map, so nothing mutates the process environment.
pub type EnvLookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// How the server is started.
#[derive(Clone)]
pub struct ServerOptions {
    /// The absolute Codex home.
    pub codex_home: PathBuf,
    /// The user's home folder (marketplace discovery).
    pub home_dir: Option<PathBuf>,
    /// The working directory threads default to.
    pub cwd: PathBuf,
    /// `-c key=value` overrides, in order; values are TOML (bare words become strings).
    pub config_overrides: Vec<String>,
    /// Environment lookups (provider API keys, analytics capture, `DO_NOT_TRACK`).
    pub env: EnvLookup,
}

impl std::fmt::Debug for ServerOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerOptions")
            .field("codex_home", &self.codex_home)
            .field("home_dir", &self.home_dir)
            .field("cwd", &self.cwd)
            .field("config_overrides", &self.config_overrides)
            .finish_non_exhaustive()
    }
}

/// A `-c` override that does not have the form `key=value`.
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
    /// The key path is malformed or the value cannot be applied.
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

pub use crate::env_vars::TEST_USER_CONFIG_FILE_ENV_VAR;

/// The user config layer: `home_config`, or in debug builds the file `test_file` names
/// ([`TEST_USER_CONFIG_FILE_ENV_VAR`]; a relative path is taken from the working directory).
pub(crate) fn user_config_store(
    home_config: &ConfigStore,
    test_file: Option<String>,
) -> ConfigStore {
    let test_file = test_file
        .filter(|path| cfg!(debug_assertions) && !path.is_empty())
        .map(PathBuf::from);
    match test_file {
        Some(path) => ConfigStore::for_file(std::path::absolute(&path).unwrap_or(path)),
        None => home_config.clone(),
    }
}

/// The user's config with overrides applied, in memory.
pub(crate) fn effective_config(
    store: &ConfigStore,
    overrides: &[ConfigOverride],
) -> Result<ConfigFile, ConfigError> {
    let mut config = store.load()?;
    for item in overrides {
        config.set_value(&item.key_path, &item.value, MergeStrategy::Upsert)?;
    }
    Ok(config)
}

#[cfg(test)]
#[path = "settings_tests.rs"]
mod tests;
