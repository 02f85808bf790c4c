//! [`RemoteInstalledSnapshot`]: the service's installed list kept in memory, refreshed in the
//! background. Refreshes are single flight: requests made while one runs coalesce into one
//! more run with the newest client; auth failures clear the snapshot; other failures keep it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use berth_plugin::PluginId;
use tokio::sync::watch;

use crate::client::RemotePluginClient;
use crate::error::RemoteError;
use crate::marketplace::local_plugin_id;

/// One installed remote plugin as listing and telemetry need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteInstalledPlugin {
    /// `<name>@<canonical marketplace>`.
    pub plugin_id: PluginId,
    /// The backend id.
    pub remote_plugin_id: String,
    /// Whether it is enabled for the account.
    pub enabled: bool,
}

#[derive(Debug, Default)]
struct RefreshState {
    running: bool,
    pending: Option<RemotePluginClient>,
}

#[derive(Debug)]
struct Inner {
    plugins: Mutex<Option<Vec<RemoteInstalledPlugin>>>,
    state: Mutex<RefreshState>,
    /// Counts finished refresh runs, so callers can wait for the next one.
    completed: watch::Sender<u64>,
}

/// The in-memory installed snapshot; cheap to clone (shared).
#[derive(Debug, Clone)]
pub struct RemoteInstalledSnapshot {
    inner: Arc<Inner>,
}

impl Default for RemoteInstalledSnapshot {
    fn default() -> Self {
        Self::new()
    }
}

impl RemoteInstalledSnapshot {
    /// An empty snapshot (not yet loaded).
    pub fn new() -> Self {
        Self {
            inner: Arc::new(Inner {
                plugins: Mutex::new(None),
                state: Mutex::new(RefreshState::default()),
                completed: watch::channel(0).0,
            }),
        }
    }

    /// The current snapshot without waiting on the network; `None` until loaded or after an
    /// auth failure.
    pub fn get(&self) -> Option<Vec<RemoteInstalledPlugin>> {
        self.inner
            .plugins
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The snapshot as local id -> backend id, the shape the manager keeps.
    pub fn remote_ids(&self) -> Option<HashMap<PluginId, String>> {
        self.get().map(|plugins| {
            plugins
                .into_iter()
                .map(|plugin| (plugin.plugin_id, plugin.remote_plugin_id))
                .collect()
        })
    }

    fn set(&self, plugins: Option<Vec<RemoteInstalledPlugin>>) {
        *self
            .inner
            .plugins
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = plugins;
    }

    /// Fetches the installed list now and stores it (auth failures clear it).
    pub async fn refresh_now(&self, client: &RemotePluginClient) -> Result<(), RemoteError> {
        match fetch(client).await {
            Ok(plugins) => {
                self.set(Some(plugins));
                Ok(())
            }
            Err(err) => {
                if err.is_auth_error() {
                    self.set(None);
                }
                Err(err)
            }
        }
    }

    /// Schedules a background refresh on the current tokio runtime. While one runs, newer
    /// requests coalesce into a single follow-up run with the newest client.
    pub fn request_refresh(&self, client: RemotePluginClient) {
        {
            let mut state = self
                .inner
                .state
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if state.running {
                state.pending = Some(client);
                return;
            }
            state.running = true;
        }
        let this = self.clone();
        tokio::spawn(async move {
            let mut client = client;
            loop {
                if let Err(err) = this.refresh_now(&client).await {
                    tracing::warn!(error = %err, "failed to refresh remote installed plugins");
                }
                this.inner.completed.send_modify(|runs| *runs += 1);
                let mut state = this
                    .inner
                    .state
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                if let Some(next) = state.pending.take() {
                    client = next;
                } else {
                    state.running = false;
                    return;
                }
            }
        });
    }

    /// Waits until no refresh is running or pending.
    pub async fn wait_idle(&self) {
        let mut completed = self.inner.completed.subscribe();
        loop {
            let running = self
                .inner
                .state
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .running;
            if !running {
                return;
            }
            if completed.changed().await.is_err() {
                return;
            }
        }
    }
}

async fn fetch(client: &RemotePluginClient) -> Result<Vec<RemoteInstalledPlugin>, RemoteError> {
    let items = client.list_installed(false).await?;
    let mut plugins: Vec<RemoteInstalledPlugin> = items
        .into_iter()
        .filter_map(|item| match local_plugin_id(&item.item) {
            Ok(plugin_id) => Some(RemoteInstalledPlugin {
                plugin_id,
                remote_plugin_id: item.item.id,
                enabled: item.enabled,
            }),
            Err(err) => {
                tracing::warn!(error = %err, "skipping remote installed plugin in snapshot");
                None
            }
        })
        .collect();
    plugins.sort_by(|a, b| {
        (a.plugin_id.marketplace_name(), &a.remote_plugin_id)
            .cmp(&(b.plugin_id.marketplace_name(), &b.remote_plugin_id))
    });
    Ok(plugins)
}
