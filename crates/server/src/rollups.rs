//! Daily analytics rollups and active-install counts, the tables the insights pages read instead
//! of raw events: ingest adds each batch to them inside its own transaction, installs and
//! uninstalls record the plugin's active count for the day, and the queries here sum them over a
//! window of days, optionally for a set of plugin keys only. Retention never prunes them.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use sqlx::Row as _;
use sqlx::any::AnyRow;

use crate::db::{Db, WriteTx, query_error};
use crate::error::StoreError;

/// Seconds in a UTC day; days are Unix seconds divided by this.
pub const SECONDS_PER_DAY: i64 = 24 * 3600;
/// The event type whose rollups are also kept per model.
pub const USED_EVENT: &str = "codex_plugin_used";
/// Longest plugin key kept (characters); longer ids are cut, in ingest and backfill alike.
const MAX_KEY_CHARS: usize = 256;
/// Longest model name kept (characters).
const MAX_MODEL_CHARS: usize = 128;
/// Rows per upsert statement (four parameters each).
const ROWS_PER_STATEMENT: usize = 200;
/// The key whose rollups are the sums over every plugin (no plugin key is empty).
static EVERY_PLUGIN: [String; 1] = [String::new()];

/// The key a plugin's analytics are rolled up under: the event's backend `remote_plugin_id`
/// when it has one, else its local `plugin_id`; `None` for events about no plugin.
pub fn plugin_key(params: &serde_json::Value) -> Option<String> {
    let field = |name: &str| {
        params
            .get(name)
            .and_then(serde_json::Value::as_str)
            .filter(|value| !value.is_empty())
    };
    field("remote_plugin_id")
        .or_else(|| field("plugin_id"))
        .map(|key| clip_chars(key, MAX_KEY_CHARS))
}

/// The `model_slug` of a use event ("" when it names none).
fn model_of(params: &serde_json::Value) -> String {
    let model = params
        .get("model_slug")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default();
    clip_chars(model, MAX_MODEL_CHARS)
}

fn clip_chars(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// Adds a batch received on `day` to the rollups (each plugin's, and the sums over every
/// plugin), inside the ingest transaction. Rows are written in key order, so concurrent
/// `PostgreSQL` transactions lock them in the same order.
pub(crate) async fn add_batch(
    tx: &mut WriteTx,
    action: &'static str,
    day: i64,
    events: &[(String, serde_json::Value)],
) -> Result<(), StoreError> {
    let mut daily: BTreeMap<(String, &str), i64> = BTreeMap::new();
    let mut models: BTreeMap<(String, String), i64> = BTreeMap::new();
    for (event_type, params) in events {
        let Some(key) = plugin_key(params) else {
            continue;
        };
        if event_type == USED_EVENT {
            let model = model_of(params);
            *models.entry((String::new(), model.clone())).or_default() += 1;
            *models.entry((key.clone(), model)).or_default() += 1;
        }
        *daily
            .entry((String::new(), event_type.as_str()))
            .or_default() += 1;
        *daily.entry((key, event_type.as_str())).or_default() += 1;
    }
    let daily: Vec<_> = daily.into_iter().collect();
    for chunk in daily.chunks(ROWS_PER_STATEMENT) {
        let sql = upsert_sql(
            "analytics_daily (plugin_key, event_type, day, events)",
            "(plugin_key, event_type, day) DO UPDATE SET events = analytics_daily.events + excluded.events",
            chunk.len(),
        );
        let mut query = sqlx::query(&sql);
        for ((key, event_type), count) in chunk {
            query = query
                .bind(key.as_str())
                .bind(*event_type)
                .bind(day)
                .bind(*count);
        }
        query
            .execute(tx.conn())
            .await
            .map_err(query_error(action))?;
    }
    let models: Vec<_> = models.into_iter().collect();
    for chunk in models.chunks(ROWS_PER_STATEMENT) {
        let sql = upsert_sql(
            "analytics_daily_models (plugin_key, model, day, uses)",
            "(plugin_key, day, model) DO UPDATE SET uses = analytics_daily_models.uses + excluded.uses",
            chunk.len(),
        );
        let mut query = sqlx::query(&sql);
        for ((key, model), count) in chunk {
            query = query
                .bind(key.as_str())
                .bind(model.as_str())
                .bind(day)
                .bind(*count);
        }
        query
            .execute(tx.conn())
            .await
            .map_err(query_error(action))?;
    }
    Ok(())
}

/// `INSERT INTO {table} VALUES ($1..$4), ... ON CONFLICT {conflict}` for `rows` rows of four.
fn upsert_sql(table: &str, conflict: &str, rows: usize) -> String {
    let mut sql = format!("INSERT INTO {table} VALUES ");
    for row in 0..rows {
        let base = row * 4;
        let separator = if row > 0 { ", " } else { "" };
        let _ = write!(
            sql,
            "{separator}(${}, ${}, ${}, ${})",
            base + 1,
            base + 2,
            base + 3,
            base + 4
        );
    }
    let _ = write!(sql, " ON CONFLICT {conflict}");
    sql
}

/// Records `plugin_id`'s active installs (its rows in `installs`, counted inside `tx` after the
/// change) as of `day`.
pub(crate) async fn record_install_count(
    tx: &mut WriteTx,
    action: &'static str,
    plugin_id: &str,
    day: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO install_counts (plugin_id, day, active) \
         SELECT $1, $2, COUNT(*) FROM installs WHERE plugin_id = $3 \
         ON CONFLICT (plugin_id, day) DO UPDATE SET active = excluded.active",
    )
    .bind(plugin_id)
    .bind(day)
    .bind(plugin_id)
    .execute(tx.conn())
    .await
    .map_err(query_error(action))?;
    Ok(())
}

