//! The plugins a model turn can use: installed, enabled plugins with their capability
//! summaries and skills, read from the active cache version of each.

use std::path::PathBuf;

use berth_plugin::manifest::{load_manifest, plugin_capability_summary};
use berth_plugin::{PluginCapabilitySummary, PluginEvent, PluginId, PluginUsedContext};

use crate::{ManagerError, PluginsManager};

/// An installed, enabled plugin as a turn sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedPlugin {
    /// Local id.
    pub id: PluginId,
    /// The active cache version's root.
    pub root: PathBuf,
    /// `interface.displayName` of the manifest, else the plugin name.
    pub display_name: String,
    /// Capabilities, for analytics (`codex_plugin_used`).
    pub summary: PluginCapabilitySummary,
    /// Skills of the active version.
    pub skills: Vec<LoadedSkill>,
}

/// One skill of a loaded plugin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedSkill {
    /// `<plugin>:<skill>`.
    pub name: String,
    /// From the SKILL.md frontmatter.
    pub description: Option<String>,
    /// The SKILL.md file in the cache.
    pub path: PathBuf,
}

impl PluginsManager {
    /// Installed and enabled plugins, sorted by id: config.toml entries with `enabled = true`,
    /// plus the remote plugins the service reports as installed (enabled unless config.toml
    /// says `enabled = false`), each with an active cache version whose manifest loads.
    /// Plugins whose manifest fails to load are skipped with a warning.
    pub fn loaded_plugins(&self) -> Result<Vec<LoadedPlugin>, ManagerError> {
        let config = self.config.load()?;
        let mut candidates: std::collections::BTreeMap<String, bool> = config
            .plugins()
            .value
            .into_iter()
            .map(|(key, entry)| (key, entry.enabled))
            .collect();
        for id in self.remote_installed_plugin_ids() {
            candidates.entry(id.as_key()).or_insert(true);
        }
        let mut loaded = Vec::new();
        for (key, enabled) in candidates {
            if !enabled {
                continue;
            }
            let Ok(id) = PluginId::parse(&key) else {
                continue;
            };
            let Some(root) = self.store.active_plugin_root(&id) else {
                continue;
            };
            let manifest = match load_manifest(&root) {
                Ok(manifest) => manifest,
                Err(err) => {
                    tracing::warn!(
                        plugin_id = %id,
                        "skipping an installed plugin whose manifest does not load: {}",
                        crate::upgrade::error_chain(&err)
                    );
                    continue;
                }
            };
            let summary = plugin_capability_summary(&id, &manifest);
            let display_name = manifest
                .manifest
                .interface
                .as_ref()
                .and_then(|interface| interface.display_name.clone())
                .unwrap_or_else(|| id.plugin_name().to_owned());
            let skills = manifest
                .skills()
                .value
                .into_iter()
                .map(|skill| LoadedSkill {
                    name: format!("{}:{}", id.plugin_name(), skill.name),
                    description: skill.description,
                    path: skill.path,
                })
                .collect();
            loaded.push(LoadedPlugin {
                id,
                root,
                display_name,
                summary,
                skills,
            });
        }
        loaded.sort_by_key(|plugin| plugin.id.as_key());
        Ok(loaded)
    }

    /// Capability summaries of the installed, enabled plugins (see [`Self::loaded_plugins`]).
    pub fn loaded_plugin_capability_summaries(
        &self,
    ) -> Result<Vec<PluginCapabilitySummary>, ManagerError> {
        Ok(self
            .loaded_plugins()?
            .into_iter()
            .map(|plugin| plugin.summary)
            .collect())
    }
}

impl PluginsManager {
    /// Reports `codex_plugin_used` for a loaded plugin mentioned in a turn (the sink
    /// de-duplicates per turn and plugin). Skipped when the summary's `config_name` is not a
    /// plugin id.
    pub fn report_plugin_used(
        &self,
        summary: &PluginCapabilitySummary,
        context: PluginUsedContext,
    ) {
        if let Some(metadata) = self.telemetry_metadata_for_capability_summary(summary) {
            self.emit(PluginEvent::Used { metadata, context });
        }
    }
}

#[cfg(test)]
#[path = "loaded_tests.rs"]
mod tests;
