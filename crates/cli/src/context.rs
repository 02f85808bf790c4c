//! What every command needs: the Codex home, the user's home folder and the plugins manager.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use berth_core::{ManagerOptions, PluginsManager};

/// Environment variable naming the Codex home.
pub(crate) const CODEX_HOME_ENV: &str = "CODEX_HOME";

/// Resolved command context.
pub(crate) struct Context {
    pub(crate) manager: PluginsManager,
}

impl Context {
    pub(crate) fn new(codex_home_flag: Option<&Path>) -> anyhow::Result<Self> {
        let codex_home = resolve_codex_home(codex_home_flag)?;
        Self::for_home(codex_home, std::env::home_dir())
    }

    /// A context for an explicit Codex home and user home folder.
    pub(crate) fn for_home(codex_home: PathBuf, home_dir: Option<PathBuf>) -> anyhow::Result<Self> {
        let manager = PluginsManager::new(ManagerOptions {
            codex_home,
            home_dir,
        })?;
        Ok(Self { manager })
    }
}

/// `--codex-home`, else `$CODEX_HOME`, else `~/.codex`; made absolute against the working
/// directory.
pub(crate) fn resolve_codex_home(flag: Option<&Path>) -> anyhow::Result<PathBuf> {
    let chosen = match flag {
        Some(path) => path.to_path_buf(),
        None => match std::env::var_os(CODEX_HOME_ENV).filter(|value| !value.is_empty()) {
            Some(value) => PathBuf::from(value),
            None => std::env::home_dir()
                .context("cannot find the home folder to locate `~/.codex`; set CODEX_HOME or pass --codex-home")?
                .join(".codex"),
        },
    };
    std::path::absolute(&chosen)
        .with_context(|| format!("failed to resolve the Codex home `{}`", chosen.display()))
}
