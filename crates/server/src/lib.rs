//! `berth serve`: a self-hostable plugin service speaking Codex's plugin-service API
//! (`/backend-api/ps/plugins/...`) over `SQLite` or `PostgreSQL`, with accounts and hashed tokens,
//! bundles served by content hash, optional TLS, and analytics ingest. Main types: [`Db`],
//! [`ServerConfig`], [`RunningServer`], [`BundleStore`], and [`publish_plugin`].

mod admin;
mod auth;
mod bundles;
mod catalog;
mod catalog_cache;
mod catalog_view;
mod db;
mod error;
mod events;
mod ingest_rate;
mod limits;
mod listener;
mod loopback_ca;
mod publish;
mod releases;
mod retention;
mod routes;
mod server;
mod tokens;

pub use auth::{Authenticated, Caller};
pub use bundles::{BundleStore, LocalBundleStore, is_sha256_hex};
pub use catalog::{
    AccountInstall, CatalogChanges, InstalledRecord, Listing, Page, PluginRecord, Resolved,
    SkillContents,
};
pub use db::{ACQUIRE_TIMEOUT, Account, Db, DbKind, SqlitePageLimit};
pub use error::{ApiError, ServeError, StoreError, UNAVAILABLE_RETRY_AFTER};
pub use events::{
    BATCH_KEY_RETENTION, EventFilter, IngestBatch, Ingested, PRUNE_BATCH_ROWS, StoredEvent,
};
pub use limits::{
    DEFAULT_EVENTS_BURST_BYTES, DEFAULT_EVENTS_BYTES_PER_SECOND, DEFAULT_EVENTS_DAILY_BYTES,
    DEFAULT_EVENTS_RETENTION_DAYS, DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_IDLE_TIMEOUT,
    DEFAULT_MAX_CONNECTIONS, DEFAULT_REQUEST_TIMEOUT, FD_RESERVE, Limits,
};
pub use listener::ShutdownHandle;
pub use loopback_ca::{LoopbackCa, LoopbackCaError, write_loopback_ca};
pub use publish::{PublishError, PublishOptions, PublishedRelease, publish_plugin};
pub use releases::{NewRelease, PublishOutcome, ReleaseChangeError, WithdrawOutcome};
pub use retention::{PRUNE_INTERVAL, prune as prune_events};
pub use routes::{
    AppState, DEFAULT_PAGE_LIMIT, IDEMPOTENCY_KEY_HEADER, MAX_BODY_BYTES, MAX_EVENTS_PER_REQUEST,
    MAX_PAGE_LIMIT, TOKEN_CACHE_TTL, router,
};
pub use server::{DATA_DIR_ENV, RunningServer, ServerConfig, TlsPaths, open_storage, start};
pub use tokens::{DEFAULT_TOKEN_DAYS, Grant, MAX_TOKEN_DAYS, MintedToken, TokenGrant};
