//! Errors: [`StoreError`] for database and bundle storage, [`ApiError`] for HTTP answers (mapped to
//! a status and a JSON [`ErrorBody`] in one place), and [`ServeError`] for startup.

use std::net::SocketAddr;
use std::path::PathBuf;

use axum::Json;
use axum::http::StatusCode;
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
    /// Storage failed (500); the cause is logged, not sent.
    #[error("internal server error")]
    Internal(#[from] StoreError),
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
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(source) = &self {
            tracing::error!(error = %source, cause = ?std::error::Error::source(source), "request failed");
        }
        let (status, code) = self.status_and_code();
        (status, Json(ErrorBody::new(code, self.to_string()))).into_response()
    }
}
