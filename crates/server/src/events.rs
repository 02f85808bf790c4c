//! Analytics event storage: ingest (one write transaction per request: the batch's idempotency
//! key, the account's daily volume, then the events in multi-row inserts), keyset-paged listing
//! with filters, and retention pruning in bounded batches.

use std::fmt::Write as _;
use std::time::Duration;

use sqlx::Row as _;
use sqlx::any::AnyRow;

use crate::db::{Db, WriteTx, now_unix, query_error};
use crate::error::StoreError;

/// Events per `INSERT` statement (six parameters each, well under every backend's limit).
const EVENTS_PER_STATEMENT: usize = 100;
/// Rows deleted per retention transaction, so pruning never holds the write lock for long.
pub const PRUNE_BATCH_ROWS: u32 = 5_000;
/// How long a batch's idempotency key is remembered: a client resending an undelivered batch
/// later than this stores it again.
pub const BATCH_KEY_RETENTION: Duration = Duration::from_secs(30 * 24 * 3600);
const SECONDS_PER_DAY: i64 = 24 * 3600;

/// An analytics event as stored.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StoredEvent {
    /// Insertion order.
    pub id: i64,
    /// Unix seconds when the server received it.
    pub received_at: i64,
    /// The sending account.
    pub account_id: String,
    /// `event_type`.
    pub event_type: String,
    /// `event_params` (a JSON object).
    pub event_params: serde_json::Value,
}

/// Which stored events to list; every field set narrows the list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    /// Received at or after this Unix second.
    pub since: Option<i64>,
    /// Of this `event_type`.
    pub event_type: Option<String>,
    /// About this plugin: its local `plugin_id` or its backend `remote_plugin_id`.
    pub plugin: Option<String>,
    /// Sent by this account.
    pub account: Option<String>,
}

/// One analytics request to store.
#[derive(Debug, Clone, Copy)]
pub struct IngestBatch<'a> {
    /// The sending account.
    pub account_id: &'a str,
    /// The client's `Idempotency-Key`: a batch stored once is not stored again.
    pub batch_key: Option<&'a str>,
    /// `(event_type, event_params)` pairs.
    pub events: &'a [(String, serde_json::Value)],
    /// The request body's size, counted against the daily volume.
    pub bytes: u64,
}

/// What ingest did with a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ingested {
    /// The events were stored.
    Stored,
    /// A batch with this idempotency key was stored before; nothing was stored again.
    Duplicate,
    /// The account's daily volume would be exceeded; nothing was stored. Retry after this long
    /// (the start of the next UTC day).
    OverDailyVolume(Duration),
}

fn plugin_column(params: &serde_json::Value, key: &str) -> Option<String> {
    params.get(key)?.as_str().map(str::to_owned)
}

fn decode_event(row: &AnyRow) -> Result<StoredEvent, StoreError> {
    let action = "listing analytics events";
    let id: i64 = row.try_get("id").map_err(query_error(action))?;
    let params: String = row.try_get("event_params").map_err(query_error(action))?;
    Ok(StoredEvent {
        id,
        received_at: row.try_get("received_at").map_err(query_error(action))?,
        account_id: row.try_get("account_id").map_err(query_error(action))?,
        event_type: row.try_get("event_type").map_err(query_error(action))?,
        event_params: serde_json::from_str(&params).map_err(|source| StoreError::Corrupt {
            id: format!("event {id}"),
            what: "event_params",
            source,
        })?,
    })
}

impl Db {
    /// Stores one analytics request in one transaction, unless its idempotency key was stored
    /// before or it would take the account past `daily_bytes` today.
    pub async fn ingest_events(
        &self,
        batch: IngestBatch<'_>,
        daily_bytes: u64,
    ) -> Result<Ingested, StoreError> {
        let action = "storing analytics events";
        let now = now_unix();
        let mut tx = self.begin_write(action).await?;
        if let Some(key) = batch.batch_key {
            let fresh = sqlx::query(
                "INSERT INTO analytics_batches (account_id, batch_key, received_at) \
                 VALUES ($1, $2, $3) ON CONFLICT (account_id, batch_key) DO NOTHING",
            )
            .bind(batch.account_id)
            .bind(key)
            .bind(now)
            .execute(tx.conn())
            .await
            .map_err(query_error(action))?
            .rows_affected()
                > 0;
            if !fresh {
                return Ok(Ingested::Duplicate);
            }
        }
        let day = now.div_euclid(SECONDS_PER_DAY);
        let used: i64 = sqlx::query(
            "INSERT INTO analytics_usage (account_id, day, events, bytes) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (account_id, day) DO UPDATE SET \
               events = analytics_usage.events + excluded.events, \
               bytes = analytics_usage.bytes + excluded.bytes \
             RETURNING bytes",
        )
        .bind(batch.account_id)
        .bind(day)
        .bind(i64::try_from(batch.events.len()).unwrap_or(i64::MAX))
        .bind(i64::try_from(batch.bytes).unwrap_or(i64::MAX))
        .fetch_one(tx.conn())
        .await
        .and_then(|row| row.try_get("bytes"))
        .map_err(query_error(action))?;
        if u64::try_from(used).unwrap_or(u64::MAX) > daily_bytes {
            let next_day = (day + 1) * SECONDS_PER_DAY;
            let wait = u64::try_from(next_day - now).unwrap_or(1).max(1);
            return Ok(Ingested::OverDailyVolume(Duration::from_secs(wait)));
        }
        for chunk in batch.events.chunks(EVENTS_PER_STATEMENT) {
            insert_chunk(&mut tx, action, now, batch.account_id, chunk).await?;
        }
        tx.commit().await?;
        Ok(Ingested::Stored)
    }

