//! Startup bundle sync: make the cache match the service's installed list. Current bundles
//! only get their sidecar backfilled (no download); missing ones are downloaded and installed,
//! outdated ones updated (the cached version stays active if the new one fails); cache folders under the remote marketplaces that the service no longer
//! lists are removed, except while an install of them is in flight. One bad plugin never
//! stops the others.

use std::collections::{BTreeSet, HashMap};

use berth_plugin::{PluginId, REMOTE_MARKETPLACES};
use berth_service_protocol::InstalledItem;
use berth_store::PluginStore;
use serde::Serialize;

use crate::bundle_install::install_downloaded_bundle;
use crate::client::RemotePluginClient;
use crate::download::{
    BundleUrlPolicy, DownloadProgress, download_bundle, download_http_client,
    validate_remote_plugin_bundle,
};
use crate::error::RemoteError;
use crate::guards::{
    SyncInFlightGuard, is_cache_mutation_in_flight, mark_remote_plugin_cache_mutation_in_flight,
};
use crate::marketplace::local_plugin_id;

/// What a sync changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RemoteSyncOutcome {
    /// Local ids whose bundle was downloaded and installed (none was cached).
    pub installed_plugin_ids: Vec<String>,
    /// Local ids whose cached version was replaced by the release the service offers now.
    pub updated_plugin_ids: Vec<String>,
    /// Local ids (or raw `name@marketplace`) whose stale cache folder was removed.
    pub removed_cache_plugin_ids: Vec<String>,
    /// Backend ids that could not be synced.
    pub failed_remote_plugin_ids: Vec<String>,
    /// Local ids whose sidecar was (re)written without a download.
    pub backfilled_plugin_ids: Vec<String>,
}

impl RemoteSyncOutcome {
    /// Whether the local cache changed (installs, updates or removals; backfills do not
    /// count).
    pub fn changed_local_cache(&self) -> bool {
        !self.installed_plugin_ids.is_empty()
            || !self.updated_plugin_ids.is_empty()
            || !self.removed_cache_plugin_ids.is_empty()
    }
}

/// Runs one sync of the cache of `store` against the service. At most one sync runs per
/// cache root at a time; a second one gets [`RemoteError::SyncInFlight`].
pub async fn sync_remote_installed_plugin_bundles(
    client: &RemotePluginClient,
    store: &PluginStore,
    policy: BundleUrlPolicy,
    progress: &dyn DownloadProgress,
) -> Result<RemoteSyncOutcome, RemoteError> {
    let Some(_sync_guard) = SyncInFlightGuard::try_acquire(store.cache_root()) else {
        return Err(RemoteError::SyncInFlight {
            cache_root: store.cache_root().to_path_buf(),
        });
    };
    let items = client.list_installed(true).await?;
    let blocking_store = store.clone();
    let (mut outcome, to_install, installed_names) =
        tokio::task::spawn_blocking(move || reconcile_current(&blocking_store, items))
            .await
            .map_err(RemoteError::Join)?;

    if !to_install.is_empty() {
        let http = download_http_client(policy).map_err(|source| RemoteError::Download {
            url: client.base_url().to_owned(),
            source,
        })?;
        let total = to_install.len();
        for (index, (plugin_id, item)) in to_install.into_iter().enumerate() {
            progress.item(index + 1, total, &plugin_id);
            let _guard = mark_remote_plugin_cache_mutation_in_flight(
                store.cache_root(),
                plugin_id.marketplace_name(),
                plugin_id.plugin_name(),
            );
            // An older version in the cache makes this an update; it stays active if the
            // new one fails to install.
            let was_cached = store.active_plugin_version(&plugin_id).is_some();
            let max_bytes = client.limits().max_bundle_bytes;
            match materialise(&http, store, &item, policy, max_bytes, progress).await {
                Ok(()) if was_cached => outcome.updated_plugin_ids.push(plugin_id.as_key()),
                Ok(()) => outcome.installed_plugin_ids.push(plugin_id.as_key()),
                Err(err) => {
                    tracing::warn!(remote_plugin_id = %item.item.id, error = %err, "failed to sync remote installed plugin bundle");
                    outcome.failed_remote_plugin_ids.push(item.item.id.clone());
                }
            }
        }
    }

    let blocking_store = store.clone();
    let removed =
        tokio::task::spawn_blocking(move || remove_stale_caches(&blocking_store, &installed_names))
            .await
            .map_err(RemoteError::Join)?;
    outcome.removed_cache_plugin_ids = removed;
    outcome.installed_plugin_ids.sort();
    outcome.updated_plugin_ids.sort();
    outcome.failed_remote_plugin_ids.sort();
    outcome.backfilled_plugin_ids.sort();
    Ok(outcome)
}

