//! What the server is started with ([`ServerOptions`]) and the effective configuration: the
//! user's `config.toml` with the `-c key=value` overrides applied in memory (never written).

use std::path::PathBuf;
use std::sync::Arc;

use berth_config::{ConfigError, ConfigFile, ConfigStore};
pub use berth_config::{ConfigOverride, OverrideError, parse_overrides};

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
    let mut config = ConfigFile::clone(&*store.load()?);
    config.apply_overrides(overrides)?;
    Ok(config)
}

#[cfg(test)]
#[path = "settings_tests.rs"]
mod tests;
