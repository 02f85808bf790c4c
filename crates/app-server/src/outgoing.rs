//! The write side of the connection: every message is queued on one channel and a writer
//! task puts each on stdout as one compact JSON line, flushed, in queue order.

use std::collections::HashSet;
use std::sync::{Arc, OnceLock};

use berth_app_server_protocol::{
    JsonRpcError, JsonRpcMessage, JsonRpcNotification, JsonRpcResponse, JsonRpcUnidentifiedError,
    RequestId,
};
use serde::Serialize;
use serde_json::Value;
use serde_json::value::RawValue;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

use crate::error_code::RpcError;
use crate::time::unix_millis;

/// A cloneable handle that queues outgoing messages.
#[derive(Debug, Clone)]
pub(crate) struct Outgoing {
    sender: mpsc::UnboundedSender<String>,
    opted_out: Arc<OnceLock<HashSet<String>>>,
}

impl Outgoing {
    /// A handle and the receiver its writer task drains.
    pub(crate) fn new() -> (Self, mpsc::UnboundedReceiver<String>) {
        let (sender, receiver) = mpsc::unbounded_channel();
        (
            Self {
                sender,
                opted_out: Arc::new(OnceLock::new()),
            },
            receiver,
        )
    }

    /// Notification methods this connection opted out of (set once, at `initialize`).
    pub(crate) fn set_opted_out(&self, methods: HashSet<String>) {
        let _ = self.opted_out.set(methods);
    }

    pub(crate) fn respond(&self, id: RequestId, result: Value) {
        self.send(&JsonRpcMessage::Response(JsonRpcResponse { id, result }));
    }

    /// Answers with a result that is already JSON text.
    pub(crate) fn respond_raw(&self, id: &RequestId, result: &RawValue) {
        match serde_json::to_string(id) {
            Ok(id) => {
                let _ = self
                    .sender
                    .send(format!("{{\"id\":{id},\"result\":{}}}", result.get()));
            }
            Err(err) => tracing::error!("failed to serialize a request id: {err}"),
        }
    }

    pub(crate) fn fail(&self, id: RequestId, error: RpcError) {
        self.send(&JsonRpcMessage::Error(JsonRpcError {
            id,
            error: error.into_object(),
        }));
    }

    /// Answers a message whose id could not be read: `{"id": null, "error": ...}`.
    pub(crate) fn fail_unidentified(&self, error: RpcError) {
        match serde_json::to_string(&JsonRpcUnidentifiedError {
            id: None,
            error: error.into_object(),
        }) {
            Ok(line) => {
                let _ = self.sender.send(line);
            }
            Err(err) => tracing::error!("failed to serialize an outgoing message: {err}"),
        }
    }

    /// Sends a server notification unless the client opted out of `method`.
    pub(crate) fn notify(&self, method: &str, params: &impl Serialize) {
        if self
            .opted_out
            .get()
            .is_some_and(|methods| methods.contains(method))
        {
            return;
        }
        let params = match serde_json::to_value(params) {
            Ok(params) => params,
            Err(err) => {
                tracing::error!(method, "failed to serialize a notification: {err}");
                return;
            }
        };
        self.send(&JsonRpcMessage::Notification(JsonRpcNotification {
            method: method.to_owned(),
            params: Some(params),
            emitted_at_ms: Some(unix_millis()),
        }));
    }

    fn send(&self, message: &JsonRpcMessage) {
        match serde_json::to_string(message) {
            Ok(line) => {
                // A closed channel means the writer stopped (stdout closed); nothing to do.
                let _ = self.sender.send(line);
            }
            Err(err) => tracing::error!("failed to serialize an outgoing message: {err}"),
        }
    }
}

/// Writes queued lines until every [`Outgoing`] handle is dropped or the output fails.
pub(crate) async fn write_lines(
    mut receiver: mpsc::UnboundedReceiver<String>,
    mut output: impl AsyncWrite + Unpin,
) {
    while let Some(mut line) = receiver.recv().await {
        line.push('\n');
        if let Err(err) = output.write_all(line.as_bytes()).await {
            tracing::warn!("stopped writing to stdout: {err}");
            return;
        }
        if let Err(err) = output.flush().await {
            tracing::warn!("stopped writing to stdout: {err}");
            return;
        }
    }
}