    /// Stores events for `account_id` with no key and no volume limit (tests, tools).
    pub async fn insert_events(
        &self,
        account_id: &str,
        events: &[(String, serde_json::Value)],
    ) -> Result<(), StoreError> {
        let batch = IngestBatch {
            account_id,
            batch_key: None,
            events,
            bytes: 0,
        };
        self.ingest_events(batch, u64::MAX).await.map(|_| ())
    }

    /// Up to `limit` events matching `filter` with ids after `after`, oldest first. Page by
    /// passing the last id back.
    pub async fn events_page(
        &self,
        filter: &EventFilter,
        after: i64,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let mut sql = String::from(
            "SELECT id, received_at, account_id, event_type, event_params \
             FROM analytics_events WHERE id > $1",
        );
        let mut next = 2;
        let mut condition = |sql: &mut String, clause: &str| {
            sql.push_str(&clause.replace('?', &format!("${next}")));
            next += 1;
        };
        if filter.since.is_some() {
            condition(&mut sql, " AND received_at >= ?");
        }
        if filter.event_type.is_some() {
            condition(&mut sql, " AND event_type = ?");
        }
        if filter.account.is_some() {
            condition(&mut sql, " AND account_id = ?");
        }
        if filter.plugin.is_some() {
            condition(&mut sql, " AND (plugin_id = ? OR remote_plugin_id = ?)");
        }
        condition(&mut sql, " ORDER BY id LIMIT ?");
        let mut query = sqlx::query(&sql).bind(after);
        if let Some(since) = filter.since {
            query = query.bind(since);
        }
        if let Some(event_type) = &filter.event_type {
            query = query.bind(event_type.as_str());
        }
        if let Some(account) = &filter.account {
            query = query.bind(account.as_str());
        }
        if let Some(plugin) = &filter.plugin {
            query = query.bind(plugin.as_str());
        }
        let rows = query
            .bind(i64::from(limit))
            .fetch_all(&self.reads)
            .await
            .map_err(query_error("listing analytics events"))?;
        rows.iter().map(decode_event).collect()
    }

    /// Every stored analytics event, oldest first (read a page at a time).
    pub async fn events(&self) -> Result<Vec<StoredEvent>, StoreError> {
        let filter = EventFilter::default();
        let mut all = Vec::new();
        loop {
            let page = self
                .events_page(&filter, all.last().map_or(0, |e: &StoredEvent| e.id), 1000)
                .await?;
            if page.is_empty() {
                return Ok(all);
            }
            all.extend(page);
        }
    }

    /// Deletes up to [`PRUNE_BATCH_ROWS`] events received before `cutoff` (Unix seconds), with
    /// the idempotency keys and daily volumes that have expired, in one short transaction.
    /// Returns the number of events deleted; call again until it is below the batch size.
    pub async fn prune_events(&self, cutoff: i64) -> Result<u64, StoreError> {
        let action = "pruning analytics events";
        let mut tx = self.begin_write(action).await?;
        let deleted = sqlx::query(
            "DELETE FROM analytics_events WHERE id IN \
               (SELECT id FROM analytics_events WHERE received_at < $1 ORDER BY id LIMIT $2)",
        )
        .bind(cutoff)
        .bind(i64::from(PRUNE_BATCH_ROWS))
        .execute(tx.conn())
        .await
        .map_err(query_error(action))?
        .rows_affected();
        let key_cutoff =
            now_unix() - i64::try_from(BATCH_KEY_RETENTION.as_secs()).unwrap_or(i64::MAX);
        sqlx::query("DELETE FROM analytics_batches WHERE received_at < $1")
            .bind(key_cutoff)
            .execute(tx.conn())
            .await
            .map_err(query_error(action))?;
        sqlx::query("DELETE FROM analytics_usage WHERE day < $1")
            .bind(now_unix().div_euclid(SECONDS_PER_DAY) - 1)
            .execute(tx.conn())
            .await
            .map_err(query_error(action))?;
        tx.commit().await?;
        Ok(deleted)
    }
}

async fn insert_chunk(
    tx: &mut WriteTx,
    action: &'static str,
    now: i64,
    account_id: &str,
    chunk: &[(String, serde_json::Value)],
) -> Result<(), StoreError> {
    let mut sql = String::from(
        "INSERT INTO analytics_events \
           (received_at, account_id, event_type, event_params, plugin_id, remote_plugin_id) VALUES ",
    );
    for index in 0..chunk.len() {
        let base = index * 6;
        let separator = if index > 0 { ", " } else { "" };
        let _ = write!(
            sql,
            "{separator}(${}, ${}, ${}, ${}, ${}, ${})",
            base + 1,
            base + 2,
            base + 3,
            base + 4,
            base + 5,
            base + 6
        );
    }
    let mut query = sqlx::query(&sql);
    for (event_type, params) in chunk {
        query = query
            .bind(now)
            .bind(account_id)
            .bind(event_type.as_str())
            .bind(params.to_string())
            .bind(plugin_column(params, "plugin_id"))
            .bind(plugin_column(params, "remote_plugin_id"));
    }
    query
        .execute(tx.conn())
        .await
        .map_err(query_error(action))?;
    Ok(())
}