/// Which plugin keys a rollup query covers.
#[derive(Debug, Clone, Copy)]
pub enum KeyScope<'a> {
    /// Every plugin (an admin): sums come from the rows kept for every plugin.
    All,
    /// Only these keys (a publisher's plugins, or one plugin).
    Only(&'a [String]),
}

/// Events of one type on one day, summed over the keys in scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayCount {
    /// The UTC day (Unix seconds / 86,400).
    pub day: i64,
    /// The event type.
    pub event_type: String,
    /// How many.
    pub events: i64,
}

/// Events of one type for one plugin key in a window and in the window before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyTotals {
    /// The plugin key.
    pub plugin_key: String,
    /// The event type.
    pub event_type: String,
    /// Events in the window.
    pub current: i64,
    /// Events in the window before.
    pub previous: i64,
}

/// Uses with one model in a window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelCount {
    /// The model (`""` when events named none).
    pub model: String,
    /// How many uses.
    pub uses: i64,
}

/// A plugin's active installs from a day on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallCount {
    /// The backend plugin id.
    pub plugin_id: String,
    /// The day the count was recorded.
    pub day: i64,
    /// Active installs at the end of that day.
    pub active: i64,
}

/// The condition on `column` for `keys`, with `$n` placeholders numbered from `first`; every
/// plugin key but the sums' for [`KeyScope::All`].
fn key_filter(column: &str, keys: KeyScope<'_>, first: usize) -> String {
    match keys {
        KeyScope::All => format!(" AND {column} <> ''"),
        KeyScope::Only([]) => " AND 1 = 0".to_owned(),
        KeyScope::Only(keys) => {
            let placeholders: Vec<String> =
                (0..keys.len()).map(|n| format!("${}", first + n)).collect();
            format!(" AND {column} IN ({})", placeholders.join(", "))
        }
    }
}

/// The keys whose rows hold the sums over `keys`: the every-plugin rows for all of them.
fn sums_for(keys: KeyScope<'_>) -> KeyScope<'_> {
    match keys {
        KeyScope::All => KeyScope::Only(&EVERY_PLUGIN),
        only @ KeyScope::Only(_) => only,
    }
}

fn bind_keys<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    keys: KeyScope<'q>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    if let KeyScope::Only(keys) = keys {
        for key in keys {
            query = query.bind(key.as_str());
        }
    }
    query
}

/// What reading the rollups is called in errors.
const READ_ACTION: &str = "reading analytics rollups";

fn get<T>(row: &AnyRow, column: &str) -> Result<T, StoreError>
where
    T: for<'r> sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    row.try_get(column).map_err(query_error(READ_ACTION))
}

