//! Wire types of berth's app server, field for field those of Codex 0.169.0's
//! `codex app-server`: the JSON-RPC lite envelope ([`JsonRpcMessage`]), the `initialize`
//! handshake, the `plugin/*` and `config/*` methods, threads and turns with their
//! notifications, and the JSON Schema export ([`json_schemas`]). Types only; no I/O.

#![deny(missing_docs)]

mod config;
mod export;
mod initialize;
mod jsonrpc;
mod notification;
mod plugin;
mod thread;

pub use config::{
    ConfigBatchWriteParams, ConfigEdit, ConfigValueWriteParams, ConfigWriteResponse,
    ConfigWriteStatus, MergeStrategy,
};
pub use export::json_schemas;
pub use initialize::{ClientInfo, InitializeCapabilities, InitializeParams, InitializeResponse};
pub use jsonrpc::{
    JsonRpcError, JsonRpcErrorObject, JsonRpcMessage, JsonRpcNotification, JsonRpcRequest,
    JsonRpcResponse, JsonRpcUnidentifiedError, RequestId,
};
pub use notification::{
    AgentMessageDeltaNotification, ErrorNotification, ItemCompletedNotification,
    ItemStartedNotification, ThreadStartedNotification, ThreadTokenUsage,
    ThreadTokenUsageUpdatedNotification, TokenUsageBreakdown, TurnCompletedNotification,
    TurnStartedNotification, method as notification_method,
};
pub use plugin::{
    AppSummary, AppTemplateSummary, MarketplaceInterface, MarketplaceLoadErrorInfo,
    PluginAuthPolicy, PluginAvailability, PluginDetail, PluginHookSummary, PluginInstallParams,
    PluginInstallPolicy, PluginInstallResponse, PluginInstalledParams, PluginInstalledResponse,
    PluginInterface, PluginListMarketplaceKind, PluginListParams, PluginListResponse,
    PluginMarketplaceEntry, PluginReadParams, PluginReadResponse, PluginSource, PluginSummary,
    PluginUninstallParams, PluginUninstallResponse, SkillSummary,
};
pub use thread::{
    CodexErrorInfo, SandboxSummary, Thread, ThreadItem, ThreadStartParams, ThreadStartResponse,
    ThreadStatus, Turn, TurnError, TurnInterruptParams, TurnInterruptResponse, TurnStartParams,
    TurnStartResponse, TurnStatus, UserInput,
};

/// The JSON-RPC version the lite envelope stands for; it is never sent on the wire.
pub const JSONRPC_VERSION: &str = "2.0";
