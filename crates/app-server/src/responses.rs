//! One model request over the Responses API: `POST {base_url}/responses` with an SSE reply,
//! retried per the provider's `request_max_retries` (429, 5xx, connection failures) and
//! `stream_max_retries` (a stream that ends before `response.completed`, when no output was
//! delivered yet).

use std::time::Duration;

use berth_app_server_protocol::{CodexErrorInfo, TokenUsageBreakdown};
use futures_util::StreamExt;
use serde_json::Value;

use crate::provider::Provider;
use crate::sse::SseParser;

/// First backoff; doubled per retry, capped at [`MAX_BACKOFF`].
const INITIAL_BACKOFF: Duration = Duration::from_millis(200);
const MAX_BACKOFF: Duration = Duration::from_secs(10);
/// How much of an error body is kept in a message.
const MAX_ERROR_BODY: usize = 2048;

/// A finished model response.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Completed {
    pub(crate) usage: TokenUsageBreakdown,
    pub(crate) retries: u64,
}

/// Why a model request failed (after retries).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RequestFailure {
    pub(crate) message: String,
    pub(crate) info: CodexErrorInfo,
    pub(crate) http_status: Option<u16>,
}

/// What the stream delivers, in order, as it arrives.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum StreamEvent {
    /// `response.output_item.added`: an output item begins.
    ItemAdded(Value),
    /// `response.output_text.delta`: text appended to the output item `item_id`.
    TextDelta { item_id: String, delta: String },
    /// `response.output_item.done`: an output item is complete.
    ItemDone(Value),
}

/// Headers and body of a request.
pub(crate) struct ModelRequest {
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Value,
}

enum Attempt {
    Done(Completed),
    Retry(RequestFailure, Budget),
    Fail(RequestFailure),
}

/// Which retry budget a failure spends.
enum Budget {
    /// The request failed before a stream started (status 429/5xx, connection error).
    Request,
    /// The stream ended before `response.completed`.
    Stream,
}

/// Sends `request`, calling `on_event` with the output items and text deltas as they stream.
pub(crate) async fn send(
    http: &reqwest::Client,
    provider: &Provider,
    request: &ModelRequest,
    on_event: &mut (dyn FnMut(StreamEvent) + Send),
) -> Result<Completed, RequestFailure> {
    let mut request_retries = 0;
    let mut stream_retries = 0;
    loop {
        let mut delivered = false;
        let attempt = attempt(http, provider, request, &mut |event| {
            delivered = true;
            on_event(event);
        })
        .await;
        let (failure, budget_left) = match attempt {
            Attempt::Done(mut completed) => {
                completed.retries = request_retries + stream_retries;
                return Ok(completed);
            }
            // Output already shown to the client cannot be taken back by a retry.
            Attempt::Fail(failure) | Attempt::Retry(failure, _) if delivered => {
                return Err(failure);
            }
            Attempt::Fail(failure) => return Err(failure),
            Attempt::Retry(failure, Budget::Stream) => {
                let left = stream_retries < provider.stream_max_retries;
                stream_retries += 1;
                (failure, left)
            }
            Attempt::Retry(failure, Budget::Request) => {
                let left = request_retries < provider.request_max_retries;
                request_retries += 1;
                (failure, left)
            }
        };
        if !budget_left {
            return Err(failure);
        }
        let exponent = u32::try_from(request_retries + stream_retries).unwrap_or(u32::MAX);
        let backoff = INITIAL_BACKOFF
            .saturating_mul(2u32.saturating_pow(exponent.saturating_sub(1)))
            .min(MAX_BACKOFF);
        tracing::info!(
            message = failure.message,
            ?backoff,
            "retrying the model request"
        );
        tokio::time::sleep(backoff).await;
    }
}

