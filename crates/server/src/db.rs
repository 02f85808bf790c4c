//! [`Db`]: the server's storage over `SQLite` or `PostgreSQL` through one `sqlx::Any` code path, with
//! embedded migrations per backend, and [`WriteTx`], the one way to write: every write runs in
//! a transaction whose connection is discarded from the pool unless it commits, so a failed
//! `COMMIT` (a full disk) or a cancelled request can never leave an open transaction on a
//! connection that is then reused. Accounts and hashed tokens live here; the catalog and
//! installs are in `catalog.rs`, analytics events in `events.rs`.

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rand::RngCore as _;
use sha2::{Digest as _, Sha256};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool, Executor as _, Row as _};

use crate::error::StoreError;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// How long a request waits for a database connection before it is answered 503.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);
/// Read connections to an `SQLite` file (writes have one connection of their own).
const SQLITE_READ_CONNECTIONS: u32 = 8;
/// Read connections to a `PostgreSQL` server.
const POSTGRES_READ_CONNECTIONS: u32 = 16;
/// Write connections to a `PostgreSQL` server, apart from the reads so a burst of writes never
/// holds every connection while reads wait.
const POSTGRES_WRITE_CONNECTIONS: u32 = 8;

/// Test hook: the largest page count every pooled `SQLite` connection may grow the file to
/// (`PRAGMA max_page_count`, applied before each use; 0 leaves it alone). Writes past it fail
/// with `SQLITE_FULL`, as on a full disk.
#[doc(hidden)]
#[derive(Debug, Clone, Default)]
pub struct SqlitePageLimit(Arc<AtomicU64>);

impl SqlitePageLimit {
    /// Sets the limit (0: none applied).
    pub fn set(&self, pages: u64) {
        self.0.store(pages, Ordering::SeqCst);
    }

