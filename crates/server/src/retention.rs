//! Retention: a background task that deletes raw analytics events older than the configured
//! number of days, in short transactions of bounded size so ingest and installs never wait long.

use std::time::Duration;

use crate::db::{Db, now_unix};
use crate::events::PRUNE_BATCH_ROWS;

/// How often retention runs (also once at start).
pub const PRUNE_INTERVAL: Duration = Duration::from_secs(3600);
/// Pause between two pruning transactions, leaving the write lock to other writers.
const PRUNE_PAUSE: Duration = Duration::from_millis(20);

/// Prunes now and then every [`PRUNE_INTERVAL`]; `retention_days` 0 keeps events for ever
/// (expired idempotency keys and daily volumes are still pruned).
pub(crate) async fn prune_periodically(db: Db, retention_days: u32) {
    let mut interval = tokio::time::interval(PRUNE_INTERVAL);
    loop {
        interval.tick().await;
        if let Err(err) = prune(&db, retention_days).await {
            tracing::warn!(error = %err, "pruning old analytics events failed; will retry");
        }
    }
}

/// Deletes every event older than `retention_days`, a batch at a time; returns how many.
pub async fn prune(db: &Db, retention_days: u32) -> Result<u64, crate::error::StoreError> {
    let cutoff = if retention_days == 0 {
        i64::MIN
    } else {
        now_unix() - i64::from(retention_days) * 24 * 3600
    };
    let mut total = 0;
    loop {
        let deleted = db.prune_events(cutoff).await?;
        total += deleted;
        if deleted < u64::from(PRUNE_BATCH_ROWS) {
            if total > 0 {
                tracing::info!(
                    deleted = total,
                    retention_days,
                    "pruned old analytics events"
                );
            }
            return Ok(total);
        }
        tokio::time::sleep(PRUNE_PAUSE).await;
    }
}
