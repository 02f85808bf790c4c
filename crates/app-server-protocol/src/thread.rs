//! Threads and turns: `thread/start`, `turn/start`, `turn/interrupt`, the user inputs a turn
//! carries and the items it produces.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `thread/start` params (all optional).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct ThreadStartParams {
    /// Model slug.
    pub model: Option<String>,
    /// Model provider id (a key of `model_providers`).
    pub model_provider: Option<String>,
    /// Working directory.
    pub cwd: Option<String>,
    /// Replaces the base instructions.
    pub base_instructions: Option<String>,
    /// Extra developer instructions.
    pub developer_instructions: Option<String>,
    /// In-memory only thread.
    pub ephemeral: Option<bool>,
    /// Per-thread config overrides, by dotted key.
    pub config: Option<BTreeMap<String, Value>>,
    /// Approval policy (kebab-case).
    pub approval_policy: Option<Value>,
    /// Sandbox mode (kebab-case).
    pub sandbox: Option<Value>,
    /// Service name.
    pub service_name: Option<String>,
}

/// `thread/start` result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ThreadStartResponse {
    /// The new thread.
    pub thread: Thread,
    /// Model slug.
    pub model: String,
    /// Model provider id.
    pub model_provider: String,
    /// Service tier.
    pub service_tier: Option<String>,
    /// Plugins disabled for this thread.
    pub disabled_plugin_ids: Vec<String>,
    /// Working directory.
    pub cwd: String,
    /// Workspace roots.
    pub runtime_workspace_roots: Vec<String>,
    /// Instruction files in effect.
    pub instruction_sources: Vec<String>,
    /// Approval policy.
    pub approval_policy: String,
    /// Approvals reviewer.
    pub approvals_reviewer: String,
    /// Sandbox.
    pub sandbox: SandboxSummary,
    /// Active permission profile.
    pub active_permission_profile: Option<Value>,
    /// Reasoning effort.
    pub reasoning_effort: Option<String>,
    /// Multi-agent mode.
    pub multi_agent_mode: String,
}

/// The sandbox of a thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SandboxSummary {
    /// e.g. `readOnly`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Whether the sandbox allows network access.
    pub network_access: bool,
}

/// A conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Thread {
    /// Thread id (UUID v7).
    pub id: String,
    /// Execution environments.
    pub environments: Vec<Value>,
    /// Extra metadata.
    pub extra: Option<Value>,
    /// Session id.
    pub session_id: String,
    /// Forked from.
    pub forked_from_id: Option<String>,
    /// Attached to.
    pub attached_to_thread_id: Option<String>,
    /// Parent thread.
    pub parent_thread_id: Option<String>,
    /// First user message, shortened.
    pub preview: String,
    /// In-memory only.
    pub ephemeral: bool,
    /// UI section.
    pub section: Option<Value>,
    /// When it entered its section.
    pub section_entered_at: Option<i64>,
    /// Project.
    pub project_id: Option<String>,
    /// `paginated`.
    pub history_mode: String,
    /// Model provider id.
    pub model_provider: String,
    /// Model slug.
    pub model: String,
    /// Reasoning effort.
    pub reasoning_effort: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub updated_at: i64,
    /// Unix seconds.
    pub recency_at: i64,
    /// `{"type": "idle"}`, `{"type": "active", ...}`.
    pub status: ThreadStatus,
    /// Rollout file; `null` when ephemeral.
    pub path: Option<String>,
    /// Working directory.
    pub cwd: String,
    /// Version of the server.
    pub cli_version: String,
    /// The client's originator.
    pub originator: String,
    /// e.g. `vscode`.
    pub source: String,
    /// Whether the thread accepts direct input.
    pub can_accept_direct_input: bool,
    /// Thread source.
    pub thread_source: Option<String>,
    /// Agent nickname.
    pub agent_nickname: Option<String>,
    /// Agent role.
    pub agent_role: Option<String>,
    /// Git info of the cwd.
    pub git_info: Option<Value>,
    /// Thread name.
    pub name: Option<String>,
    /// Daybreak flag.
    pub daybreak_enabled: Option<bool>,
    /// Turns (empty on start).
    pub turns: Vec<Turn>,
}

/// A thread's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum ThreadStatus {
    /// No turn running.
    Idle,
    /// A turn is running.
    #[serde(rename_all = "camelCase")]
    Active {
        /// Flags such as waiting for approval.
        active_flags: Vec<String>,
    },
}

