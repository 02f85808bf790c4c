//! [`AnalyticsClient`], the cheap, cloneable front of the pipeline: it de-duplicates
//! `codex_plugin_used`, then hands events to the bounded queue without ever waiting.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use berth_plugin::{PluginEvent, PluginEventSink};
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TrySendError;

use crate::settings::PLUGIN_USED_DEDUPE_MAX_KEYS;
use crate::stats::{AnalyticsStats, StatsCounters};

/// Shortest time between two "queue is full" warnings.
const DROP_WARNING_INTERVAL: Duration = Duration::from_secs(10);

/// What travels through the queue; conversion to wire JSON happens in the background.
#[derive(Debug)]
pub(crate) enum QueuedEvent {
    /// A plugin lifecycle event.
    Plugin(PluginEvent),
    /// A pre-built wire event.
    Raw(serde_json::Value),
}

/// Enqueues analytics events; clones share one queue and one background task.
///
/// Every method returns at once: a full queue drops the event and counts it. Build one
/// with [`AnalyticsClient::start`], or [`AnalyticsClient::disabled`] for a no-op client.
#[derive(Debug, Clone, Default)]
pub struct AnalyticsClient {
    inner: Option<Arc<ClientInner>>,
}

#[derive(Debug)]
struct ClientInner {
    sender: mpsc::Sender<QueuedEvent>,
    stats: Arc<StatsCounters>,
    plugin_used_keys: Mutex<HashSet<(String, String)>>,
    created: Instant,
    /// Milliseconds after `created` of the last drop warning, plus one (0 = never).
    last_drop_warning: AtomicU64,
}

impl AnalyticsClient {
    /// A client that records nothing.
    pub fn disabled() -> Self {
        Self { inner: None }
    }

    pub(crate) fn with_queue(sender: mpsc::Sender<QueuedEvent>, stats: Arc<StatsCounters>) -> Self {
        Self {
            inner: Some(Arc::new(ClientInner {
                sender,
                stats,
                plugin_used_keys: Mutex::new(HashSet::new()),
                created: Instant::now(),
                last_drop_warning: AtomicU64::new(0),
            })),
        }
    }

    /// Whether events are collected (false for a disabled or opted-out client).
    pub fn is_enabled(&self) -> bool {
        self.inner.is_some()
    }

    /// Counters so far; all zero for a disabled client.
    pub fn stats(&self) -> AnalyticsStats {
        self.inner
            .as_ref()
            .map(|inner| inner.stats.snapshot())
            .unwrap_or_default()
    }

    /// Enqueues a plugin event. `codex_plugin_used` is enqueued at most once per
    /// (turn, plugin) while the key is remembered (see [`PLUGIN_USED_DEDUPE_MAX_KEYS`]).
    pub fn track_plugin_event(&self, event: PluginEvent) {
        let Some(inner) = &self.inner else {
            return;
        };
        if let PluginEvent::Used { metadata, context } = &event
            && !inner.is_first_plugin_use(&context.turn_id, metadata.plugin_id.as_key())
        {
            StatsCounters::add(&inner.stats.deduplicated, 1);
            return;
        }
        inner.enqueue(QueuedEvent::Plugin(event));
    }

    /// Enqueues a pre-built event (an object with `event_type` and `event_params`), sent
    /// as is. For event kinds this crate has no type for yet.
    pub fn track_raw_event(&self, event: serde_json::Value) {
        if let Some(inner) = &self.inner {
            inner.enqueue(QueuedEvent::Raw(event));
        }
    }
}

impl ClientInner {
    fn enqueue(&self, event: QueuedEvent) {
        match self.sender.try_send(event) {
            Ok(()) => {
                StatsCounters::add(&self.stats.enqueued, 1);
            }
            Err(TrySendError::Full(_) | TrySendError::Closed(_)) => {
                let dropped = StatsCounters::add(&self.stats.dropped, 1);
                self.warn_dropped(dropped);
            }
        }
    }

    /// Logs the drop count at most once per [`DROP_WARNING_INTERVAL`].
    fn warn_dropped(&self, dropped: u64) {
        let now = u64::try_from(self.created.elapsed().as_millis())
            .unwrap_or(u64::MAX)
            .saturating_add(1);
        let last = self.last_drop_warning.load(Ordering::Relaxed);
        let interval = u64::try_from(DROP_WARNING_INTERVAL.as_millis()).unwrap_or(u64::MAX);
        if last != 0 && now.saturating_sub(last) < interval {
            return;
        }
        if self
            .last_drop_warning
            .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
        {
            tracing::warn!(
                dropped_total = dropped,
                "dropping analytics events: queue is full"
            );
        }
    }

    /// Records (turn, plugin) and says whether it is new. The set is cleared when full.
    fn is_first_plugin_use(&self, turn_id: &str, plugin_key: String) -> bool {
        let mut keys = self
            .plugin_used_keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if keys.len() >= PLUGIN_USED_DEDUPE_MAX_KEYS {
            keys.clear();
        }
        keys.insert((turn_id.to_owned(), plugin_key))
    }
}

impl PluginEventSink for AnalyticsClient {
    fn record(&self, event: PluginEvent) {
        self.track_plugin_event(event);
    }
}

#[cfg(test)]
#[path = "client_tests.rs"]
mod tests;