    /// The limit in effect.
    pub fn pages(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

impl PartialEq for SqlitePageLimit {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for SqlitePageLimit {}

/// Which database a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbKind {
    /// An embedded `SQLite` file.
    Sqlite,
    /// A `PostgreSQL` server.
    Postgres,
}

/// The server's database handle. Cheap to clone.
///
/// Writes and reads have pools of their own, so writers never hold every connection while
/// reads wait. On `SQLite` the write pool has one connection, so writers queue in the server
/// instead of failing with `database is locked`; reads, in write-ahead-log mode, never wait for
/// the writer.
#[derive(Debug, Clone)]
pub struct Db {
    pub(crate) reads: AnyPool,
    writes: AnyPool,
    kind: DbKind,
}

/// A write transaction on a connection of its own. Dropping it without [`WriteTx::commit`]
/// (an error, a cancelled request) closes the connection, which rolls the transaction back,
/// instead of returning it to the pool; a failed commit closes it too.
#[derive(Debug)]
pub(crate) struct WriteTx {
    conn: PoolConnection<Any>,
    action: &'static str,
    committed: bool,
}

impl WriteTx {
    /// The connection, inside the transaction.
    pub(crate) fn conn(&mut self) -> &mut AnyConnection {
        &mut self.conn
    }

    /// Commits; on failure the connection is discarded.
    pub(crate) async fn commit(mut self) -> Result<(), StoreError> {
        self.conn
            .execute("COMMIT")
            .await
            .map_err(query_error(self.action))?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for WriteTx {
    fn drop(&mut self) {
        if !self.committed {
            self.conn.close_on_drop();
        }
    }
}

/// An account as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Account {
    /// The id clients send in `chatgpt-account-id`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// E-mail put in the account's tokens, if set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
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
        Self::connect_with(url, None).await
    }

    /// [`Db::connect`], with a test hook limiting every pooled `SQLite` connection's page count.
    #[doc(hidden)]
    pub async fn connect_with(
        url: &str,
        page_limit: Option<SqlitePageLimit>,
    ) -> Result<Self, StoreError> {
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
        let pool_options = |max_connections: u32| {
            let options = AnyPoolOptions::new()
                .max_connections(max_connections)
                .acquire_timeout(ACQUIRE_TIMEOUT);
            match page_limit.clone() {
                None => options,
                Some(limit) => options.before_acquire(move |conn, _meta| {
                    let pages = limit.pages();
                    Box::pin(async move {
                        if pages > 0 {
                            conn.execute(format!("PRAGMA max_page_count = {pages}").as_str())
                                .await?;
                        }
                        Ok(true)
                    })
                }),
            }
        };
        let (reads, writes) = match kind {
            DbKind::Sqlite => {
                let writes = pool_options(1)
                    .connect_with(options.clone())
                    .await
                    .map_err(connect_error)?;
                // Write-ahead logging: readers never wait for the writer, and a commit costs
                // one fsync of the log instead of several of the rollback journal. A property
                // of the file, so every connection and every later process uses it.
                writes
                    .execute("PRAGMA journal_mode = WAL")
                    .await
                    .map_err(connect_error)?;
                let reads = pool_options(SQLITE_READ_CONNECTIONS)
                    .connect_with(options)
                    .await
                    .map_err(connect_error)?;
                (reads, writes)
            }
            DbKind::Postgres => {
                let writes = pool_options(POSTGRES_WRITE_CONNECTIONS)
                    .connect_with(options.clone())
                    .await
                    .map_err(connect_error)?;
                let reads = pool_options(POSTGRES_READ_CONNECTIONS)
                    .connect_with(options)
                    .await
                    .map_err(connect_error)?;
                (reads, writes)
            }
        };
        let migrator = match kind {
            DbKind::Sqlite => &SQLITE_MIGRATIONS,
            DbKind::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator
            .run(&writes)
            .await
            .map_err(|source| StoreError::Migrate {
                url: redact_url(url),
                source,
            })?;
        Ok(Self {
            reads,
            writes,
            kind,
        })
    }

    /// Which database this is.
    pub fn kind(&self) -> DbKind {
        self.kind
    }

    /// Closes the pools, waiting for connections to finish.
    pub async fn close(&self) {
        self.writes.close().await;
        self.reads.close().await;
    }

    /// Runs one statement in a write transaction of its own.
    pub(crate) async fn execute_write<'q>(
        &self,
        action: &'static str,
        query: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    ) -> Result<sqlx::any::AnyQueryResult, StoreError> {
        let mut tx = self.begin_write(action).await?;
        let result = query
            .execute(tx.conn())
            .await
            .map_err(query_error(action))?;
        tx.commit().await?;
        Ok(result)
    }

    /// Starts a write transaction for `action` (named in errors). On `SQLite` it begins
    /// `IMMEDIATE`, taking the write lock at once, so a transaction never fails half-way
    /// because another process wrote first; the busy timeout (5 s) makes it wait for one.
    pub(crate) async fn begin_write(&self, action: &'static str) -> Result<WriteTx, StoreError> {
        let conn = self.writes.acquire().await.map_err(query_error(action))?;
        let mut tx = WriteTx {
            conn,
            action,
            committed: false,
        };
        let begin = match self.kind {
            DbKind::Sqlite => "BEGIN IMMEDIATE",
            DbKind::Postgres => "BEGIN",
        };
        tx.conn.execute(begin).await.map_err(query_error(action))?;
        Ok(tx)
    }

    /// Adds an account (idempotent: an existing account keeps its name).
    pub async fn add_account(&self, id: &str, name: &str) -> Result<Account, StoreError> {
        self.add_account_with_email(id, name, None).await
    }

    /// Adds an account with the e-mail its tokens carry (idempotent: an existing account keeps
    /// its name and e-mail).
    pub async fn add_account_with_email(
        &self,
        id: &str,
        name: &str,
        email: Option<&str>,
    ) -> Result<Account, StoreError> {
        self.execute_write(
            "adding an account",
            sqlx::query(
                "INSERT INTO accounts (id, name, created_at, email) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(id)
            .bind(name)
            .bind(now_unix())
            .bind(email),
        )
        .await?;
        self.account(id)
            .await?
            .ok_or_else(|| StoreError::UnknownAccount { id: id.to_owned() })
    }

    /// Looks up an account.
    pub async fn account(&self, id: &str) -> Result<Option<Account>, StoreError> {
        let row = sqlx::query("SELECT id, name, email FROM accounts WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.reads)
            .await
            .map_err(query_error("reading an account"))?;
        row.as_ref().map(decode_account).transpose()
    }

    /// Lists accounts by id.
    pub async fn accounts(&self) -> Result<Vec<Account>, StoreError> {
        let rows = sqlx::query("SELECT id, name, email FROM accounts ORDER BY id")
            .fetch_all(&self.reads)
            .await
            .map_err(query_error("listing accounts"))?;
        rows.iter().map(decode_account).collect()
    }

    /// Removes an account with its tokens and installs; `false` if there was none. Plugins it
    /// owns stay (an admin withdraws them).
    pub async fn remove_account(&self, id: &str) -> Result<bool, StoreError> {
        let action = "removing an account";
        let mut tx = self.begin_write(action).await?;
        for statement in [
            "DELETE FROM tokens WHERE account_id = $1",
            "DELETE FROM installs WHERE account_id = $1",
        ] {
            sqlx::query(statement)
                .bind(id)
                .execute(tx.conn())
                .await
                .map_err(query_error(action))?;
        }
        let removed = sqlx::query("DELETE FROM accounts WHERE id = $1")
            .bind(id)
            .execute(tx.conn())
            .await
            .map_err(query_error(action))?
            .rows_affected()
            > 0;
        tx.commit().await?;
        Ok(removed)
    }

    /// Creates a new random opaque token (`berth_<hex>`, read and publish) for `account_id` and
    /// returns it; only its hash is stored. [`Db::mint_token`] makes the JWTs teams use.
    pub async fn add_token(&self, account_id: &str, label: &str) -> Result<String, StoreError> {
        if self.account(account_id).await?.is_none() {
            return Err(StoreError::UnknownAccount {
                id: account_id.to_owned(),
            });
        }
        let mut bytes = [0_u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let token = format!("berth_{}", hex(&bytes));
        let hash = hash_token(&token);
        self.execute_write(
            "adding a token",
            sqlx::query(
                "INSERT INTO tokens (token_sha256, account_id, label, created_at, id) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(hash.as_str())
            .bind(account_id)
            .bind(label)
            .bind(now_unix())
            .bind(&hash[..16]),
        )
        .await?;
        Ok(token)
    }

    /// The account a token belongs to, if it is valid.
    pub async fn account_for_token(&self, token: &str) -> Result<Option<String>, StoreError> {
        Ok(self.token_grant(token).await?.map(|grant| grant.account_id))
    }
}

fn decode_account(row: &sqlx::any::AnyRow) -> Result<Account, StoreError> {
    let action = "reading an account";
    Ok(Account {
        id: row.try_get("id").map_err(query_error(action))?,
        name: row.try_get("name").map_err(query_error(action))?,
        email: row.try_get("email").map_err(query_error(action))?,
    })
}

#[cfg(test)]
#[path = "db_tests.rs"]
mod tests;
