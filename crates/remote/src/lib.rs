//! Client side of the plugin service: [`RemotePluginClient`] talks to the
//! `/backend-api/ps/plugins` API, [`install_remote_plugin`] and [`uninstall_remote_plugin`]
//! materialise and remove remote plugins in the cache in Codex's order,
//! [`sync_remote_installed_plugin_bundles`] reconciles the cache with the service at startup,
//! [`RemoteInstalledSnapshot`] keeps the service's installed list in memory, and
//! [`ServiceClient`] speaks berth's own `/berth/v1` API (login check, publishing, admin).
//!
//! Everything that touches the network is async (tokio); disk work runs in `spawn_blocking`.

mod bundle_install;
mod client;
mod download;
pub mod env_vars;
mod error;
mod guards;
mod limits;
mod marketplace;
mod ops;
mod service;
mod snapshot;
mod sync;

pub use berth_http::{CA_CERTIFICATE_ENV, extra_root_certificates, load_certificates};
pub use bundle_install::{
    REMOTE_PLUGIN_INSTALL_STAGING_DIR, install_downloaded_bundle, sweep_remote_install_staging,
};
pub use client::{DEFAULT_CHATGPT_BASE_URL, RemoteAuth, RemoteClientOptions, RemotePluginClient};
pub use download::{
    ALLOW_HTTP_BUNDLE_DOWNLOADS_ENV, BundleUrlPolicy, DownloadProgress, MAX_BUNDLE_DOWNLOAD_BYTES,
    NoProgress, ValidatedRemotePluginBundle, download_bundle, validate_remote_plugin_bundle,
};
pub use error::RemoteError;
pub use guards::{
    RemotePluginCacheMutationGuard, SyncInFlightGuard, mark_remote_plugin_cache_mutation_in_flight,
};
pub use limits::{ClientLimits, DEFAULT_MAX_ITEMS, DEFAULT_MAX_PAGES, DEFAULT_MAX_RESPONSE_BYTES};
pub use marketplace::{canonical_marketplace, local_plugin_id};
pub use ops::{
    RemoteInstallOutcome, RemoteUninstallOutcome, install_remote_plugin, uninstall_remote_plugin,
};
pub use service::{ServiceClient, ServiceError, service_origin};
pub use snapshot::{RemoteInstalledPlugin, RemoteInstalledSnapshot};
pub use sync::{RemoteSyncOutcome, sync_remote_installed_plugin_bundles};
