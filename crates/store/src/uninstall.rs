//! Uninstalling a plugin: its base root is renamed to a trash dir (so readers see it vanish at
//! once), then deleted without ever following a symlink out of the cache.

use std::io;

use crate::error::StoreError;
use crate::lock::PluginLock;
use crate::sweep::{TRASH_PREFIX, ensure_not_symlink, sweep_leftovers};

impl PluginLock<'_> {
    /// Removes `cache/<marketplace>/<plugin>` with every version and the sidecar. Returns true
    /// if something was removed. A symlinked base root loses only the link.
    pub fn uninstall(&self) -> Result<bool, StoreError> {
        let store = self.store;
        sweep_leftovers(store, &self.id)?;
        let base_root = store.plugin_base_root(&self.id);
        let remove_error = |source| {
            StoreError::io(
                "failed to remove existing plugin cache entry",
                &base_root,
                source,
            )
        };
        let meta = match std::fs::symlink_metadata(&base_root) {
            Ok(meta) => meta,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(false),
            Err(err) => return Err(remove_error(err)),
        };
        if !meta.is_dir() {
            // A stray file or a symlink: remove just that entry.
            return berth_fs::remove_tree_within(store.cache_root(), &base_root)
                .map_err(remove_error);
        }
        ensure_not_symlink(&store.marketplace_root(&self.id))?;
        let trash = self.temp_dir(
            TRASH_PREFIX,
            "failed to create plugin cache backup directory",
        )?;
        match berth_fs::rename(&base_root, &trash.path().join(self.id.plugin_name())) {
            Ok(()) => {}
            // Another program (e.g. `codex plugin remove`) removed it first.
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(false),
            Err(err) => return Err(remove_error(err)),
        }
        tracing::debug!("uninstalled {} from `{}`", self.id, base_root.display());
        self.discard(trash);
        Ok(true)
    }
}
