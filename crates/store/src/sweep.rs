//! Crash recovery: leftover `plugin-install-<plugin>.*`, `plugin-backup-<plugin>.*` and
//! `plugin-trash-<plugin>.*` dirs in a marketplace dir are removed, after putting an orphaned
//! backup back when the plugin's base root is missing. [`PluginStore::sweep_stale_leftovers`]
//! does it for every plugin whose lock is free (so a running install is never touched);
//! Codex's own `plugin-install-XXXXXX` dirs carry no owner and are left alone.

use std::io;
use std::path::{Path, PathBuf};

use berth_plugin::PluginId;

use crate::error::StoreError;
use crate::store::PluginStore;

/// Prefix of the staging dir of an install.
pub(crate) const INSTALL_PREFIX: &str = "plugin-install-";
/// Prefix of the dir holding the previous entry during a two-step swap.
pub(crate) const BACKUP_PREFIX: &str = "plugin-backup-";
/// Prefix of the dir holding entries on their way to deletion.
pub(crate) const TRASH_PREFIX: &str = "plugin-trash-";

/// Temp dir name prefix for `plugin`; plugin names never contain a dot, so the owner of a
/// temp dir is unambiguous.
pub(crate) fn temp_prefix(kind: &str, id: &PluginId) -> String {
    format!("{kind}{}.", id.plugin_name())
}

/// Fails if `path` exists and is a symlink: berth never writes through one.
pub(crate) fn ensure_not_symlink(path: &Path) -> Result<(), StoreError> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => Err(StoreError::SymlinkedCacheDir {
            path: path.to_path_buf(),
        }),
        Ok(_) => Ok(()),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(StoreError::io(
            "failed to inspect plugin cache directory",
            path,
            err,
        )),
    }
}

impl PluginStore {
    /// Sweeps what killed berth processes left in the cache, for every plugin nobody is
    /// installing now (its lock is free). Cheap: one directory listing per marketplace.
    /// Returns the number of plugins whose leftovers were swept; failures are logged.
    pub fn sweep_stale_leftovers(&self) -> usize {
        let Ok(marketplaces) = std::fs::read_dir(self.cache_root()) else {
            return 0;
        };
        let mut owners = std::collections::BTreeSet::new();
        for marketplace in marketplaces.filter_map(Result::ok) {
            let Some(marketplace_name) = marketplace.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            if marketplace_name.starts_with('.')
                || !marketplace.file_type().is_ok_and(|kind| kind.is_dir())
            {
                continue;
            }
            let Ok(entries) = std::fs::read_dir(marketplace.path()) else {
                continue;
            };
            for entry in entries.filter_map(Result::ok) {
                let name = entry.file_name();
                if let Some(owner) = name.to_str().and_then(leftover_owner)
                    && let Ok(id) = PluginId::new(owner.to_owned(), marketplace_name.clone())
                {
                    owners.insert(id);
                }
            }
        }
        let mut swept = 0;
        for id in owners {
            let lock_path = self.lock_path(&id);
            match berth_fs::LockedFile::try_acquire(&lock_path, &format!("plugin {id}")) {
                Ok(Some(_lock)) => match sweep_leftovers(self, &id) {
                    Ok(()) => swept += 1,
                    Err(err) => tracing::warn!("failed to sweep leftovers of {id}: {err}"),
                },
                Ok(None) => tracing::debug!("not sweeping {id}: another process holds its lock"),
                Err(err) => tracing::warn!("failed to sweep leftovers of {id}: {err}"),
            }
        }
        swept
    }
}

/// The plugin owning a berth temp dir name (`plugin-install-<plugin>.XXXXXX`); `None` for
/// anything else, including Codex's `plugin-install-XXXXXX`, which name no owner.
fn leftover_owner(name: &str) -> Option<&str> {
    let rest = [INSTALL_PREFIX, BACKUP_PREFIX, TRASH_PREFIX]
        .iter()
        .find_map(|prefix| name.strip_prefix(prefix))?;
    let (owner, _random) = rest.split_once('.')?;
    berth_plugin::validate_plugin_segment(owner, "plugin name")
        .is_ok()
        .then_some(owner)
}

/// Restores an orphaned backup and removes leftover temp dirs of `id`. Must run under the
/// plugin's lock. Removal failures are logged; the next operation retries.
pub(crate) fn sweep_leftovers(store: &PluginStore, id: &PluginId) -> Result<(), StoreError> {
    let marketplace_root = store.marketplace_root(id);
    ensure_not_symlink(&marketplace_root)?;
    let entries = match std::fs::read_dir(&marketplace_root) {
        Ok(entries) => entries,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(err) => {
            return Err(StoreError::io(
                "failed to read plugin cache directory",
                &marketplace_root,
                err,
            ));
        }
    };
    let prefixes = [INSTALL_PREFIX, BACKUP_PREFIX, TRASH_PREFIX].map(|kind| temp_prefix(kind, id));
    let mut leftovers: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|entry| {
            entry
                .file_name()
                .to_str()
                .is_some_and(|name| prefixes.iter().any(|prefix| name.starts_with(prefix)))
        })
        .map(|entry| entry.path())
        .collect();
    if leftovers.is_empty() {
        return Ok(());
    }
    leftovers.sort();
    let base_root = store.plugin_base_root(id);
    if matches!(std::fs::symlink_metadata(&base_root), Err(err) if err.kind() == io::ErrorKind::NotFound)
    {
        restore_backup(&leftovers, &prefixes[1], id, &base_root)?;
    }
    for leftover in leftovers {
        match berth_fs::remove_tree_within(store.cache_root(), &leftover) {
            Ok(_) => tracing::debug!("removed leftover `{}`", leftover.display()),
            Err(err) => tracing::warn!(
                "failed to remove leftover plugin cache temp dir `{}`: {err}",
                leftover.display()
            ),
        }
    }
    Ok(())
}

/// A backup dir holding `<plugin>` while the base root is missing means a swap died between
/// its two renames: the backup is the last complete entry, so it goes back.
fn restore_backup(
    leftovers: &[PathBuf],
    backup_prefix: &str,
    id: &PluginId,
    base_root: &Path,
) -> Result<(), StoreError> {
    let backup = leftovers.iter().find_map(|leftover| {
        let is_backup = leftover
            .file_name()
            .and_then(|name| name.to_str())
            .is_some_and(|name| name.starts_with(backup_prefix));
        let saved = leftover.join(id.plugin_name());
        let is_dir = std::fs::symlink_metadata(&saved).is_ok_and(|meta| meta.is_dir());
        (is_backup && is_dir).then_some(saved)
    });
    if let Some(saved) = backup {
        tracing::info!(
            "restoring plugin cache entry of {id} from interrupted install backup `{}`",
            saved.display()
        );
        berth_fs::rename(&saved, base_root).map_err(|source| {
            StoreError::io("failed to restore plugin cache backup", &saved, source)
        })?;
    }
    Ok(())
}