impl Db {
    /// Runs `sql` (its `{keys}` replaced by the filter for `keys` on `column`) with `bounds`
    /// bound first and the keys after them, decoding each row with `decode`.
    async fn rollup_rows<T>(
        &self,
        sql: &str,
        column: &str,
        bounds: &[i64],
        keys: KeyScope<'_>,
        decode: impl Fn(&AnyRow) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        let sql = sql.replace("{keys}", &key_filter(column, keys, bounds.len() + 1));
        let mut query = sqlx::query(&sql);
        for bound in bounds {
            query = query.bind(*bound);
        }
        let rows = bind_keys(query, keys)
            .fetch_all(&self.reads)
            .await
            .map_err(query_error(READ_ACTION))?;
        rows.iter().map(decode).collect()
    }

    /// Events per day and type in days `[from, to)`, summed over the keys in scope.
    pub async fn rollup_days(
        &self,
        keys: KeyScope<'_>,
        from: i64,
        to: i64,
    ) -> Result<Vec<DayCount>, StoreError> {
        let keys = sums_for(keys);
        self.rollup_rows(
            "SELECT day, event_type, CAST(SUM(events) AS BIGINT) AS events FROM analytics_daily \
             WHERE day >= $1 AND day < $2{keys} GROUP BY day, event_type ORDER BY day, event_type",
            "plugin_key",
            &[from, to],
            keys,
            |row| {
                Ok(DayCount {
                    day: get(row, "day")?,
                    event_type: get(row, "event_type")?,
                    events: get(row, "events")?,
                })
            },
        )
        .await
    }

    /// Per plugin key and type: events in days `[middle, to)` and in `[from, middle)`, by key
    /// and type (sorted here, bytewise: sorting thousands of keys by the database's collation
    /// costs more than the query).
    pub async fn rollup_keys(
        &self,
        keys: KeyScope<'_>,
        from: i64,
        middle: i64,
        to: i64,
    ) -> Result<Vec<KeyTotals>, StoreError> {
        let mut totals = self
            .rollup_rows(
                "SELECT plugin_key, event_type, \
               CAST(SUM(CASE WHEN day >= $1 THEN events ELSE 0 END) AS BIGINT) AS current_events, \
               CAST(SUM(CASE WHEN day < $2 THEN events ELSE 0 END) AS BIGINT) AS previous_events \
             FROM analytics_daily WHERE day >= $3 AND day < $4{keys} \
             GROUP BY plugin_key, event_type",
                "plugin_key",
                &[middle, middle, from, to],
                keys,
                |row| {
                    Ok(KeyTotals {
                        plugin_key: get(row, "plugin_key")?,
                        event_type: get(row, "event_type")?,
                        current: get(row, "current_events")?,
                        previous: get(row, "previous_events")?,
                    })
                },
            )
            .await?;
        totals.sort_unstable_by(|a, b| {
            (&a.plugin_key, &a.event_type).cmp(&(&b.plugin_key, &b.event_type))
        });
        Ok(totals)
    }

    /// Uses per model in days `[from, to)`, most used first.
    pub async fn rollup_models(
        &self,
        keys: KeyScope<'_>,
        from: i64,
        to: i64,
    ) -> Result<Vec<ModelCount>, StoreError> {
        let keys = sums_for(keys);
        self.rollup_rows(
            "SELECT model, CAST(SUM(uses) AS BIGINT) AS uses FROM analytics_daily_models \
             WHERE day >= $1 AND day < $2{keys} GROUP BY model ORDER BY uses DESC, model",
            "plugin_key",
            &[from, to],
            keys,
            |row| {
                Ok(ModelCount {
                    model: get(row, "model")?,
                    uses: get(row, "uses")?,
                })
            },
        )
        .await
    }

    /// The recorded active-install counts of `plugin_ids` on days before `to`, by plugin and
    /// day (the last one before a window's start gives its opening count).
    pub async fn install_counts(
        &self,
        plugin_ids: &[String],
        to: i64,
    ) -> Result<Vec<InstallCount>, StoreError> {
        if plugin_ids.is_empty() {
            return Ok(Vec::new());
        }
        self.rollup_rows(
            "SELECT plugin_id, day, active FROM install_counts WHERE day < $1{keys} \
             ORDER BY plugin_id, day",
            "plugin_id",
            &[to],
            KeyScope::Only(plugin_ids),
            |row| {
                Ok(InstallCount {
                    plugin_id: get(row, "plugin_id")?,
                    day: get(row, "day")?,
                    active: get(row, "active")?,
                })
            },
        )
        .await
    }
}

#[cfg(test)]
#[path = "rollups_tests.rs"]
mod tests;
