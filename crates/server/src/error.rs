//! Errors: [`StoreError`] for database and bundle storage, [`ApiError`] for HTTP answers (mapped to
//! a status and a JSON [`ErrorBody`] in one place), and [`ServeError`] for startup.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use berth_service_protocol::ErrorBody;

/// A database or bundle-storage failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Connecting to the database failed.
    #[error(
        "could not open the database `{url}`; check `--database-url` and that the server is reachable"
    )]
    Connect {
        /// The URL, with any password removed.
        url: String,
        /// The driver error.
        #[source]
        source: sqlx::Error,
    },
    /// Applying migrations failed.
    #[error("could not apply the database migrations to `{url}`")]
    Migrate {
        /// The URL, with any password removed.
        url: String,
        /// The migration error.
        #[source]
        source: sqlx::migrate::MigrateError,
    },
    /// The URL names no supported database.
    #[error("unsupported database URL `{url}`; use `sqlite://PATH` or `postgres://...`")]
    UnsupportedUrl {
        /// The URL as given.
        url: String,
    },
    /// A query failed.
    #[error("database query failed while {action}")]
    Query {
        /// What the server was doing.
        action: &'static str,
        /// The driver error.
        #[source]
        source: sqlx::Error,
    },
    /// A stored JSON column could not be decoded.
    #[error("stored {what} of plugin `{id}` is not valid JSON; republish it with `berth publish`")]
    Corrupt {
        /// The plugin id.
        id: String,
        /// Which column.
        what: &'static str,
        /// The decode error.
        #[source]
        source: serde_json::Error,
    },
    /// The account named does not exist.
    #[error("account `{id}` does not exist; create it with `berth serve account add {id}`")]
    UnknownAccount {
        /// The account id.
        id: String,
    },
    /// Bringing the in-memory catalog up to date failed (shared by the requests that waited
    /// for the same check).
    #[error("could not bring the catalog up to date from the database")]
    CatalogRefresh(#[source] std::sync::Arc<StoreError>),
    /// A version is published already with other bytes; versions are immutable.
    #[error(
        "version `{version}` of plugin `{id}` is already published with other bytes (bundle {stored_sha256}); versions are immutable: raise `version` in `.codex-plugin/plugin.json` and publish again"
    )]
    VersionConflict {
        /// Plugin id.
        id: String,
        /// The version.
        version: String,
        /// The digest of the bundle published first.
        stored_sha256: String,
    },
    /// Signing a token failed.
    #[error("could not sign a token")]
    Token {
        /// The JWT library's error.
        #[source]
        source: jsonwebtoken::errors::Error,
    },
    /// The stored signing key is not valid base64.
    #[error(
        "the service's signing key in the database is corrupt; delete the `signing_keys` row to make a new one (every token then has to be minted again)"
    )]
    CorruptKey,
    /// Reading or writing a bundle file failed.
    #[error("bundle storage failed at `{path}`")]
    Bundle {
        /// The bundle file or folder.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// How long a client is asked to wait when the database is full, busy or unreachable.
pub const UNAVAILABLE_RETRY_AFTER: Duration = Duration::from_secs(5);

impl StoreError {
    /// Whether the failure is the database being full, busy or unreachable: a condition that
    /// passes, answered 503 with `Retry-After` rather than 500.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Query { source, .. } | StoreError::Connect { source, .. } => {
                is_unavailable(source)
            }
            StoreError::CatalogRefresh(inner) => inner.is_unavailable(),
            StoreError::Migrate { .. }
            | StoreError::UnsupportedUrl { .. }
            | StoreError::Corrupt { .. }
            | StoreError::UnknownAccount { .. }
            | StoreError::Token { .. }
            | StoreError::VersionConflict { .. }
            | StoreError::CorruptKey
            | StoreError::Bundle { .. } => false,
        }
    }
}

impl ServeError {
    /// Whether this is a failure the user can fix (an address in use, a bad certificate, an
    /// unreachable or misnamed database), as opposed to an unexpected one.
    pub fn is_expected(&self) -> bool {
        match self {
            ServeError::Bind { .. }
            | ServeError::DevModeNotLoopback { .. }
            | ServeError::Tls { .. } => true,
            ServeError::Store(store) => {
                matches!(
                    store,
                    StoreError::Connect { .. }
                        | StoreError::UnsupportedUrl { .. }
                        | StoreError::UnknownAccount { .. }
                ) || store.is_unavailable()
            }
            ServeError::Serve(_) => false,
        }
    }
}

