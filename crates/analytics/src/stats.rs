//! Counters shared by the clients and the background task, and their snapshot.

use std::sync::atomic::{AtomicU64, Ordering};

/// What happened to the events offered to a client so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AnalyticsStats {
    /// Events accepted into the queue.
    pub enqueued: u64,
    /// Events dropped because the queue was full or already shut down.
    pub dropped: u64,
    /// `codex_plugin_used` events skipped as repeats within their turn.
    pub deduplicated: u64,
    /// Events sent (2xx) or written to the capture file.
    pub delivered: u64,
    /// Events whose request failed for good (after retries, or a capture write failure).
    pub failed: u64,
    /// Events discarded because there was no `ChatGPT` login to send them with.
    pub skipped_without_auth: u64,
    /// Events still queued or in flight when the shutdown deadline passed, and not in the
    /// outbox.
    pub lost_at_shutdown: u64,
    /// Events of this process left in the outbox for a later delivery (the endpoint was down,
    /// or the shutdown deadline came first).
    pub deferred: u64,
    /// Events that earlier processes left in the outbox, delivered by this one.
    pub outbox_delivered: u64,
}

/// The live counters behind [`AnalyticsStats`].
#[derive(Debug, Default)]
pub(crate) struct StatsCounters {
    pub(crate) enqueued: AtomicU64,
    pub(crate) dropped: AtomicU64,
    pub(crate) deduplicated: AtomicU64,
    pub(crate) delivered: AtomicU64,
    pub(crate) failed: AtomicU64,
    pub(crate) skipped_without_auth: AtomicU64,
    pub(crate) lost_at_shutdown: AtomicU64,
    pub(crate) deferred: AtomicU64,
    pub(crate) outbox_delivered: AtomicU64,
}

impl StatsCounters {
    /// Adds `count` to `counter`, returning the new total.
    pub(crate) fn add(counter: &AtomicU64, count: u64) -> u64 {
        counter.fetch_add(count, Ordering::Relaxed) + count
    }

    pub(crate) fn snapshot(&self) -> AnalyticsStats {
        AnalyticsStats {
            enqueued: self.enqueued.load(Ordering::Relaxed),
            dropped: self.dropped.load(Ordering::Relaxed),
            deduplicated: self.deduplicated.load(Ordering::Relaxed),
            delivered: self.delivered.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
            skipped_without_auth: self.skipped_without_auth.load(Ordering::Relaxed),
            lost_at_shutdown: self.lost_at_shutdown.load(Ordering::Relaxed),
            deferred: self.deferred.load(Ordering::Relaxed),
            outbox_delivered: self.outbox_delivered.load(Ordering::Relaxed),
        }
    }
}
