//! Server notifications of a turn and their method names.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::thread::{Thread, ThreadItem, Turn, TurnError};

/// Notification method names.
pub mod method {
    /// [`super::ThreadStartedNotification`].
    pub const THREAD_STARTED: &str = "thread/started";
    /// `{threadId, status}`.
    pub const THREAD_STATUS_CHANGED: &str = "thread/status/changed";
    /// [`super::TurnStartedNotification`].
    pub const TURN_STARTED: &str = "turn/started";
    /// [`super::ItemStartedNotification`].
    pub const ITEM_STARTED: &str = "item/started";
    /// [`super::ItemCompletedNotification`].
    pub const ITEM_COMPLETED: &str = "item/completed";
    /// [`super::AgentMessageDeltaNotification`].
    pub const AGENT_MESSAGE_DELTA: &str = "item/agentMessage/delta";
    /// [`super::ThreadTokenUsageUpdatedNotification`].
    pub const THREAD_TOKEN_USAGE_UPDATED: &str = "thread/tokenUsage/updated";
    /// [`super::TurnCompletedNotification`].
    pub const TURN_COMPLETED: &str = "turn/completed";
    /// [`super::ErrorNotification`].
    pub const ERROR: &str = "error";
}

/// `thread/started`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ThreadStartedNotification {
    /// The thread.
    pub thread: Thread,
}

/// `turn/started`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TurnStartedNotification {
    /// The thread.
    pub thread_id: String,
    /// The turn.
    pub turn: Turn,
}

/// `item/started`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ItemStartedNotification {
    /// The item.
    pub item: ThreadItem,
    /// The thread.
    pub thread_id: String,
    /// The turn.
    pub turn_id: String,
    /// Unix ms.
    pub started_at_ms: i64,
}

/// `item/agentMessage/delta`: text appended to a streaming agent message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AgentMessageDeltaNotification {
    /// The thread.
    pub thread_id: String,
    /// The turn.
    pub turn_id: String,
    /// The agent message item the text belongs to.
    pub item_id: String,
    /// The new text.
    pub delta: String,
}

/// `item/completed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ItemCompletedNotification {
    /// The item.
    pub item: ThreadItem,
    /// The thread.
    pub thread_id: String,
    /// The turn.
    pub turn_id: String,
    /// Tokens of the item's content, when known.
    pub content_token_count: Option<i64>,
    /// Unix ms.
    pub completed_at_ms: i64,
}

/// `thread/tokenUsage/updated`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ThreadTokenUsageUpdatedNotification {
    /// The thread.
    pub thread_id: String,
    /// The turn.
    pub turn_id: String,
    /// Usage.
    pub token_usage: ThreadTokenUsage,
}

/// Token usage of a thread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ThreadTokenUsage {
    /// Whole thread.
    pub total: TokenUsageBreakdown,
    /// Last request.
    pub last: TokenUsageBreakdown,
    /// Context window of the model, when known.
    pub model_context_window: Option<i64>,
}

/// Token counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenUsageBreakdown {
    /// Total.
    pub total_tokens: i64,
    /// Input.
    pub input_tokens: i64,
    /// Cached input.
    pub cached_input_tokens: i64,
    /// Cache writes.
    pub cache_write_input_tokens: i64,
    /// Output.
    pub output_tokens: i64,
    /// Reasoning output.
    pub reasoning_output_tokens: i64,
}

impl TokenUsageBreakdown {
    /// Adds `other` to these counts.
    #[must_use]
    pub fn plus(self, other: Self) -> Self {
        Self {
            total_tokens: self.total_tokens + other.total_tokens,
            input_tokens: self.input_tokens + other.input_tokens,
            cached_input_tokens: self.cached_input_tokens + other.cached_input_tokens,
            cache_write_input_tokens: self.cache_write_input_tokens
                + other.cache_write_input_tokens,
            output_tokens: self.output_tokens + other.output_tokens,
            reasoning_output_tokens: self.reasoning_output_tokens + other.reasoning_output_tokens,
        }
    }
}

/// `turn/completed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TurnCompletedNotification {
    /// The thread.
    pub thread_id: String,
    /// The finished turn.
    pub turn: Turn,
}

/// `error` (mid-turn failure).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorNotification {
    /// What failed.
    pub error: TurnError,
    /// Whether the server retries.
    pub will_retry: bool,
    /// The thread.
    pub thread_id: String,
    /// The turn.
    pub turn_id: String,
}
