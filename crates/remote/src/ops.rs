//! Remote install and uninstall in Codex's order: fetch with download URLs, refuse disabled or
//! unavailable plugins, materialise the cache first (download, verify, extract, install,
//! sidecar), then tell the service; uninstall tells the service first, then removes the cache.

use std::path::PathBuf;

use berth_plugin::PluginId;
use berth_service_protocol::{AuthenticationPolicy, InstallationPolicy, Status};
use berth_store::PluginStore;

use crate::bundle_install::install_downloaded_bundle;
use crate::client::RemotePluginClient;
use crate::download::{
    BundleUrlPolicy, DownloadProgress, download_bundle, download_http_client,
    validate_remote_plugin_bundle,
};
use crate::error::RemoteError;
use crate::guards::mark_remote_plugin_cache_mutation_in_flight;
use crate::marketplace::local_plugin_id;

/// What a remote install did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteInstallOutcome {
    /// `<name>@<canonical marketplace>`.
    pub plugin_id: PluginId,
    /// The backend id.
    pub remote_plugin_id: String,
    /// The installed release version.
    pub plugin_version: String,
    /// The installed version folder.
    pub installed_path: PathBuf,
    /// When the plugin's apps ask for authentication.
    pub authentication_policy: AuthenticationPolicy,
    /// App ids the user still has to authenticate.
    pub app_ids_needing_auth: Vec<String>,
}

/// What a remote uninstall did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteUninstallOutcome {
    /// `<name>@<canonical marketplace>`.
    pub plugin_id: PluginId,
    /// The backend id.
    pub remote_plugin_id: String,
    /// Whether a cache folder was removed.
    pub removed_cache: bool,
}

/// Installs the remote plugin `remote_id` into the cache of `store`, then on the service.
/// Any failure before the service call leaves the cache as it was; staging is cleaned.
pub async fn install_remote_plugin(
    client: &RemotePluginClient,
    store: &PluginStore,
    remote_id: &str,
    policy: BundleUrlPolicy,
    progress: &dyn DownloadProgress,
) -> Result<RemoteInstallOutcome, RemoteError> {
    let item = client.get_plugin(remote_id, true).await?;
    if item.status == Status::DisabledByAdmin {
        return Err(RemoteError::DisabledByAdmin {
            id: remote_id.to_owned(),
        });
    }
    if item.installation_policy == InstallationPolicy::NotAvailable {
        return Err(RemoteError::NotAvailable {
            id: remote_id.to_owned(),
        });
    }
    let plugin_id = local_plugin_id(&item)?;
    let _guard = mark_remote_plugin_cache_mutation_in_flight(
        store.cache_root(),
        plugin_id.marketplace_name(),
        plugin_id.plugin_name(),
    );
    let bundle = validate_remote_plugin_bundle(&item, policy)?;
    let was_cached = store.plugin_base_root(&plugin_id).exists();
    let http = download_http_client(policy).map_err(|source| RemoteError::Download {
        url: bundle.bundle_download_url.to_string(),
        source,
    })?;
    let bytes = download_bundle(
        &http,
        &bundle,
        policy,
        client.limits().max_bundle_bytes,
        progress,
    )
    .await?;
    let blocking_store = store.clone();
    let blocking_bundle = bundle.clone();
    let installed = tokio::task::spawn_blocking(move || {
        install_downloaded_bundle(&blocking_store, &blocking_bundle, &bytes)
    })
    .await
    .map_err(RemoteError::Join)??;
    let response = match client.install(remote_id).await {
        Ok(response) => response,
        Err(err) => {
            // The cache went first so the service never records an install whose files are
            // missing; when the service then refuses, a plugin that was not cached before
            // must not be left behind looking installed.
            if !was_cached {
                discard_fresh_cache(store, &plugin_id).await;
            }
            return Err(err);
        }
    };
    Ok(RemoteInstallOutcome {
        plugin_id,
        remote_plugin_id: remote_id.to_owned(),
        plugin_version: installed.plugin_version,
        installed_path: installed.installed_path,
        authentication_policy: item.authentication_policy,
        app_ids_needing_auth: response.app_ids_needing_auth,
    })
}

/// Removes the cache entry an install just created for `plugin_id`; a failure is logged, as
/// the install's own error is the one to report (the next sync removes what is left).
async fn discard_fresh_cache(store: &PluginStore, plugin_id: &PluginId) {
    let blocking_store = store.clone();
    let blocking_id = plugin_id.clone();
    let removed = tokio::task::spawn_blocking(move || blocking_store.uninstall(&blocking_id))
        .await
        .map_err(|err| err.to_string())
        .and_then(|result| result.map_err(|err| err.to_string()));
    if let Err(error) = removed {
        tracing::warn!(
            plugin = %plugin_id.as_key(),
            %error,
            "could not remove the cache of a remote install the service refused"
        );
    }
}

/// Uninstalls `remote_id` on the service, then removes its cache folder (sidecar included).
/// `before_cache_removal` runs after the service call and before the cache is touched, so
/// telemetry can still read the installed plugin; its value is returned with the outcome.
pub async fn uninstall_remote_plugin<T>(
    client: &RemotePluginClient,
    store: &PluginStore,
    remote_id: &str,
    before_cache_removal: impl FnOnce(&PluginId) -> T,
) -> Result<(RemoteUninstallOutcome, T), RemoteError> {
    let item = client.get_plugin(remote_id, false).await?;
    let plugin_id = local_plugin_id(&item)?;
    client.uninstall(remote_id).await?;
    let captured = before_cache_removal(&plugin_id);
    let _guard = mark_remote_plugin_cache_mutation_in_flight(
        store.cache_root(),
        plugin_id.marketplace_name(),
        plugin_id.plugin_name(),
    );
    let blocking_store = store.clone();
    let blocking_id = plugin_id.clone();
    let blocking_remote_id = remote_id.to_owned();
    let removed_cache = tokio::task::spawn_blocking(move || {
        remove_remote_cache(&blocking_store, &blocking_id, &blocking_remote_id)
    })
    .await
    .map_err(RemoteError::Join)??;
    Ok((
        RemoteUninstallOutcome {
            plugin_id,
            remote_plugin_id: remote_id.to_owned(),
            removed_cache,
        },
        captured,
    ))
}

/// Removes the plugin's cache folder and the legacy `cache/<marketplace>/<remote id>` one.
fn remove_remote_cache(
    store: &PluginStore,
    id: &PluginId,
    remote_id: &str,
) -> Result<bool, RemoteError> {
    let removed = store.uninstall(id).map_err(|source| RemoteError::Store {
        id: id.as_key(),
        source,
    })?;
    let legacy = store
        .cache_root()
        .join(id.marketplace_name())
        .join(remote_id);
    let legacy_removed = if remote_id == id.plugin_name() {
        false
    } else {
        berth_fs::remove_tree_within(store.cache_root(), &legacy).map_err(|source| {
            RemoteError::CacheRemove {
                path: legacy.clone(),
                source,
            }
        })?
    };
    Ok(removed || legacy_removed)
}