type Reconciled = (
    RemoteSyncOutcome,
    Vec<(PluginId, InstalledItem)>,
    HashMap<&'static str, BTreeSet<String>>,
);

/// Backfills sidecars of current bundles and returns the plugins that need a download, plus
/// the installed names per canonical marketplace.
fn reconcile_current(store: &PluginStore, items: Vec<InstalledItem>) -> Reconciled {
    let mut outcome = RemoteSyncOutcome::default();
    let mut to_install = Vec::new();
    let mut names: HashMap<&'static str, BTreeSet<String>> = HashMap::new();
    for item in items {
        let marketplace = match crate::marketplace::canonical_marketplace(&item.item) {
            Ok(marketplace) => marketplace,
            Err(err) => {
                tracing::warn!(remote_plugin_id = %item.item.id, error = %err, "skipping remote installed plugin");
                outcome.failed_remote_plugin_ids.push(item.item.id.clone());
                continue;
            }
        };
        names
            .entry(marketplace)
            .or_default()
            .insert(item.item.name.clone());
        let plugin_id = match local_plugin_id(&item.item) {
            Ok(id) => id,
            Err(err) => {
                tracing::warn!(remote_plugin_id = %item.item.id, error = %err, "skipping remote installed plugin with invalid local cache id");
                outcome.failed_remote_plugin_ids.push(item.item.id.clone());
                continue;
            }
        };
        let release_version = item
            .item
            .release
            .version
            .as_deref()
            .map(str::trim)
            .filter(|version| !version.is_empty());
        let active = store.active_plugin_version(&plugin_id);
        match (release_version, active.as_deref()) {
            (Some(release), Some(active)) if release == active => {
                match backfill_sidecar(store, &plugin_id, &item.item.id) {
                    Ok(()) => outcome.backfilled_plugin_ids.push(plugin_id.as_key()),
                    Err(err) => {
                        tracing::warn!(plugin_id = %plugin_id, error = %err, "failed to persist identity for cached remote installed plugin");
                        outcome.failed_remote_plugin_ids.push(item.item.id.clone());
                    }
                }
            }
            _ => to_install.push((plugin_id, item)),
        }
    }
    (outcome, to_install, names)
}

/// Writes the sidecar unless it already records `remote_id` (the bytes would be identical).
fn backfill_sidecar(
    store: &PluginStore,
    plugin_id: &PluginId,
    remote_id: &str,
) -> Result<(), berth_store::StoreError> {
    if store.remote_plugin_id(plugin_id).ok().flatten().as_deref() == Some(remote_id) {
        return Ok(());
    }
    store.write_remote_plugin_id(plugin_id, remote_id)
}

async fn materialise(
    http: &reqwest::Client,
    store: &PluginStore,
    item: &InstalledItem,
    policy: BundleUrlPolicy,
    max_bytes: u64,
    progress: &dyn DownloadProgress,
) -> Result<(), RemoteError> {
    let bundle = validate_remote_plugin_bundle(&item.item, policy)?;
    let bytes = download_bundle(http, &bundle, policy, max_bytes, progress).await?;
    let blocking_store = store.clone();
    tokio::task::spawn_blocking(move || {
        install_downloaded_bundle(&blocking_store, &bundle, &bytes).map(|_| ())
    })
    .await
    .map_err(RemoteError::Join)?
}

/// Removes entries under the remote marketplaces whose name is not installed remotely and
/// that have no cache mutation in flight. Failures are logged, never fatal.
fn remove_stale_caches(
    store: &PluginStore,
    installed: &HashMap<&'static str, BTreeSet<String>>,
) -> Vec<String> {
    let mut removed = Vec::new();
    let cache_root = store.cache_root();
    for marketplace in REMOTE_MARKETPLACES {
        let dir = cache_root.join(marketplace);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let keep = installed.get(marketplace);
        for entry in entries.flatten() {
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                tracing::warn!(path = %entry.path().display(), "skipping non-UTF-8 remote plugin cache entry");
                continue;
            };
            // Store staging and backup folders belong to an install in progress.
            if name.starts_with('.')
                || name.starts_with("plugin-install-")
                || name.starts_with("plugin-backup-")
                || keep.is_some_and(|names| names.contains(&name))
                || is_cache_mutation_in_flight(cache_root, marketplace, &name)
            {
                continue;
            }
            match berth_fs::remove_tree_within(cache_root, &entry.path()) {
                Ok(_) => removed.push(format!("{name}@{marketplace}")),
                Err(err) => {
                    tracing::warn!(path = %entry.path().display(), error = %err, "failed to remove stale remote plugin cache entry");
                }
            }
        }
    }
    removed.sort();
    removed
}

#[cfg(test)]
#[path = "sync_tests.rs"]
mod tests;
