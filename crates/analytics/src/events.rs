//! Wire types of the analytics endpoint: the `{"events":[…]}` envelope and one struct per
//! event kind, built from [`berth_plugin::PluginEvent`]s. Field order is declaration order
//! and every optional field is always present (`null` when unknown), as Codex sends them.

use berth_plugin::{PluginEvent, PluginState, PluginTelemetryMetadata, PluginUsedContext};
use serde::Serialize;

/// Event type of [`TrackEventRequest::PluginUsed`].
pub const PLUGIN_USED_EVENT_TYPE: &str = "codex_plugin_used";

/// The body of one `POST …/codex/analytics-events/events`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrackEventsRequest {
    /// The batch, in enqueue order.
    pub events: Vec<TrackEventRequest>,
}

/// One event on the wire. Untagged: each variant serializes as its inner value, so no
/// variant name appears in the JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum TrackEventRequest {
    /// `codex_plugin_installed`, `_uninstalled`, `_enabled` or `_disabled`.
    PluginState(CodexPluginEventRequest),
    /// `codex_plugin_used`.
    PluginUsed(CodexPluginUsedEventRequest),
    /// A pre-built event (e.g. thread and turn events of the app server), sent verbatim.
    Raw(serde_json::Value),
}

impl TrackEventRequest {
    /// Builds the wire event for a plugin lifecycle event. `product_client_id` is the
    /// client that caused it (the originator, e.g. `codex_cli_rs`, or an app-server
    /// client's name).
    pub fn from_plugin_event(event: &PluginEvent, product_client_id: &str) -> Self {
        match event {
            PluginEvent::StateChanged { state, metadata } => Self::PluginState(
                CodexPluginEventRequest::new(*state, metadata, product_client_id),
            ),
            PluginEvent::Used { metadata, context } => Self::PluginUsed(
                CodexPluginUsedEventRequest::new(metadata, context, product_client_id),
            ),
        }
    }

    /// The `event_type` of this event, when it has one.
    pub fn event_type(&self) -> Option<&str> {
        match self {
            Self::PluginState(event) => Some(event.event_type),
            Self::PluginUsed(event) => Some(event.event_type),
            Self::Raw(value) => value.get("event_type").and_then(serde_json::Value::as_str),
        }
    }
}

/// A plugin state event: `{"event_type":"codex_plugin_<state>","event_params":{…}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodexPluginEventRequest {
    /// `codex_plugin_installed`, `codex_plugin_uninstalled`, `codex_plugin_enabled` or
    /// `codex_plugin_disabled`.
    pub event_type: &'static str,
    /// Who the event is about.
    pub event_params: CodexPluginMetadata,
}

impl CodexPluginEventRequest {
    /// The event for `state` of the plugin described by `metadata`.
    pub fn new(
        state: PluginState,
        metadata: &PluginTelemetryMetadata,
        product_client_id: &str,
    ) -> Self {
        Self {
            event_type: state.event_type(),
            event_params: CodexPluginMetadata::new(metadata, product_client_id),
        }
    }
}

/// `event_params` shared by every plugin event, in wire order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodexPluginMetadata {
    /// Local identity, always `name@marketplace`.
    pub plugin_id: String,
    /// Backend identity (`plugins~Plugin_…`) or null.
    pub remote_plugin_id: Option<String>,
    /// Local plugin name.
    pub plugin_name: String,
    /// Local marketplace name.
    pub marketplace_name: String,
    /// Whether the plugin has skills; null without a capability summary.
    pub has_skills: Option<bool>,
    /// Number of MCP servers; null without a capability summary.
    pub mcp_server_count: Option<usize>,
    /// App connector ids; null without a capability summary.
    pub connector_ids: Option<Vec<String>>,
    /// The client that caused the event.
    pub product_client_id: String,
}

impl CodexPluginMetadata {
    /// Maps the manager's telemetry metadata onto the wire fields.
    pub fn new(metadata: &PluginTelemetryMetadata, product_client_id: &str) -> Self {
        let summary = metadata.capability_summary.as_ref();
        Self {
            plugin_id: metadata.plugin_id.as_key(),
            remote_plugin_id: metadata.remote_plugin_id.clone(),
            plugin_name: metadata.plugin_id.plugin_name().to_owned(),
            marketplace_name: metadata.plugin_id.marketplace_name().to_owned(),
            has_skills: summary.map(|summary| summary.has_skills),
            mcp_server_count: summary.map(|summary| summary.mcp_server_names.len()),
            connector_ids: summary.map(|summary| {
                summary
                    .app_connector_ids
                    .iter()
                    .map(|id| id.as_str().to_owned())
                    .collect()
            }),
            product_client_id: product_client_id.to_owned(),
        }
    }
}

/// A `codex_plugin_used` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodexPluginUsedEventRequest {
    /// Always [`PLUGIN_USED_EVENT_TYPE`].
    pub event_type: &'static str,
    /// The plugin and the turn.
    pub event_params: CodexPluginUsedMetadata,
}

impl CodexPluginUsedEventRequest {
    /// The event for the plugin described by `metadata`, used in the turn `context`.
    pub fn new(
        metadata: &PluginTelemetryMetadata,
        context: &PluginUsedContext,
        product_client_id: &str,
    ) -> Self {
        Self {
            event_type: PLUGIN_USED_EVENT_TYPE,
            event_params: CodexPluginUsedMetadata {
                plugin: CodexPluginMetadata::new(metadata, product_client_id),
                mcp_server_names: metadata
                    .capability_summary
                    .as_ref()
                    .map(|summary| summary.mcp_server_names.clone()),
                thread_id: context.thread_id.clone(),
                turn_id: context.turn_id.clone(),
                model_slug: context.model_slug.clone(),
            },
        }
    }
}

/// `event_params` of `codex_plugin_used`: the shared plugin fields, then the turn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodexPluginUsedMetadata {
    /// The shared plugin fields, flattened.
    #[serde(flatten)]
    pub plugin: CodexPluginMetadata,
    /// MCP server names; null without a capability summary.
    pub mcp_server_names: Option<Vec<String>>,
    /// Thread the plugin was mentioned in.
    pub thread_id: String,
    /// Turn the plugin was mentioned in.
    pub turn_id: String,
    /// Model the turn ran with.
    pub model_slug: String,
}

#[cfg(test)]
#[path = "events_tests.rs"]
mod tests;
