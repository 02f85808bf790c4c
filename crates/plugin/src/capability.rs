//! What a plugin contributes, summarised for the model and for analytics.

use serde::{Deserialize, Serialize};

/// A connector (app) id such as `calendar`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AppConnectorId(pub String);

impl AppConnectorId {
    /// The id as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A plugin's capabilities: skills, MCP servers and app connectors.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginCapabilitySummary {
    /// The `name@marketplace` key.
    pub config_name: String,
    /// Display name; for summaries built from a cached root this is the plugin name.
    pub display_name: String,
    /// Prompt-safe description (whitespace collapsed, at most 1024 characters).
    pub description: Option<String>,
    /// Whether the plugin contributes at least one skill.
    pub has_skills: bool,
    /// MCP server names, sorted and de-duplicated.
    pub mcp_server_names: Vec<String>,
    /// App connector ids, de-duplicated in declaration order.
    pub app_connector_ids: Vec<AppConnectorId>,
}

/// Longest description kept in a capability summary.
pub const MAX_CAPABILITY_SUMMARY_DESCRIPTION_LEN: usize = 1024;

impl PluginCapabilitySummary {
    /// Collapses whitespace and truncates to [`MAX_CAPABILITY_SUMMARY_DESCRIPTION_LEN`] characters;
    /// blank text gives `None`.
    pub fn prompt_safe_description(text: &str) -> Option<String> {
        let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if collapsed.is_empty() {
            return None;
        }
        Some(
            collapsed
                .chars()
                .take(MAX_CAPABILITY_SUMMARY_DESCRIPTION_LEN)
                .collect(),
        )
    }
}
