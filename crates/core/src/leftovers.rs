//! The crash sweep every mutating operation starts with: what killed berth processes left in
//! the Codex home (install, backup and trash folders in the cache, remote install staging,
//! config temp files) is removed when its owner's lock is free, so a running berth is never
//! disturbed. Codex's own temp names and `$CODEX_HOME/.tmp/` are never touched.

use berth_config::ConfigStore;
use berth_store::PluginStore;

use crate::manager::PluginsManager;

/// What one sweep removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LeftoverSweep {
    /// Plugins whose stale install, backup or trash folders were swept.
    pub plugins: usize,
    /// Stale remote install staging folders removed.
    pub remote_staging: usize,
    /// Stale config temp files removed.
    pub config_temp_files: usize,
}

impl PluginsManager {
    /// Sweeps stale leftovers of killed berth processes (see the module docs). Cheap: a few
    /// directory listings. Failures are logged, never returned.
    pub fn sweep_stale_leftovers(&self) -> LeftoverSweep {
        sweep(&self.store, &self.config)
    }

    /// [`PluginsManager::sweep_stale_leftovers`] for async callers, on the blocking pool.
    pub async fn sweep_stale_leftovers_async(&self) -> LeftoverSweep {
        let (store, config) = (self.store.clone(), self.config.clone());
        tokio::task::spawn_blocking(move || sweep(&store, &config))
            .await
            .unwrap_or_default()
    }
}

fn sweep(store: &PluginStore, config: &ConfigStore) -> LeftoverSweep {
    let swept = LeftoverSweep {
        plugins: store.sweep_stale_leftovers(),
        remote_staging: berth_remote::sweep_remote_install_staging(store.codex_home()),
        config_temp_files: config.sweep_stale_temp_files(),
    };
    if swept != LeftoverSweep::default() {
        tracing::debug!(?swept, "swept leftovers of interrupted berth processes");
    }
    swept
}