/// `SQLite` primary result codes of a full, busy or failing disk, and `PostgreSQL` SQLSTATE
/// codes (or classes) of a server that is down, out of resources, or asking for a retry.
fn is_unavailable(error: &sqlx::Error) -> bool {
    const SQLITE_CODES: [i64; 7] = [
        5,  // SQLITE_BUSY
        6,  // SQLITE_LOCKED
        7,  // SQLITE_NOMEM
        10, // SQLITE_IOERR
        13, // SQLITE_FULL
        14, // SQLITE_CANTOPEN
        15, // SQLITE_PROTOCOL
    ];
    const POSTGRES_CLASSES: [&str; 2] = ["08", "53"];
    const POSTGRES_CODES: [&str; 7] = [
        "57P01", "57P02", "57P03", "57014", "40001", "40P01", "55P03",
    ];
    match error {
        sqlx::Error::Database(database) => {
            let Some(code) = database.code() else {
                return false;
            };
            match code.parse::<i64>() {
                Ok(sqlite) => SQLITE_CODES.contains(&(sqlite & 0xff)),
                Err(_) => {
                    POSTGRES_CODES.contains(&code.as_ref())
                        || POSTGRES_CLASSES.iter().any(|class| code.starts_with(class))
                }
            }
        }
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        _ => false,
    }
}

/// Starting the server failed.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Binding the listen address failed.
    #[error("could not listen on {addr}; is another process using the port?")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Development mode was asked for on a non-loopback address.
    #[error(
        "--dev accepts unsigned test tokens and is only allowed on a loopback address, not {addr}"
    )]
    DevModeNotLoopback {
        /// The address.
        addr: SocketAddr,
    },
    /// The TLS certificate or key could not be loaded.
    #[error("could not load the TLS certificate `{cert}` or key `{key}`; pass PEM files")]
    Tls {
        /// Certificate path.
        cert: PathBuf,
        /// Key path.
        key: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Opening storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The server loop failed.
    #[error("the HTTP server stopped with an error")]
    Serve(#[source] std::io::Error),
}

/// An HTTP error answer with a JSON body `{"error": {"code", "message"}}`.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Missing or unknown credentials (401).
    #[error("{0}")]
    Unauthorized(String),
    /// Credentials that do not match the account, or a policy that refuses the action (403).
    #[error("{message}")]
    Forbidden {
        /// Machine code, e.g. `forbidden`, `not_available`, `disabled_by_admin`.
        code: &'static str,
        /// Message.
        message: String,
    },
    /// Unknown or invisible resource (404).
    #[error("{0}")]
    NotFound(String),
    /// Malformed request (400).
    #[error("{0}")]
    BadRequest(String),
    /// The action conflicts with the plugin's policy (409).
    #[error("{0}")]
    Conflict(String),
    /// Body too large (413).
    #[error("{0}")]
    PayloadTooLarge(String),
    /// Too many requests or too much data from this account (429 with `Retry-After`).
    #[error("{message}")]
    TooManyRequests {
        /// Message, naming the limit.
        message: String,
        /// When to try again.
        retry_after: Duration,
    },
    /// The database is full, busy or unreachable (503 with `Retry-After`); the cause is logged.
    #[error("the service's database is unavailable right now; retry later")]
    Unavailable(StoreError),
    /// The server is at its connection or time limit (503 with `Retry-After`).
    #[error("{0}")]
    Overloaded(String),
    /// Storage failed (500); the cause is logged, not sent.
    #[error("internal server error")]
    Internal(StoreError),
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        if let StoreError::VersionConflict { .. } = &error {
            return ApiError::Conflict(error.to_string());
        }
        if error.is_unavailable() {
            ApiError::Unavailable(error)
        } else {
            ApiError::Internal(error)
        }
    }
}

impl ApiError {
    /// The status and machine code of this error.
    pub fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::Forbidden { code, .. } => (StatusCode::FORBIDDEN, code),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            ApiError::PayloadTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            ApiError::TooManyRequests { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            ApiError::Unavailable(_) | ApiError::Overloaded(_) => {
                (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
            }
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }

    /// The `Retry-After` this answer carries, if any.
    fn retry_after(&self) -> Option<Duration> {
        match self {
            ApiError::TooManyRequests { retry_after, .. } => Some(*retry_after),
            ApiError::Unavailable(_) => Some(UNAVAILABLE_RETRY_AFTER),
            ApiError::Overloaded(_) => Some(Duration::from_secs(1)),
            ApiError::Unauthorized(_)
            | ApiError::Forbidden { .. }
            | ApiError::NotFound(_)
            | ApiError::BadRequest(_)
            | ApiError::Conflict(_)
            | ApiError::PayloadTooLarge(_)
            | ApiError::Internal(_) => None,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            ApiError::Internal(source) => {
                tracing::error!(error = %source, cause = ?std::error::Error::source(source), "request failed");
            }
            ApiError::Unavailable(source) => {
                tracing::warn!(error = %source, cause = ?std::error::Error::source(source), "database unavailable; answered 503");
            }
            _ => {}
        }
        let (status, code) = self.status_and_code();
        let retry_after = self.retry_after();
        let mut response = (status, Json(ErrorBody::new(code, self.to_string()))).into_response();
        if let Some(wait) = retry_after
            && let Ok(value) = HeaderValue::from_str(&wait.as_secs().max(1).to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}
