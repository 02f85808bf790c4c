//! The capability summary of an installed plugin, built from its cached root for analytics.

use std::path::Path;

use super::load::load_manifest;
use super::model::LoadedManifest;
use crate::{PluginCapabilitySummary, PluginId};

/// Summarises the plugin at `root` (spec §4.4): `None` when its manifest is missing or invalid.
/// Reads only the manifest, the MCP config and the app config; skills are only checked for a
/// root directory, so this is cheap enough for listing paths.
pub fn plugin_capability_summary_from_root(
    id: &PluginId,
    root: &Path,
) -> Option<PluginCapabilitySummary> {
    let loaded = match load_manifest(root) {
        Ok(loaded) => loaded,
        Err(error) => {
            tracing::debug!(plugin = %id, root = %root.display(), "no capability summary: {error}");
            return None;
        }
    };
    Some(plugin_capability_summary(id, &loaded))
}

/// The capability summary of an already loaded manifest (spec §4.4), for callers that need
/// the manifest for more than the summary and should read it once.
pub fn plugin_capability_summary(
    id: &PluginId,
    loaded: &LoadedManifest,
) -> PluginCapabilitySummary {
    PluginCapabilitySummary {
        config_name: id.as_key(),
        display_name: id.plugin_name().to_owned(),
        description: None,
        has_skills: loaded.has_skill_roots(),
        mcp_server_names: loaded.mcp_servers().value.into_keys().collect(),
        app_connector_ids: loaded.app_connector_ids().value,
    }
}

#[cfg(test)]
#[path = "summary_tests.rs"]
mod tests;
