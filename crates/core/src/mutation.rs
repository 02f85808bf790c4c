//! Installing, uninstalling, enabling and disabling plugins, each reported to the event sink
//! with metadata built by the manager.

use std::collections::BTreeMap;
use std::path::PathBuf;

use berth_git::{GitProgress, NoProgress};
use berth_marketplace::AuthPolicy;
use berth_plugin::{PluginEvent, PluginId, PluginState};

use crate::marketplaces::MarketplaceSelector;
use crate::{ManagerError, PRODUCT, PluginsManager};

/// Which plugin to install.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallRequest {
    /// The plugin's name in its marketplace.
    pub plugin_name: String,
    /// The marketplace.
    pub marketplace: MarketplaceSelector,
}

/// A completed install.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallOutcome {
    /// Local id.
    pub plugin_id: PluginId,
    /// The cache version now active.
    pub plugin_version: String,
    /// `cache/<marketplace>/<plugin>/<version>`.
    pub installed_path: PathBuf,
    /// When the plugin asks for authentication.
    pub auth_policy: AuthPolicy,
}

/// A completed uninstall.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UninstallOutcome {
    /// Local id.
    pub plugin_id: PluginId,
    /// Whether anything was in the cache.
    pub was_installed: bool,
}

/// A completed enable or disable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToggleOutcome {
    /// Local id.
    pub plugin_id: PluginId,
    /// The new state.
    pub enabled: bool,
    /// The state before.
    pub was_enabled: bool,
}

impl PluginsManager {
    /// Installs a plugin from a marketplace into the cache, enables it in config.toml and
    /// reports `codex_plugin_installed`. A Git source is checked out first.
    pub fn install_plugin(&self, request: &InstallRequest) -> Result<InstallOutcome, ManagerError> {
        self.install_plugin_with_progress(request, &NoProgress)
    }

    /// [`PluginsManager::install_plugin`], reporting Git progress to `progress`.
    pub fn install_plugin_with_progress(
        &self,
        request: &InstallRequest,
        progress: &dyn GitProgress,
    ) -> Result<InstallOutcome, ManagerError> {
        self.sweep_stale_leftovers();
        let config = self.config.load()?;
        let marketplace = self.resolve_marketplace(&config, &request.marketplace)?;
        let plugin = marketplace.find_installable_plugin(&request.plugin_name, PRODUCT)?;
        let was_installed = self.store.is_installed(&plugin.id);
        let result = self.install_entry_files(&marketplace.root, plugin, progress)?;
        let key = result.plugin_id.as_key();
        let persisted = self
            .config
            .edit(|config| config.set_plugin_enabled(&key, true));
        if let Err(source) = persisted {
            // A cache entry that config.toml does not know would be an orphan (a full disk
            // left 3.1 MiB of one): take back what this install created. An update keeps its
            // new version, which is complete and already recorded.
            if !was_installed && let Err(err) = self.store.uninstall(&result.plugin_id) {
                tracing::warn!(
                    plugin = %result.plugin_id,
                    "failed to remove the new cache entry after config.toml could not be saved: {err}"
                );
            }
            return Err(ManagerError::PersistInstalledConfig {
                plugin_id: key,
                source,
            });
        }
        self.report_installed(&result.plugin_id);
        Ok(InstallOutcome {
            plugin_id: result.plugin_id,
            plugin_version: result.plugin_version,
            installed_path: result.installed_path,
            auth_policy: plugin.policy.authentication,
        })
    }

    /// Removes a plugin from the cache and config.toml; reports `codex_plugin_uninstalled`
    /// (with metadata captured before deletion) only when something was installed.
    pub fn uninstall_plugin(&self, key: &str) -> Result<UninstallOutcome, ManagerError> {
        self.sweep_stale_leftovers();
        let id = PluginId::parse(key)?;
        let metadata = self
            .store
            .is_installed(&id)
            .then(|| self.telemetry_metadata_for_installed_plugin(&id));
        let removed = self.store.uninstall(&id)?;
        let key = id.as_key();
        self.config.edit(|config| config.clear_plugin(&key))?;
        let was_installed = metadata.is_some() || removed;
        if let Some(metadata) = metadata {
            self.emit(PluginEvent::StateChanged {
                state: PluginState::Uninstalled,
                metadata,
            });
        }
        Ok(UninstallOutcome {
            plugin_id: id,
            was_installed,
        })
    }

    /// Enables or disables an installed plugin in config.toml and reports
    /// `codex_plugin_enabled` / `codex_plugin_disabled`.
    pub fn set_plugin_enabled(
        &self,
        key: &str,
        enabled: bool,
    ) -> Result<ToggleOutcome, ManagerError> {
        self.sweep_stale_leftovers();
        let id = PluginId::parse(key)?;
        if !self.store.is_installed(&id) {
            return Err(ManagerError::NotInstalled {
                plugin_id: id.as_key(),
            });
        }
        let key = id.as_key();
        let (was_enabled, _version) = self.config.edit(|config| {
            let was_enabled = config
                .plugins()
                .value
                .get(&key)
                .is_some_and(|entry| entry.enabled);
            config.set_plugin_enabled(&key, enabled)?;
            Ok::<_, berth_config::ConfigError>(was_enabled)
        })?;
        self.report_plugin_toggles(&BTreeMap::from([(key, enabled)]));
        Ok(ToggleOutcome {
            plugin_id: id,
            enabled,
            was_enabled,
        })
    }

    /// Reports one enabled/disabled event per written toggle (after a successful config
    /// write); keys that are not plugin ids are skipped.
    pub fn report_plugin_toggles(&self, toggles: &BTreeMap<String, bool>) {
        for (key, enabled) in toggles {
            let Ok(id) = PluginId::parse(key) else {
                tracing::debug!(key, "skipping plugin toggle event for an invalid plugin id");
                continue;
            };
            let state = if *enabled {
                PluginState::Enabled
            } else {
                PluginState::Disabled
            };
            self.emit(PluginEvent::StateChanged {
                state,
                metadata: self.telemetry_metadata_for_installed_plugin(&id),
            });
        }
    }
}

#[cfg(test)]
#[path = "mutation_tests.rs"]
mod tests;
