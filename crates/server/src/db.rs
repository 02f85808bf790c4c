//! [`Db`]: the server's storage over `SQLite` or `PostgreSQL` through one `sqlx::Any` code path, with
//! embedded migrations per backend. Accounts, hashed tokens and analytics events live here; the
//! catalog and installs are in `catalog.rs`.

use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

use rand::RngCore as _;
use sha2::{Digest as _, Sha256};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Row as _};

use crate::error::StoreError;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Which database a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbKind {
    /// An embedded `SQLite` file.
    Sqlite,
    /// A `PostgreSQL` server.
    Postgres,
}

/// The server's database handle (a connection pool). Cheap to clone.
#[derive(Debug, Clone)]
pub struct Db {
    pub(crate) pool: AnyPool,
    kind: DbKind,
}

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

/// An account as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Account {
    /// The id clients send in `chatgpt-account-id`.
    pub id: String,
    /// Display name.
    pub name: String,
}

/// Removes the password from a database URL, for messages.
pub(crate) fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

/// Current Unix time in seconds.
pub(crate) fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
        })
}

/// Lowercase hex SHA-256 of a token, as stored.
pub(crate) fn hash_token(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut out, byte| {
        let _ = write!(out, "{byte:02x}");
        out
    })
}

pub(crate) fn query_error(action: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |source| StoreError::Query { action, source }
}

impl Db {
    /// Opens (creating if needed) the database at `url` (`sqlite://PATH` or `postgres://...`) and
    /// applies the migrations.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let kind = if url.starts_with("sqlite:") {
            DbKind::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            DbKind::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl {
                url: redact_url(url),
            });
        };
        let connect_error = |source| StoreError::Connect {
            url: redact_url(url),
            source,
        };
        let options = AnyConnectOptions::from_str(url).map_err(connect_error)?;
        let max_connections = match kind {
            DbKind::Sqlite => 8,
            DbKind::Postgres => 16,
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .connect_with(options)
            .await
            .map_err(connect_error)?;
        if kind == DbKind::Sqlite {
            // Write-ahead logging: readers never wait for a writer, and a commit costs one
            // fsync of the log instead of several of the rollback journal. A property of the
            // file, so every connection and every later process uses it.
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await
                .map_err(connect_error)?;
        }
        let migrator = match kind {
            DbKind::Sqlite => &SQLITE_MIGRATIONS,
            DbKind::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator
            .run(&pool)
            .await
            .map_err(|source| StoreError::Migrate {
                url: redact_url(url),
                source,
            })?;
        Ok(Self { pool, kind })
    }

    /// Which database this is.
    pub fn kind(&self) -> DbKind {
        self.kind
    }

    /// Closes the pool, waiting for connections to finish.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Adds an account (idempotent: an existing account keeps its name).
    pub async fn add_account(&self, id: &str, name: &str) -> Result<Account, StoreError> {
        sqlx::query(
            "INSERT INTO accounts (id, name, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(id)
        .bind(name)
        .bind(now_unix())
        .execute(&self.pool)
        .await
        .map_err(query_error("adding an account"))?;
        self.account(id)
            .await?
            .ok_or_else(|| StoreError::UnknownAccount { id: id.to_owned() })
    }

    /// Looks up an account.
    pub async fn account(&self, id: &str) -> Result<Option<Account>, StoreError> {
        let row = sqlx::query("SELECT id, name FROM accounts WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(query_error("reading an account"))?;
        row.map(|row| {
            Ok(Account {
                id: row
                    .try_get("id")
                    .map_err(query_error("reading an account"))?,
                name: row
                    .try_get("name")
                    .map_err(query_error("reading an account"))?,
            })
        })
        .transpose()
    }

    /// Lists accounts by id.
    pub async fn accounts(&self) -> Result<Vec<Account>, StoreError> {
        let rows = sqlx::query("SELECT id, name FROM accounts ORDER BY id")
            .fetch_all(&self.pool)
            .await
            .map_err(query_error("listing accounts"))?;
        rows.into_iter()
            .map(|row| {
                Ok(Account {
                    id: row.try_get("id").map_err(query_error("listing accounts"))?,
                    name: row
                        .try_get("name")
                        .map_err(query_error("listing accounts"))?,
                })
            })
            .collect()
    }

    /// Creates a new random token for `account_id` and returns it; only its hash is stored.
    pub async fn add_token(&self, account_id: &str, label: &str) -> Result<String, StoreError> {
        if self.account(account_id).await?.is_none() {
            return Err(StoreError::UnknownAccount {
                id: account_id.to_owned(),
            });
        }
        let mut bytes = [0_u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let token = format!("berth_{}", hex(&bytes));
        sqlx::query(
            "INSERT INTO tokens (token_sha256, account_id, label, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(hash_token(&token))
        .bind(account_id)
        .bind(label)
        .bind(now_unix())
        .execute(&self.pool)
        .await
        .map_err(query_error("adding a token"))?;
        Ok(token)
    }

    /// The account a token belongs to, if any.
    pub async fn account_for_token(&self, token: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT account_id FROM tokens WHERE token_sha256 = $1")
            .bind(hash_token(token))
            .fetch_optional(&self.pool)
            .await
            .map_err(query_error("checking a token"))?;
        row.map(|row| {
            row.try_get("account_id")
                .map_err(query_error("checking a token"))
        })
        .transpose()
    }

    /// Stores analytics events for `account_id` in one transaction.
    pub async fn insert_events(
        &self,
        account_id: &str,
        events: &[(String, serde_json::Value)],
    ) -> Result<(), StoreError> {
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(query_error("storing analytics events"))?;
        let now = now_unix();
        for (event_type, params) in events {
            sqlx::query(
                "INSERT INTO analytics_events (received_at, account_id, event_type, event_params) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(now)
            .bind(account_id)
            .bind(event_type.as_str())
            .bind(params.to_string())
            .execute(&mut *tx)
            .await
            .map_err(query_error("storing analytics events"))?;
        }
        tx.commit()
            .await
            .map_err(query_error("storing analytics events"))
    }

    /// Every stored analytics event, oldest first.
    pub async fn events(&self) -> Result<Vec<StoredEvent>, StoreError> {
        let action = "listing analytics events";
        let rows = sqlx::query(
            "SELECT id, received_at, account_id, event_type, event_params \
             FROM analytics_events ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(query_error(action))?;
        rows.into_iter()
            .map(|row| {
                let id: i64 = row.try_get("id").map_err(query_error(action))?;
                let params: String = row.try_get("event_params").map_err(query_error(action))?;
                Ok(StoredEvent {
                    id,
                    received_at: row.try_get("received_at").map_err(query_error(action))?,
                    account_id: row.try_get("account_id").map_err(query_error(action))?,
                    event_type: row.try_get("event_type").map_err(query_error(action))?,
                    event_params: serde_json::from_str(&params).map_err(|source| {
                        StoreError::Corrupt {
                            id: format!("event {id}"),
                            what: "event_params",
                            source,
                        }
                    })?,
                })
            })
            .collect()
    }
}

#[cfg(test)]
#[path = "db_tests.rs"]
mod tests;
