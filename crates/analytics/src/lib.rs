//! Plugin analytics for berth: typed wire events ([`TrackEventsRequest`]), a cloneable
//! [`AnalyticsClient`] that implements [`berth_plugin::PluginEventSink`] over a bounded
//! queue, and a background task that batches events and delivers them to the `ChatGPT`
//! backend (or, in debug builds, to a JSONL capture file), stopped by [`AnalyticsHandle`].
//!
//! Delivery is at least once within bounds: each batch goes through a durable outbox in the
//! Codex home ([`OUTBOX_DIR`]) under an `Idempotency-Key`, so a batch the endpoint did not
//! answer is sent again by a later process; a full queue or outbox drops events and counts
//! them; nothing is sent without a `ChatGPT` login in `$CODEX_HOME/auth.json`.

mod batch;
#[cfg(debug_assertions)]
mod capture;
mod client;
mod delivery;
mod destination;
mod events;
mod handle;
mod http;
mod outbox;
mod settings;
mod stats;
mod worker;

pub use client::AnalyticsClient;
pub use destination::AnalyticsDestination;
pub use events::{
    CodexPluginEventRequest, CodexPluginMetadata, CodexPluginUsedEventRequest,
    CodexPluginUsedMetadata, PLUGIN_USED_EVENT_TYPE, TrackEventRequest, TrackEventsRequest,
};
pub use handle::{AnalyticsHandle, ShutdownReport};
pub use http::IDEMPOTENCY_KEY_HEADER;
pub use outbox::{DROPPED_FILE, OUTBOX_DIR, OutboxDropped, OutboxLimits, outbox_dropped};
pub use settings::{
    ANALYTICS_EVENTS_CAPTURE_FILE_ENV_VAR, ANALYTICS_EVENTS_PATH, AnalyticsSettings, BatchLimits,
    DEFAULT_CHATGPT_BASE_URL, DEFAULT_QUEUE_CAPACITY, DEFAULT_REQUEST_TIMEOUT,
    DO_NOT_TRACK_ENV_VAR, PLUGIN_USED_DEDUPE_MAX_KEYS, RetryPolicy, capture_file_from_env,
    capture_file_from_value, do_not_track_from_env, events_url, is_do_not_track_value, user_agent,
};
pub use stats::AnalyticsStats;

/// Creates the debug-build capture file named by `value` (mode 0600, never truncated, parent
/// folders not created) so a tool waiting for it sees it as soon as the process starts, before
/// any client is started. Release builds ignore it, as they ignore capture altogether. Returns
/// the file when one was created or already there.
pub fn initialize_capture_file(value: Option<std::ffi::OsString>) -> Option<std::path::PathBuf> {
    #[cfg(debug_assertions)]
    {
        let path = capture_file_from_value(value)?;
        if let Err(err) = capture::initialize(&path) {
            tracing::error!(
                path = %path.display(),
                "failed to initialize analytics event capture; network delivery remains disabled: {err}"
            );
            return None;
        }
        Some(path)
    }
    #[cfg(not(debug_assertions))]
    {
        let _ = value;
        None
    }
}
