//! The JSON-RPC lite envelope: JSON-RPC 2.0 without the `jsonrpc` field, string or integer
//! ids, and four message kinds told apart by which fields are present.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A request id: a JSON string or an integer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum RequestId {
    /// `"id": "abc"`.
    String(String),
    /// `"id": 7`.
    Integer(i64),
}

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::String(id) => f.write_str(id),
            Self::Integer(id) => write!(f, "{id}"),
        }
    }
}

/// A request: `{"id", "method", "params"?}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct JsonRpcRequest {
    /// Echoed in the answer.
    pub id: RequestId,
    /// `<resource>/<method>`.
    pub method: String,
    /// Method parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<Value>,
    /// Optional W3C trace context (ignored by berth).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<Value>,
}

/// A notification: `{"method", "params"?, "emittedAtMs"?}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct JsonRpcNotification {
    /// The notification name, e.g. `turn/completed`.
    pub method: String,
    /// Its payload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<Value>,
    /// Unix ms when the server emitted it (server notifications only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emitted_at_ms: Option<i64>,
}

/// A successful answer: `{"id", "result"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct JsonRpcResponse {
    /// The request's id.
    pub id: RequestId,
    /// The method's result.
    pub result: Value,
}

/// A failed answer: `{"id", "error": {"code", "message", "data"?}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct JsonRpcError {
    /// The request's id.
    pub id: RequestId,
    /// What went wrong.
    pub error: JsonRpcErrorObject,
}

/// The answer to a line that could not be read as a message, so its id is unknown:
/// `{"id": null, "error": {...}}` (JSON-RPC 2.0 §5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct JsonRpcUnidentifiedError {
    /// Always `null`.
    pub id: Option<RequestId>,
    /// What went wrong (`-32700`).
    pub error: JsonRpcErrorObject,
}

/// The `error` member of a failed answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct JsonRpcErrorObject {
    /// A JSON-RPC error code, e.g. `-32600`.
    pub code: i64,
    /// A human-readable message.
    pub message: String,
    /// Structured details, when any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

/// Any message on the wire, in either direction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum JsonRpcMessage {
    /// Has `id` and `method`.
    Request(JsonRpcRequest),
    /// Has `method` and no `id`.
    Notification(JsonRpcNotification),
    /// Has `id` and `result`.
    Response(JsonRpcResponse),
    /// Has `id` and `error`.
    Error(JsonRpcError),
}

#[cfg(test)]
#[path = "jsonrpc_tests.rs"]
mod tests;
