//! [`PluginStore`]: the cache layout (`plugins/cache/<marketplace>/<plugin>/<version>`), the
//! per-plugin data dir, and read-only queries (active version, installed plugins).

use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use berth_plugin::{PluginId, validate_plugin_segment, validate_plugin_version_segment};

use crate::error::StoreError;
use crate::lock::PluginLock;
use crate::version::select_active_version;

/// Cache root relative to `CODEX_HOME`.
pub const PLUGINS_CACHE_DIR: &str = "plugins/cache";
/// Data root relative to `CODEX_HOME`.
pub const PLUGINS_DATA_DIR: &str = "plugins/data";

/// Directory under the cache root holding the per-plugin lock files. The leading dot keeps it
/// apart from every valid marketplace name.
pub(crate) const LOCKS_DIR: &str = ".berth-locks";

/// An installed plugin and its active version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstalledPlugin {
    /// The plugin.
    pub id: PluginId,
    /// The active version directory name.
    pub version: String,
    /// The active version's root.
    pub root: PathBuf,
}

/// The plugin cache of one `CODEX_HOME`.
#[derive(Debug, Clone)]
pub struct PluginStore {
    codex_home: PathBuf,
    cache_root: PathBuf,
    lock_timeout: Option<Duration>,
    #[cfg(test)]
    pub(crate) fail_point: Option<crate::install::FailPoint>,
    #[cfg(test)]
    pub(crate) before_activate: Option<crate::install::ActivateHook>,
}

impl PluginStore {
    /// Opens the store of `codex_home`, which must be absolute. Nothing is created yet.
    pub fn try_new(codex_home: &Path) -> Result<Self, StoreError> {
        let cache_root = codex_home.join("plugins").join("cache");
        if !codex_home.is_absolute() {
            return Err(StoreError::RelativeCodexHome { path: cache_root });
        }
        Ok(Self {
            codex_home: codex_home.to_path_buf(),
            cache_root,
            lock_timeout: None,
            #[cfg(test)]
            fail_point: None,
            #[cfg(test)]
            before_activate: None,
        })
    }

    /// Uses `timeout` for the per-plugin lock instead of `BERTH_LOCK_TIMEOUT` / 120 s.
    #[must_use]
    pub fn with_lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = Some(timeout);
        self
    }

    /// `CODEX_HOME`.
    pub fn codex_home(&self) -> &Path {
        &self.codex_home
    }

    /// `$CODEX_HOME/plugins/cache`.
    pub fn cache_root(&self) -> &Path {
        &self.cache_root
    }

    /// `cache/<marketplace>/<plugin>`: holds the version dirs and the remote sidecar.
    pub fn plugin_base_root(&self, id: &PluginId) -> PathBuf {
        self.marketplace_root(id).join(id.plugin_name())
    }

    /// `cache/<marketplace>/<plugin>/<version>`.
    pub fn plugin_root(&self, id: &PluginId, version: &str) -> PathBuf {
        self.plugin_base_root(id).join(version)
    }

    /// `$CODEX_HOME/plugins/data/<plugin>-<marketplace>`.
    pub fn plugin_data_root(&self, id: &PluginId) -> PathBuf {
        self.codex_home.join("plugins").join("data").join(format!(
            "{}-{}",
            id.plugin_name(),
            id.marketplace_name()
        ))
    }

    /// The active version: `local` if present, else the greatest valid version directory.
    pub fn active_plugin_version(&self, id: &PluginId) -> Option<String> {
        select_active_version(version_dirs(&self.plugin_base_root(id)))
    }

    /// The active version's root, if the plugin is installed.
    pub fn active_plugin_root(&self, id: &PluginId) -> Option<PathBuf> {
        self.active_plugin_version(id)
            .map(|version| self.plugin_root(id, &version))
    }

    /// Whether any valid version directory exists for the plugin.
    pub fn is_installed(&self, id: &PluginId) -> bool {
        self.active_plugin_version(id).is_some()
    }

    /// Every installed plugin in the cache with its active version, sorted by id. Reads
    /// directory listings only, never manifests. Unreadable marketplace or plugin directories
    /// are logged and skipped.
    pub fn installed_plugins(&self) -> Result<Vec<InstalledPlugin>, StoreError> {
        let marketplaces = match valid_subdirs(&self.cache_root, |name| {
            validate_plugin_segment(name, "marketplace name").is_ok()
        }) {
            Ok(marketplaces) => marketplaces,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(err) => {
                return Err(StoreError::io(
                    "failed to read plugin cache directory",
                    &self.cache_root,
                    err,
                ));
            }
        };
        let mut installed = Vec::new();
        for (marketplace, marketplace_root) in marketplaces {
            let plugins = match valid_subdirs(&marketplace_root, |name| {
                validate_plugin_segment(name, "plugin name").is_ok()
            }) {
                Ok(plugins) => plugins,
                Err(err) => {
                    tracing::warn!(
                        "skipping unreadable plugin cache directory `{}`: {err}",
                        marketplace_root.display()
                    );
                    continue;
                }
            };
            for (plugin, base_root) in plugins {
                let Ok(id) = PluginId::new(plugin, marketplace.clone()) else {
                    continue;
                };
                if let Some(version) = select_active_version(version_dirs(&base_root)) {
                    let root = base_root.join(&version);
                    installed.push(InstalledPlugin { id, version, root });
                }
            }
        }
        installed.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(installed)
    }

    /// Takes the cross-process lock of one plugin, for callers that chain several mutations.
    /// Mutate through the returned guard: the store's own mutating methods take the lock
    /// themselves and would wait for this guard.
    pub fn lock_plugin(&self, id: &PluginId) -> Result<PluginLock<'_>, StoreError> {
        PluginLock::acquire(self, id, self.lock_timeout)
    }

    pub(crate) fn marketplace_root(&self, id: &PluginId) -> PathBuf {
        self.cache_root.join(id.marketplace_name())
    }

    pub(crate) fn lock_path(&self, id: &PluginId) -> PathBuf {
        self.cache_root
            .join(LOCKS_DIR)
            .join(id.marketplace_name())
            .join(format!("{}.lock", id.plugin_name()))
    }
}

/// Directories (not symlinks) directly under `dir` whose UTF-8 names pass `is_valid`, with
/// their paths.
fn valid_subdirs(
    dir: &Path,
    is_valid: impl Fn(&str) -> bool,
) -> io::Result<Vec<(String, PathBuf)>> {
    let mut names = berth_fs::subfolder_names(dir)?;
    names.retain(|name| is_valid(name));
    Ok(names
        .into_iter()
        .map(|name| {
            let path = dir.join(&name);
            (name, path)
        })
        .collect())
}

/// Names of the valid version directories under a plugin base root.
pub(crate) fn version_dirs(base_root: &Path) -> Vec<String> {
    match berth_fs::subfolder_names(base_root) {
        Ok(mut names) => {
            names.retain(|name| validate_plugin_version_segment(name).is_ok());
            names
        }
        Err(err)
            if matches!(
                err.kind(),
                io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
            ) =>
        {
            Vec::new()
        }
        Err(err) => {
            tracing::warn!("failed to list `{}`: {err}", base_root.display());
            Vec::new()
        }
    }
}
