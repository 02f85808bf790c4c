//! HTTP delivery of one batch: headers from the `ChatGPT` login, the batch's
//! `Idempotency-Key`, a per-request timeout, and bounded retries of 429, 5xx and transport
//! errors with jittered exponential backoff that honours `Retry-After`. A failure is one
//! debug line: the outbox keeps the batch for later, so it is not worth a warning.

use std::time::Duration;

use rand::Rng as _;
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, RETRY_AFTER};

use crate::settings::RetryPolicy;

/// Longest part of an error response body kept in a log line.
const MAX_LOGGED_BODY_CHARS: usize = 512;

/// Credentials for one request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RequestAuth<'a> {
    pub(crate) access_token: &'a str,
    pub(crate) account_id: Option<&'a str>,
}

/// The header naming a batch, so a service stores a resent batch once.
pub const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";

/// How a batch ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HttpOutcome {
    /// The endpoint accepted it (2xx).
    Delivered,
    /// The endpoint refused it for good (4xx other than 429); sending it again cannot help.
    Rejected,
    /// The endpoint could not be reached or kept failing; worth another try later.
    Unreachable,
}

/// Sends batches to one URL.
#[derive(Debug, Clone)]
pub(crate) struct HttpSender {
    client: reqwest::Client,
    url: String,
    retry: RetryPolicy,
}

impl HttpSender {
    /// Builds the HTTP client; `None` (logged) if it cannot be built.
    pub(crate) fn new(
        url: String,
        originator: &str,
        user_agent: &str,
        timeout: Duration,
        retry: RetryPolicy,
    ) -> Option<Self> {
        let mut headers = HeaderMap::new();
        match HeaderValue::from_str(originator) {
            Ok(value) => {
                headers.insert("originator", value);
            }
            Err(err) => tracing::warn!("analytics originator is not a valid header value: {err}"),
        }
        let client = berth_http::client_builder()
            .timeout(timeout)
            .user_agent(user_agent)
            .default_headers(headers)
            .build();
        match client {
            Ok(client) => Some(Self { client, url, retry }),
            Err(err) => {
                tracing::warn!("analytics disabled: could not build the HTTP client: {err}");
                None
            }
        }
    }

    /// The events URL.
    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// Posts `body` as batch `id`, retrying as the policy allows (every try carries the same
    /// id).
    pub(crate) async fn send(&self, body: &[u8], auth: RequestAuth<'_>, id: &str) -> HttpOutcome {
        let max_attempts = self.retry.max_attempts.max(1);
        for attempt in 1..=max_attempts {
            let retry_after = match self.send_once(body, auth, id).await {
                Attempt::Delivered => return HttpOutcome::Delivered,
                Attempt::Fatal => return HttpOutcome::Rejected,
                Attempt::Retryable { retry_after } => retry_after,
            };
            if attempt == max_attempts {
                return HttpOutcome::Unreachable;
            }
            tokio::time::sleep(backoff(&self.retry, attempt, retry_after)).await;
        }
        HttpOutcome::Unreachable
    }

    async fn send_once(&self, body: &[u8], auth: RequestAuth<'_>, id: &str) -> Attempt {
        let mut request = self
            .client
            .post(&self.url)
            .header(CONTENT_TYPE, "application/json")
            .header(AUTHORIZATION, format!("Bearer {}", auth.access_token))
            .header(IDEMPOTENCY_KEY_HEADER, id)
            .body(body.to_vec());
        if let Some(account_id) = auth.account_id {
            request = request.header("chatgpt-account-id", account_id);
        }
        let response = match request.send().await {
            Ok(response) => response,
            Err(err) if err.is_builder() => {
                tracing::debug!("failed to build analytics events request: {err}");
                return Attempt::Fatal;
            }
            Err(err) => {
                tracing::debug!(url = %self.url, "analytics events not delivered: {err}");
                return Attempt::Retryable { retry_after: None };
            }
        };
        let status = response.status();
        if status.is_success() {
            return Attempt::Delivered;
        }
        let retry_after = retry_after_seconds(response.headers());
        let text = response.text().await.unwrap_or_default();
        let text: String = text.chars().take(MAX_LOGGED_BODY_CHARS).collect();
        tracing::debug!(url = %self.url, "analytics events not delivered: status {status}: {text}");
        if is_retryable(status) {
            Attempt::Retryable { retry_after }
        } else {
            Attempt::Fatal
        }
    }
}

enum Attempt {
    Delivered,
    Retryable { retry_after: Option<Duration> },
    Fatal,
}

/// Only 429 and 5xx are worth another try.
pub(crate) fn is_retryable(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
}

/// `Retry-After` as a number of seconds (HTTP dates are ignored).
pub(crate) fn retry_after_seconds(headers: &HeaderMap) -> Option<Duration> {
    let seconds = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()?;
    Some(Duration::from_secs(seconds))
}

/// Wait before the try after `attempt` (1-based): `Retry-After` when given, else
/// `initial * 2^(attempt-1)` with equal jitter; both capped at `max_backoff`.
pub(crate) fn backoff(
    policy: &RetryPolicy,
    attempt: u32,
    retry_after: Option<Duration>,
) -> Duration {
    if let Some(retry_after) = retry_after {
        return retry_after.min(policy.max_backoff);
    }
    let exponent = attempt.saturating_sub(1).min(16);
    let base = policy
        .initial_backoff
        .saturating_mul(1 << exponent)
        .min(policy.max_backoff);
    let half = base / 2;
    half + half.mul_f64(rand::rng().random::<f64>())
}

#[cfg(test)]
#[path = "http_tests.rs"]
mod tests;
