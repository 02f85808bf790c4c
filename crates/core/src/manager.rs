//! [`PluginsManager`] construction and the state it owns.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};

use berth_config::ConfigStore;
use berth_git::Git;
use berth_marketplace::MarketplaceSnapshots;
use berth_plugin::{NoopEventSink, PluginEvent, PluginEventSink, PluginId};
use berth_store::PluginStore;

use crate::ManagerError;

/// How to build a [`PluginsManager`].
#[derive(Debug, Clone)]
pub struct ManagerOptions {
    /// The Codex home (absolute), e.g. `~/.codex`.
    pub codex_home: PathBuf,
    /// The user's home folder, searched first for a marketplace (as Codex does).
    pub home_dir: Option<PathBuf>,
}

/// One owner of a Codex home's plugins: cache, config, marketplaces in scope (with their Git
/// snapshots), the remote identity snapshot, and the event sink every lifecycle action is
/// reported to.
pub struct PluginsManager {
    pub(crate) store: PluginStore,
    pub(crate) config: ConfigStore,
    pub(crate) home_dir: Option<PathBuf>,
    pub(crate) snapshots: MarketplaceSnapshots,
    pub(crate) git: Git,
    sink: RwLock<Arc<dyn PluginEventSink>>,
    /// Backend ids of remote plugins the service reports as installed, by local id.
    remote_snapshot: RwLock<Option<HashMap<PluginId, String>>>,
}

impl std::fmt::Debug for PluginsManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PluginsManager")
            .field("codex_home", &self.store.codex_home())
            .finish_non_exhaustive()
    }
}

impl PluginsManager {
    /// Opens the manager for a Codex home; nothing is read or written yet.
    pub fn new(options: ManagerOptions) -> Result<Self, ManagerError> {
        let store = PluginStore::try_new(&options.codex_home)?;
        let config = ConfigStore::new(&options.codex_home);
        Ok(Self {
            store,
            config,
            home_dir: options.home_dir,
            snapshots: MarketplaceSnapshots::new(&options.codex_home),
            git: Git::new(),
            sink: RwLock::new(Arc::new(NoopEventSink)),
            remote_snapshot: RwLock::new(None),
        })
    }

    /// Uses `config` as the user config instead of `<codex_home>/config.toml`: plugin state is
    /// then read from and recorded in that file (the app server's debug-only test hook that
    /// isolates a session from the real profile).
    #[must_use]
    pub fn with_user_config(mut self, config: ConfigStore) -> Self {
        self.config = config;
        self
    }

    /// Runs Git as `git` says (program, environment, time limit) instead of the default.
    #[must_use]
    pub fn with_git(mut self, git: Git) -> Self {
        self.git = git;
        self
    }

    /// Replaces the sink lifecycle events are reported to.
    pub fn set_event_sink(&self, sink: Arc<dyn PluginEventSink>) {
        *self.sink.write().unwrap_or_else(PoisonError::into_inner) = sink;
    }

    /// The Codex home.
    pub fn codex_home(&self) -> &Path {
        self.store.codex_home()
    }

    /// The plugin cache.
    pub fn store(&self) -> &PluginStore {
        &self.store
    }

    /// The user config.
    pub fn config(&self) -> &ConfigStore {
        &self.config
    }

    /// The Git marketplace snapshots.
    pub fn snapshots(&self) -> &MarketplaceSnapshots {
        &self.snapshots
    }

    /// Replaces the in-memory snapshot of remote plugins the service reports as installed
    /// (local id → backend id); `None` clears it (e.g. after an auth failure).
    pub fn set_remote_installed_snapshot(&self, snapshot: Option<HashMap<PluginId, String>>) {
        *self
            .remote_snapshot
            .write()
            .unwrap_or_else(PoisonError::into_inner) = snapshot;
    }

    /// Local ids of the remote plugins the service reports as installed (empty when no
    /// snapshot is known).
    pub fn remote_installed_plugin_ids(&self) -> Vec<PluginId> {
        self.remote_snapshot
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(|snapshot| snapshot.keys().cloned().collect())
            .unwrap_or_default()
    }

    pub(crate) fn remote_snapshot_id(&self, id: &PluginId) -> Option<String> {
        self.remote_snapshot
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .and_then(|snapshot| snapshot.get(id).cloned())
    }

    pub(crate) fn emit(&self, event: PluginEvent) {
        let sink = Arc::clone(&self.sink.read().unwrap_or_else(PoisonError::into_inner));
        sink.record(event);
    }
}
