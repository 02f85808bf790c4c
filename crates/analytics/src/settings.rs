//! What the caller configures: opt-out, endpoint, identity headers, queue, batch and retry
//! limits. The caller reads config.toml and the environment; this crate only reads
//! `auth.json` (lazily, in the background) and, in debug builds, the capture variable.

use std::ffi::OsStr;
use std::path::PathBuf;
use std::time::Duration;

use crate::outbox::OutboxLimits;

/// Default `chatgpt_base_url`.
pub const DEFAULT_CHATGPT_BASE_URL: &str = "https://chatgpt.com/backend-api";
/// Path of the events endpoint under the base URL.
pub const ANALYTICS_EVENTS_PATH: &str = "/codex/analytics-events/events";
/// Environment variable that turns collection off when set to `1` (or `true`).
pub const DO_NOT_TRACK_ENV_VAR: &str = "DO_NOT_TRACK";
/// Environment variable naming the debug-only JSONL capture file.
pub const ANALYTICS_EVENTS_CAPTURE_FILE_ENV_VAR: &str = "CODEX_ANALYTICS_EVENTS_CAPTURE_FILE";

/// Default number of events the queue holds before new ones are dropped.
pub const DEFAULT_QUEUE_CAPACITY: usize = 1024;
/// Default per-request timeout.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Size of the `codex_plugin_used` de-duplication set; it is cleared when full.
pub const PLUGIN_USED_DEDUPE_MAX_KEYS: usize = 4096;

/// When a batch is sent: whichever limit is reached first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchLimits {
    /// Most events in one request.
    pub max_events: usize,
    /// Most body bytes in one request (a single larger event is still sent, alone).
    pub max_bytes: usize,
    /// Longest time the first event of a batch waits for more.
    pub max_delay: Duration,
}

impl Default for BatchLimits {
    fn default() -> Self {
        Self {
            max_events: 50,
            max_bytes: 256 * 1024,
            max_delay: Duration::from_millis(200),
        }
    }
}

/// Retries of a failed request: only 429, 5xx and transport errors are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries per batch, the first included (at least 1).
    pub max_attempts: u32,
    /// Backoff before the second try; it doubles on each further try.
    pub initial_backoff: Duration,
    /// Longest backoff, and longest `Retry-After` honoured.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
        }
    }
}

/// Everything [`crate::AnalyticsClient`] needs, filled in by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalyticsSettings {
    /// `[analytics] enabled` from config.toml; `None` and `Some(true)` both collect.
    pub enabled: Option<bool>,
    /// Whether `DO_NOT_TRACK` asks for no collection (see [`do_not_track_from_env`]).
    pub do_not_track: bool,
    /// `chatgpt_base_url`; trailing `/` are trimmed.
    pub base_url: String,
    /// `$CODEX_HOME`, whose `auth.json` is read in the background before each delivery.
    pub codex_home: PathBuf,
    /// Sent as `product_client_id` and in the `originator` header (e.g. `codex_cli_rs`).
    pub originator: String,
    /// Sent as `User-Agent`.
    pub user_agent: String,
    /// Debug-only JSONL capture file (see [`capture_file_from_env`]); ignored in release.
    pub capture_file: Option<PathBuf>,
    /// Events held before new ones are dropped.
    pub queue_capacity: usize,
    /// When batches are sent.
    pub batch: BatchLimits,
    /// How failed requests are retried.
    pub retry: RetryPolicy,
    /// Timeout of one HTTP request.
    pub request_timeout: Duration,
    /// Bounds of the outbox in the Codex home that keeps undelivered batches for a later
    /// process; `None` keeps batches in memory only.
    pub outbox: Option<OutboxLimits>,
}

impl AnalyticsSettings {
    /// Settings with the defaults for everything but the Codex home and client identity.
    pub fn new(
        codex_home: impl Into<PathBuf>,
        originator: impl Into<String>,
        user_agent: impl Into<String>,
    ) -> Self {
        Self {
            enabled: None,
            do_not_track: false,
            base_url: DEFAULT_CHATGPT_BASE_URL.to_owned(),
            codex_home: codex_home.into(),
            originator: originator.into(),
            user_agent: user_agent.into(),
            capture_file: None,
            queue_capacity: DEFAULT_QUEUE_CAPACITY,
            batch: BatchLimits::default(),
            retry: RetryPolicy::default(),
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            outbox: Some(OutboxLimits::default()),
        }
    }

    /// Whether events are collected at all: not opted out in config nor by `DO_NOT_TRACK`.
    pub fn is_collection_enabled(&self) -> bool {
        self.enabled != Some(false) && !self.do_not_track
    }

    /// `POST` target: the base URL without trailing `/`, then [`ANALYTICS_EVENTS_PATH`].
    pub fn events_url(&self) -> String {
        events_url(&self.base_url)
    }
}

/// The events endpoint under `base_url` (trailing `/` trimmed).
pub fn events_url(base_url: &str) -> String {
    format!("{}{ANALYTICS_EVENTS_PATH}", base_url.trim_end_matches('/'))
}

/// A `User-Agent` of the form `{originator}/{version} ({os}; {arch})`.
pub fn user_agent(originator: &str, version: &str) -> String {
    format!(
        "{originator}/{version} ({}; {})",
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}

/// Whether a `DO_NOT_TRACK` value asks for no collection: `1` or `true` (any case).
pub fn is_do_not_track_value(value: &OsStr) -> bool {
    value
        .to_str()
        .map(str::trim)
        .is_some_and(|value| value == "1" || value.eq_ignore_ascii_case("true"))
}

/// Reads `DO_NOT_TRACK` from the process environment.
pub fn do_not_track_from_env() -> bool {
    std::env::var_os(DO_NOT_TRACK_ENV_VAR).is_some_and(|value| is_do_not_track_value(&value))
}

/// The capture file named by `CODEX_ANALYTICS_EVENTS_CAPTURE_FILE`, in debug builds only;
/// an empty value is ignored. Release builds never read the variable and return `None`.
pub fn capture_file_from_env() -> Option<PathBuf> {
    #[cfg(debug_assertions)]
    {
        capture_file_from_value(std::env::var_os(ANALYTICS_EVENTS_CAPTURE_FILE_ENV_VAR))
    }
    #[cfg(not(debug_assertions))]
    {
        None
    }
}

/// The capture file for a value of `CODEX_ANALYTICS_EVENTS_CAPTURE_FILE`: `None` for an
/// absent or empty value. Release builds always return `None`.
pub fn capture_file_from_value(value: Option<std::ffi::OsString>) -> Option<PathBuf> {
    if cfg!(debug_assertions) {
        value.filter(|value| !value.is_empty()).map(PathBuf::from)
    } else {
        None
    }
}

#[cfg(test)]
#[path = "settings_tests.rs"]
mod tests;
