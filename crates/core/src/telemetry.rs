//! The only constructors of [`PluginTelemetryMetadata`] (spec §8.3), with remote identity
//! resolved here: for remote marketplaces the in-memory snapshot first, then the persisted
//! sidecar; local marketplaces never report a remote id.

use berth_plugin::manifest::plugin_capability_summary_from_root;
use berth_plugin::{
    PluginCapabilitySummary, PluginId, PluginTelemetryMetadata, is_remote_marketplace,
};

use crate::PluginsManager;

impl PluginsManager {
    /// Metadata with the resolved remote id and no capability summary.
    pub fn telemetry_metadata_for_plugin_id(&self, id: &PluginId) -> PluginTelemetryMetadata {
        PluginTelemetryMetadata {
            plugin_id: id.clone(),
            remote_plugin_id: self.remote_plugin_id_for(id),
            capability_summary: None,
        }
    }

    /// Metadata with an authoritative remote id and no capability summary.
    pub fn telemetry_metadata_for_plugin_id_with_remote_id(
        &self,
        id: &PluginId,
        remote_plugin_id: &str,
    ) -> PluginTelemetryMetadata {
        PluginTelemetryMetadata {
            plugin_id: id.clone(),
            remote_plugin_id: Some(remote_plugin_id.to_owned()),
            capability_summary: None,
        }
    }

    /// Metadata for an installed plugin: the resolved remote id and the capabilities of its
    /// active cache version (none when not installed or its manifest does not load).
    pub fn telemetry_metadata_for_installed_plugin(
        &self,
        id: &PluginId,
    ) -> PluginTelemetryMetadata {
        PluginTelemetryMetadata {
            plugin_id: id.clone(),
            remote_plugin_id: self.remote_plugin_id_for(id),
            capability_summary: self.installed_capability_summary(id),
        }
    }

    /// As [`Self::telemetry_metadata_for_installed_plugin`], with an authoritative remote id.
    pub fn telemetry_metadata_for_installed_plugin_with_remote_id(
        &self,
        id: &PluginId,
        remote_plugin_id: &str,
    ) -> PluginTelemetryMetadata {
        PluginTelemetryMetadata {
            plugin_id: id.clone(),
            remote_plugin_id: Some(remote_plugin_id.to_owned()),
            capability_summary: self.installed_capability_summary(id),
        }
    }

    /// Metadata for a loaded plugin's capability summary; `None` when its `config_name` is
    /// not a plugin id.
    pub fn telemetry_metadata_for_capability_summary(
        &self,
        summary: &PluginCapabilitySummary,
    ) -> Option<PluginTelemetryMetadata> {
        let id = PluginId::parse(&summary.config_name).ok()?;
        Some(PluginTelemetryMetadata {
            remote_plugin_id: self.remote_plugin_id_for(&id),
            plugin_id: id,
            capability_summary: Some(summary.clone()),
        })
    }

    /// The backend id of a remote plugin: from the installed snapshot when it has the plugin,
    /// else from the sidecar in the cache. Local marketplaces never have one; an unreadable
    /// sidecar gives `None` and a warning.
    pub fn remote_plugin_id_for(&self, id: &PluginId) -> Option<String> {
        if !is_remote_marketplace(id.marketplace_name()) {
            return None;
        }
        if let Some(remote_id) = self.remote_snapshot_id(id) {
            return Some(remote_id);
        }
        match self.store.remote_plugin_id(id) {
            Ok(remote_id) => remote_id,
            Err(err) => {
                tracing::warn!(
                    plugin_id = %id,
                    error = %err,
                    "ignoring unreadable remote plugin identity; reporting no remote id"
                );
                None
            }
        }
    }

    fn installed_capability_summary(&self, id: &PluginId) -> Option<PluginCapabilitySummary> {
        let root = self.store.active_plugin_root(id)?;
        plugin_capability_summary_from_root(id, &root)
    }
}

#[cfg(test)]
#[path = "telemetry_tests.rs"]
mod tests;
