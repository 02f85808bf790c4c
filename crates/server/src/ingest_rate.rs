//! [`IngestRate`]: per-account token buckets that bound how fast one account may send analytics
//! bytes (a sustained rate with a burst), answered 429 with the wait before a retry would pass.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Accounts tracked before idle (full) buckets are forgotten.
const TRACKED_ACCOUNTS: usize = 10_000;

/// The buckets of every account that sent analytics recently.
#[derive(Debug)]
pub(crate) struct IngestRate {
    bytes_per_second: f64,
    burst: f64,
    buckets: Mutex<HashMap<String, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl IngestRate {
    /// Buckets refilling at `bytes_per_second`, holding at most `burst` bytes.
    pub(crate) fn new(bytes_per_second: u64, burst: u64) -> Self {
        #[expect(clippy::cast_precision_loss, reason = "byte rates far below 2^52")]
        Self {
            bytes_per_second: (bytes_per_second.max(1)) as f64,
            burst: (burst.max(1)) as f64,
            buckets: Mutex::default(),
        }
    }

    /// Takes `bytes` from `account`'s bucket, or says how long until they would be there.
    pub(crate) fn take(&self, account: &str, bytes: u64) -> Result<(), Duration> {
        #[expect(clippy::cast_precision_loss, reason = "request sizes far below 2^52")]
        let wanted = (bytes as f64).min(self.burst);
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        if buckets.len() >= TRACKED_ACCOUNTS && !buckets.contains_key(account) {
            let (rate, burst) = (self.bytes_per_second, self.burst);
            buckets.retain(|_, bucket| refilled(*bucket, now, rate, burst) < burst);
        }
        let bucket = buckets.entry(account.to_owned()).or_insert(Bucket {
            tokens: self.burst,
            at: now,
        });
        let tokens = refilled(*bucket, now, self.bytes_per_second, self.burst);
        if tokens >= wanted {
            *bucket = Bucket {
                tokens: tokens - wanted,
                at: now,
            };
            Ok(())
        } else {
            *bucket = Bucket { tokens, at: now };
            Err(Duration::from_secs_f64(
                (wanted - tokens) / self.bytes_per_second,
            ))
        }
    }
}

fn refilled(bucket: Bucket, now: Instant, rate: f64, burst: f64) -> f64 {
    let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
    (bucket.tokens + elapsed * rate).min(burst)
}

#[cfg(test)]
#[path = "ingest_rate_tests.rs"]
mod tests;
