//! JSON Schema of every wire type, for `berth app-server generate-json-schema`.

use schemars::schema_for;
use serde_json::Value;

use crate::{
    AgentMessageDeltaNotification, ConfigBatchWriteParams, ConfigValueWriteParams,
    ConfigWriteResponse, ErrorNotification, InitializeParams, InitializeResponse,
    ItemCompletedNotification, ItemStartedNotification, JsonRpcMessage, PluginInstallParams,
    PluginInstallResponse, PluginInstalledParams, PluginInstalledResponse, PluginListParams,
    PluginListResponse, PluginReadParams, PluginReadResponse, PluginUninstallParams,
    PluginUninstallResponse, ThreadStartParams, ThreadStartResponse, ThreadStartedNotification,
    ThreadTokenUsageUpdatedNotification, TurnCompletedNotification, TurnInterruptParams,
    TurnInterruptResponse, TurnStartParams, TurnStartResponse, TurnStartedNotification,
};

/// `(file stem, schema)` for each wire type, e.g. `("v2/PluginListParams", {...})`. The
/// envelope and handshake are top level; methods and notifications are under `v2/`, as in
/// Codex's export.
pub fn json_schemas() -> Vec<(&'static str, Value)> {
    macro_rules! schemas {
        ($($name:literal => $ty:ty),* $(,)?) => {
            vec![$(($name, schema_for!($ty).to_value())),*]
        };
    }
    schemas![
        "JSONRPCMessage" => JsonRpcMessage,
        "InitializeParams" => InitializeParams,
        "InitializeResponse" => InitializeResponse,
        "v2/PluginListParams" => PluginListParams,
        "v2/PluginListResponse" => PluginListResponse,
        "v2/PluginInstalledParams" => PluginInstalledParams,
        "v2/PluginInstalledResponse" => PluginInstalledResponse,
        "v2/PluginReadParams" => PluginReadParams,
        "v2/PluginReadResponse" => PluginReadResponse,
        "v2/PluginInstallParams" => PluginInstallParams,
        "v2/PluginInstallResponse" => PluginInstallResponse,
        "v2/PluginUninstallParams" => PluginUninstallParams,
        "v2/PluginUninstallResponse" => PluginUninstallResponse,
        "v2/ConfigValueWriteParams" => ConfigValueWriteParams,
        "v2/ConfigBatchWriteParams" => ConfigBatchWriteParams,
        "v2/ConfigWriteResponse" => ConfigWriteResponse,
        "v2/ThreadStartParams" => ThreadStartParams,
        "v2/ThreadStartResponse" => ThreadStartResponse,
        "v2/TurnStartParams" => TurnStartParams,
        "v2/TurnStartResponse" => TurnStartResponse,
        "v2/TurnInterruptParams" => TurnInterruptParams,
        "v2/TurnInterruptResponse" => TurnInterruptResponse,
        "v2/ThreadStartedNotification" => ThreadStartedNotification,
        "v2/TurnStartedNotification" => TurnStartedNotification,
        "v2/ItemStartedNotification" => ItemStartedNotification,
        "v2/ItemCompletedNotification" => ItemCompletedNotification,
        "v2/AgentMessageDeltaNotification" => AgentMessageDeltaNotification,
        "v2/ThreadTokenUsageUpdatedNotification" => ThreadTokenUsageUpdatedNotification,
        "v2/TurnCompletedNotification" => TurnCompletedNotification,
        "v2/ErrorNotification" => ErrorNotification,
    ]
}

#[cfg(test)]
#[path = "export_tests.rs"]
mod tests;