async fn attempt(
    http: &reqwest::Client,
    provider: &Provider,
    request: &ModelRequest,
    on_event: &mut (dyn FnMut(StreamEvent) + Send),
) -> Attempt {
    let mut builder = http
        .post(provider.responses_url())
        .header("accept", "text/event-stream")
        .json(&request.body);
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    let response = match builder.send().await {
        Ok(response) => response,
        Err(err) => {
            return Attempt::Retry(disconnected(&err), Budget::Request);
        }
    };
    let status = response.status();
    if !status.is_success() {
        let code = status.as_u16();
        let body = response.text().await.unwrap_or_default();
        let body: String = body.chars().take(MAX_ERROR_BODY).collect();
        let failure = status_failure(code, &body);
        return if code == 429 || status.is_server_error() {
            Attempt::Retry(failure, Budget::Request)
        } else {
            Attempt::Fail(failure)
        };
    }
    let mut parser = SseParser::default();
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = match chunk {
            Ok(chunk) => chunk,
            Err(err) => {
                return Attempt::Retry(disconnected(&err), Budget::Stream);
            }
        };
        for event in parser.feed(&chunk) {
            let Ok(data) = serde_json::from_str::<Value>(&event.data) else {
                tracing::debug!(
                    event = event.event,
                    "skipping an SSE event whose data is not JSON"
                );
                continue;
            };
            let kind = data
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or(event.event.as_str());
            match kind {
                "response.completed" => {
                    return Attempt::Done(Completed {
                        usage: usage(data.pointer("/response/usage")),
                        retries: 0,
                    });
                }
                "response.failed" | "response.incomplete" | "error" => {
                    return Attempt::Fail(response_failure(&data));
                }
                _ => {
                    if let Some(event) = stream_event(kind, &data) {
                        on_event(event);
                    }
                }
            }
        }
    }
    Attempt::Retry(
        RequestFailure {
            message:
                "stream disconnected before completion: stream closed before response.completed"
                    .to_owned(),
            info: CodexErrorInfo::Other,
            http_status: None,
        },
        Budget::Stream,
    )
}

/// The [`StreamEvent`] an SSE event of type `kind` carries, if any.
fn stream_event(kind: &str, data: &Value) -> Option<StreamEvent> {
    match kind {
        "response.output_item.added" => Some(StreamEvent::ItemAdded(data.get("item")?.clone())),
        "response.output_text.delta" => {
            let text = |field: &str| data.get(field).and_then(Value::as_str).map(str::to_owned);
            Some(StreamEvent::TextDelta {
                item_id: text("item_id")?,
                delta: text("delta")?,
            })
        }
        "response.output_item.done" => Some(StreamEvent::ItemDone(data.get("item")?.clone())),
        _ => None,
    }
}

/// The connection or the stream broke before the response completed (retried).
fn disconnected(err: &reqwest::Error) -> RequestFailure {
    RequestFailure {
        message: format!(
            "stream disconnected before completion: {}",
            crate::error_code::chain_message(err)
        ),
        info: CodexErrorInfo::Other,
        http_status: None,
    }
}

fn status_failure(code: u16, body: &str) -> RequestFailure {
    let (message, info) = match code {
        500..=599 => (
            "We\u{2019}re currently experiencing high demand, which may cause temporary errors."
                .to_owned(),
            CodexErrorInfo::InternalServerError,
        ),
        401 => (
            format!("unexpected status 401 Unauthorized: {body}"),
            CodexErrorInfo::Unauthorized,
        ),
        400 => (
            format!("unexpected status 400 Bad Request: {body}"),
            CodexErrorInfo::BadRequest,
        ),
        429 => (
            format!("exceeded retry limit, last status: 429 Too Many Requests: {body}"),
            CodexErrorInfo::UsageLimitExceeded,
        ),
        _ => (
            format!("unexpected status {code}: {body}"),
            CodexErrorInfo::Other,
        ),
    };
    RequestFailure {
        message,
        info,
        http_status: Some(code),
    }
}

fn response_failure(data: &Value) -> RequestFailure {
    let error = data
        .pointer("/response/error")
        .or_else(|| data.get("error"))
        .unwrap_or(data);
    let message = error
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or("the model provider reported a failed response")
        .to_owned();
    let info = match error.get("code").and_then(Value::as_str) {
        Some("context_length_exceeded") => CodexErrorInfo::ContextWindowExceeded,
        Some("insufficient_quota" | "rate_limit_exceeded") => CodexErrorInfo::UsageLimitExceeded,
        Some("server_is_overloaded" | "slow_down") => CodexErrorInfo::ServerOverloaded,
        _ => CodexErrorInfo::Other,
    };
    RequestFailure {
        message,
        info,
        http_status: None,
    }
}

fn usage(usage: Option<&Value>) -> TokenUsageBreakdown {
    let Some(usage) = usage else {
        return TokenUsageBreakdown::default();
    };
    let count = |pointer: &str| usage.pointer(pointer).and_then(Value::as_i64).unwrap_or(0);
    TokenUsageBreakdown {
        total_tokens: count("/total_tokens"),
        input_tokens: count("/input_tokens"),
        cached_input_tokens: count("/input_tokens_details/cached_tokens"),
        cache_write_input_tokens: 0,
        output_tokens: count("/output_tokens"),
        reasoning_output_tokens: count("/output_tokens_details/reasoning_tokens"),
    }
}
