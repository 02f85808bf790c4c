//! The `initialize` handshake: who the client is and what the server runs as.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `initialize` params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InitializeParams {
    /// The client; its `name` becomes the originator.
    pub client_info: ClientInfo,
    /// Optional capabilities.
    #[serde(default)]
    pub capabilities: Option<InitializeCapabilities>,
}

/// `clientInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClientInfo {
    /// Client name, e.g. `codex_vscode`; must be a valid HTTP header value.
    pub name: String,
    /// Display title.
    #[serde(default)]
    pub title: Option<String>,
    /// Client version.
    pub version: String,
}

/// `capabilities`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InitializeCapabilities {
    /// Unlocks experimental methods and fields.
    #[serde(default)]
    pub experimental_api: bool,
    /// Notification methods this connection does not want.
    #[serde(default)]
    pub opt_out_notification_methods: Option<Vec<String>>,
}

/// `initialize` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InitializeResponse {
    /// The `User-Agent` the server uses upstream.
    pub user_agent: String,
    /// The absolute Codex home.
    pub codex_home: String,
    /// `unix` or `windows`.
    pub platform_family: String,
    /// e.g. `linux`.
    pub platform_os: String,
}
