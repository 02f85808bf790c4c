//! Remote plugin operations of [`PluginsManager`]: install, uninstall, startup bundle sync and
//! the installed-snapshot refresh, each reported through the manager's telemetry
//! constructors with both the local and the backend id.
//!
//! The manager is synchronous; these methods are `async` because they await the plugin
//! service. A synchronous caller (the CLI) builds a current-thread tokio runtime and
//! `block_on`s them; disk work inside `berth-remote` runs on `spawn_blocking`.

use berth_plugin::{PluginEvent, PluginState};
use berth_remote::{
    BundleUrlPolicy, DownloadProgress, RemoteError, RemoteInstallOutcome, RemoteInstalledSnapshot,
    RemotePluginClient, RemoteSyncOutcome, RemoteUninstallOutcome, local_plugin_id,
};
use berth_service_protocol::InstalledItem;
use berth_store::PluginStore;

use crate::manager::PluginsManager;
use crate::{OutdatedPlugin, PluginUpdate, UpdateKind};

impl PluginsManager {
    /// Installs the remote plugin `remote_id` (cache first, then the service), reports
    /// `codex_plugin_installed` with both ids, and refreshes the installed snapshot.
    pub async fn install_remote_plugin(
        &self,
        client: &RemotePluginClient,
        remote_id: &str,
        policy: BundleUrlPolicy,
        progress: &dyn DownloadProgress,
    ) -> Result<RemoteInstallOutcome, RemoteError> {
        self.sweep_stale_leftovers_async().await;
        let outcome =
            berth_remote::install_remote_plugin(client, self.store(), remote_id, policy, progress)
                .await?;
        let metadata = self.telemetry_metadata_for_installed_plugin_with_remote_id(
            &outcome.plugin_id,
            &outcome.remote_plugin_id,
        );
        self.emit(PluginEvent::StateChanged {
            state: PluginState::Installed,
            metadata,
        });
        self.refresh_remote_installed_snapshot_best_effort(client)
            .await;
        Ok(outcome)
    }

    /// Uninstalls `remote_id` on the service, captures telemetry before removing the cache,
    /// reports `codex_plugin_uninstalled` with both ids, and refreshes the snapshot.
    pub async fn uninstall_remote_plugin(
        &self,
        client: &RemotePluginClient,
        remote_id: &str,
    ) -> Result<RemoteUninstallOutcome, RemoteError> {
        self.sweep_stale_leftovers_async().await;
        let (outcome, metadata) =
            berth_remote::uninstall_remote_plugin(client, self.store(), remote_id, |plugin_id| {
                self.telemetry_metadata_for_installed_plugin_with_remote_id(plugin_id, remote_id)
            })
            .await?;
        self.emit(PluginEvent::StateChanged {
            state: PluginState::Uninstalled,
            metadata,
        });
        self.refresh_remote_installed_snapshot_best_effort(client)
            .await;
        Ok(outcome)
    }

    /// Runs the startup bundle sync for this home's cache, then refreshes the snapshot.
    pub async fn sync_remote_plugins(
        &self,
        client: &RemotePluginClient,
        policy: BundleUrlPolicy,
        progress: &dyn DownloadProgress,
    ) -> Result<RemoteSyncOutcome, RemoteError> {
        self.sweep_stale_leftovers_async().await;
        let outcome = berth_remote::sync_remote_installed_plugin_bundles(
            client,
            self.store(),
            policy,
            progress,
        )
        .await?;
        self.refresh_remote_installed_snapshot_best_effort(client)
            .await;
        Ok(outcome)
    }

    /// Fetches the service's installed list and feeds it to
    /// [`PluginsManager::set_remote_installed_snapshot`]; auth failures clear it.
    pub async fn refresh_remote_installed_snapshot(
        &self,
        client: &RemotePluginClient,
    ) -> Result<(), RemoteError> {
        let snapshot = RemoteInstalledSnapshot::new();
        let result = snapshot.refresh_now(client).await;
        match &result {
            Ok(()) => self.set_remote_installed_snapshot(snapshot.remote_ids()),
            Err(err) if err.is_auth_error() => self.set_remote_installed_snapshot(None),
            Err(_) => {}
        }
        result
    }

    /// Remote plugins the service reports as installed whose cached version differs from the
    /// release the service offers now (plugins not cached yet are `plugin sync`'s job).
    pub async fn outdated_remote_plugins(
        &self,
        client: &RemotePluginClient,
    ) -> Result<Vec<OutdatedPlugin>, RemoteError> {
        let items = client.list_installed(false).await?;
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || outdated_in_cache(&store, items))
            .await
            .map_err(RemoteError::Join)
    }

    /// Installs the release the service offers for `outdated` (downloaded, verified, swapped
    /// in; the previous version stays if anything fails) and reports `codex_plugin_installed`.
    pub async fn update_remote_plugin(
        &self,
        client: &RemotePluginClient,
        outdated: &OutdatedPlugin,
        policy: BundleUrlPolicy,
        progress: &dyn DownloadProgress,
    ) -> Result<PluginUpdate, RemoteError> {
        let remote_id = outdated.remote_plugin_id.as_deref().ok_or_else(|| {
            RemoteError::InvalidRemotePluginId {
                id: outdated.plugin_id.as_key(),
            }
        })?;
        let outcome = self
            .install_remote_plugin(client, remote_id, policy, progress)
            .await?;
        Ok(PluginUpdate {
            plugin_id: outcome.plugin_id,
            previous_version: Some(outdated.installed_version.clone()),
            version: outcome.plugin_version,
        })
    }

    async fn refresh_remote_installed_snapshot_best_effort(&self, client: &RemotePluginClient) {
        if let Err(err) = self.refresh_remote_installed_snapshot(client).await {
            tracing::warn!(error = %err, "failed to refresh remote installed plugins after a change");
        }
    }
}

/// The installed items whose release version differs from the active cache version.
fn outdated_in_cache(store: &PluginStore, items: Vec<InstalledItem>) -> Vec<OutdatedPlugin> {
    let mut outdated: Vec<OutdatedPlugin> = items
        .into_iter()
        .filter_map(|installed| {
            let plugin_id = local_plugin_id(&installed.item).ok()?;
            let release = installed
                .item
                .release
                .version
                .as_deref()
                .map(str::trim)
                .filter(|version| !version.is_empty())?
                .to_owned();
            let active = store.active_plugin_version(&plugin_id)?;
            (active != release).then_some(OutdatedPlugin {
                plugin_id,
                installed_version: active,
                available_version: release,
                kind: UpdateKind::Remote,
                remote_plugin_id: Some(installed.item.id),
            })
        })
        .collect();
    outdated.sort_by(|a, b| a.plugin_id.cmp(&b.plugin_id));
    outdated
}