/// `turn/start` params.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TurnStartParams {
    /// The thread.
    pub thread_id: String,
    /// What the user sends.
    pub input: Vec<UserInput>,
    /// Client-side id of the user message.
    #[serde(default)]
    pub client_user_message_id: Option<String>,
    /// Model override (sticks for later turns).
    #[serde(default)]
    pub model: Option<String>,
    /// Reasoning effort override.
    #[serde(default)]
    pub effort: Option<String>,
}

/// `turn/start` result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TurnStartResponse {
    /// The turn, `inProgress`.
    pub turn: Turn,
}

/// `turn/interrupt` params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TurnInterruptParams {
    /// The thread.
    pub thread_id: String,
    /// The running turn.
    pub turn_id: String,
}

/// `turn/interrupt` result: `{}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TurnInterruptResponse {}

/// One turn of a thread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Turn {
    /// Turn id (UUID v7).
    pub id: String,
    /// Root turn id.
    pub root_turn_id: String,
    /// Items (assistant output once completed).
    pub items: Vec<ThreadItem>,
    /// `notLoaded`, `summary` or `full`.
    pub items_view: String,
    /// Status.
    pub status: TurnStatus,
    /// Why it failed.
    pub error: Option<TurnError>,
    /// Unix seconds.
    pub started_at: Option<i64>,
    /// Unix seconds.
    pub completed_at: Option<i64>,
    /// Duration.
    pub duration_ms: Option<i64>,
}

/// A turn's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum TurnStatus {
    /// Finished normally.
    Completed,
    /// Stopped by `turn/interrupt`.
    Interrupted,
    /// Failed; see `error`.
    Failed,
    /// Running.
    InProgress,
}

/// Why a turn failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TurnError {
    /// Message.
    pub message: String,
    /// Machine-readable kind.
    pub codex_error_info: Option<CodexErrorInfo>,
    /// More details.
    pub additional_details: Option<String>,
    /// Misalignment info.
    pub misalignment: Option<Value>,
}

/// Machine-readable error kinds (camelCase).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum CodexErrorInfo {
    /// The context window is full.
    ContextWindowExceeded,
    /// Usage limit reached.
    UsageLimitExceeded,
    /// The provider is overloaded.
    ServerOverloaded,
    /// Bad credentials.
    Unauthorized,
    /// The provider rejected the request.
    BadRequest,
    /// The provider failed.
    InternalServerError,
    /// Anything else.
    Other,
    /// The stream broke.
    #[serde(rename_all = "camelCase")]
    ResponseStreamDisconnected {
        /// HTTP status, when known.
        http_status_code: Option<u16>,
    },
}

/// What a user sends in a turn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum UserInput {
    /// Text.
    #[serde(rename_all = "camelCase")]
    Text {
        /// The text.
        text: String,
        /// Placeholder elements of the text.
        #[serde(default)]
        text_elements: Vec<Value>,
    },
    /// An image URL.
    Image {
        /// URL.
        url: String,
    },
    /// A local image.
    LocalImage {
        /// Path.
        path: String,
    },
    /// A skill by its SKILL.md path.
    Skill {
        /// Skill name.
        name: String,
        /// SKILL.md path.
        path: String,
    },
    /// A mention: `plugin://<plugin>@<marketplace>` or `app://<connector>`.
    Mention {
        /// Display name.
        name: String,
        /// Target.
        path: String,
    },
}

/// An item of a turn.
#[expect(
    clippy::large_enum_variant,
    reason = "a wire type mirrored from Codex; items are few and short-lived"
)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum ThreadItem {
    /// The user's message.
    #[serde(rename_all = "camelCase")]
    UserMessage {
        /// Item id.
        id: String,
        /// Client-side id.
        client_id: Option<String>,
        /// The inputs.
        content: Vec<UserInput>,
        /// Unix ms.
        started_at_ms: Option<i64>,
        /// Unix ms.
        completed_at_ms: Option<i64>,
    },
    /// The model's message.
    #[serde(rename_all = "camelCase")]
    AgentMessage {
        /// Moderation info.
        moderation: Option<Value>,
        /// Item id.
        id: String,
        /// The text.
        text: String,
        /// Phase.
        phase: Option<String>,
        /// Memory citation.
        memory_citation: Option<Value>,
        /// Delivery.
        delivery: Option<Value>,
        /// Questions.
        questions: Option<Value>,
        /// Unix ms.
        started_at_ms: Option<i64>,
        /// Unix ms.
        completed_at_ms: Option<i64>,
    },
}
