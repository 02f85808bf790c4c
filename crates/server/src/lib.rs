//! `berth serve`: a self-hostable plugin service speaking Codex's plugin-service API
//! (`/backend-api/ps/plugins/...`) over `SQLite` or `PostgreSQL`, with accounts and hashed tokens,
//! bundles stored by content hash in a folder or the database and streamed with ranges,
//! optional TLS, analytics ingest, health and metrics endpoints, and bundle garbage
//! collection. Main types: [`Db`], [`ServerConfig`], [`RunningServer`], [`BundleStore`],
//! [`publish_plugin`] and [`collect_garbage`].

mod admin;
mod auth;
mod bundles;
mod catalog;
mod catalog_cache;
mod catalog_view;
mod db;
mod error;
mod events;
mod gc;
mod ingest_rate;
mod limits;
mod listener;
mod loopback_ca;
mod ops;
mod publish;
mod releases;
mod retention;
mod rollups;
mod routes;
mod server;
mod tokens;
mod validate;
mod web;

pub use auth::{Authenticated, Caller};
pub use bundles::{
    BoxFuture, BundleStore, BundleStoreKind, ByteStream, CHUNK_BYTES, DatabaseBundleStore,
    LocalBundleStore, OpenedBundle, STAGED_PREFIX, StagedBundle, StoredBundle, StoredEntry,
    is_sha256_hex, open_store,
};
pub use catalog::{
    AccountInstall, CatalogChanges, InstalledRecord, Listing, Page, PluginRecord, Resolved,
    SkillContents,
};
pub use db::{
    ACQUIRE_TIMEOUT, Account, Db, DbKind, SqlitePageLimit, WRITE_ACQUIRE_TIMEOUT, redact_url,
};
pub use error::{ApiError, ServeError, StoreError, UNAVAILABLE_RETRY_AFTER};
pub use events::{
    BATCH_KEY_RETENTION, EventFilter, IngestBatch, Ingested, PRUNE_BATCH_ROWS, StoredEvent,
};
pub use gc::{
    CollectedBundle, CollectedLeftover, DEFAULT_GC_MIN_AGE, GcOptions, GcReport, StoreSweep,
    collect_garbage,
};
pub use limits::{
    DEFAULT_EVENTS_BURST_BYTES, DEFAULT_EVENTS_BYTES_PER_SECOND, DEFAULT_EVENTS_DAILY_BYTES,
    DEFAULT_EVENTS_RETENTION_DAYS, DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_IDLE_TIMEOUT,
    DEFAULT_MAX_CONNECTIONS, DEFAULT_REQUEST_TIMEOUT, FD_RESERVE, Limits,
};
pub use listener::ShutdownHandle;
pub use loopback_ca::{LoopbackCa, LoopbackCaError, write_loopback_ca};
pub use ops::{ACCESS_LOG_TARGET, Metrics, READY_TIMEOUT};
pub use publish::{
    PublishError, PublishOptions, PublishedRelease, ValidatedBundle, plugin_id_for, publish_plugin,
    register_release,
};
pub use releases::{NewRelease, PublishOutcome, ReleaseChangeError, WithdrawOutcome};
pub use retention::{PRUNE_INTERVAL, prune as prune_events};
pub use rollups::{
    DayCount, InstallCount, KeyScope, KeyTotals, ModelCount, SECONDS_PER_DAY, USED_EVENT,
    plugin_key,
};
pub use routes::{
    AppState, DEFAULT_PAGE_LIMIT, IDEMPOTENCY_KEY_HEADER, MAX_BODY_BYTES, MAX_EVENTS_PER_REQUEST,
    MAX_PAGE_LIMIT, PUBLISH_TIMEOUT, TOKEN_CACHE_TTL, router,
};
pub use server::{DATA_DIR_ENV, RunningServer, ServerConfig, TlsPaths, open_storage, start};
pub use tokens::{DEFAULT_TOKEN_DAYS, Grant, MAX_TOKEN_DAYS, MintedToken, TokenGrant};
pub use validate::{ValidatedPlugin, validate_bundle_file, validate_plugin_dir};
