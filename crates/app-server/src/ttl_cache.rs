//! [`TtlCache`]: one value fetched on demand and kept for a time-to-live, single flight
//! (concurrent callers wait for one fetch), keyed (a different key is a miss) and invalidated
//! by the server's own changes. `plugin/installed` and `plugin/list` keep the plugin service's
//! installed list in one (spec §3.3: "an in-memory cache ... populated on demand").

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

/// How long the service's installed list is reused.
pub(crate) const INSTALLED_TTL: Duration = Duration::from_secs(30);

struct Slot<T> {
    key: String,
    fetched_at: Instant,
    generation: u64,
    value: Arc<T>,
}

/// A cached value; see the module docs.
pub(crate) struct TtlCache<T> {
    ttl: Duration,
    generation: AtomicU64,
    slot: Mutex<Option<Slot<T>>>,
}

impl<T> TtlCache<T> {
    pub(crate) fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            generation: AtomicU64::new(0),
            slot: Mutex::new(None),
        }
    }

    /// Forgets the value; a fetch already running when this is called is not reused either.
    pub(crate) fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// The value for `key` if it was fetched less than the TTL before `now` and not
    /// invalidated since; otherwise runs `fetch` (one caller at a time) and keeps its success.
    pub(crate) async fn get_or_try_fetch<E>(
        &self,
        key: &str,
        now: Instant,
        fetch: impl Future<Output = Result<T, E>>,
    ) -> Result<Arc<T>, E> {
        let mut slot = self.slot.lock().await;
        let generation = self.generation.load(Ordering::SeqCst);
        if let Some(cached) = slot.as_ref().filter(|cached| {
            cached.key == key
                && cached.generation == generation
                && now.saturating_duration_since(cached.fetched_at) < self.ttl
        }) {
            return Ok(Arc::clone(&cached.value));
        }
        let value = Arc::new(fetch.await?);
        *slot = Some(Slot {
            key: key.to_owned(),
            fetched_at: now,
            generation,
            value: Arc::clone(&value),
        });
        Ok(value)
    }
}

#[cfg(test)]
#[path = "ttl_cache_tests.rs"]
mod tests;
