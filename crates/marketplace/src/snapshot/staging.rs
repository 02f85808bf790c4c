//! Staging folders under `.tmp/marketplaces/.staging/`, with Codex's locking protocol so berth
//! and Codex share them: `.staging.lock` is held only while a `marketplace-<os>-XXXXXX` folder
//! and its `.lock` are created; that `.lock` is held for as long as the folder is in use; a
//! cleanup (under `.staging-cleanup.lock`, skipped when either lock is busy) removes the
//! folders whose `.lock` is free or missing: what a killed process left behind.

use std::path::{Path, PathBuf};

use berth_fs::LockedFile;

use super::{MarketplaceSnapshots, SnapshotError};

/// The staging area inside the snapshots folder.
pub(crate) const STAGING_DIR: &str = ".staging";
/// Held while a staging folder is created, and by the cleanup while it picks folders.
pub(crate) const STAGING_LOCK: &str = ".staging.lock";
/// Held for the whole cleanup.
pub(crate) const CLEANUP_LOCK: &str = ".staging-cleanup.lock";
/// The lock inside each staging folder.
const ENTRY_LOCK: &str = ".lock";
/// Where a checkout goes inside a staging folder.
const CHECKOUT_DIR: &str = "checkout";

/// The prefix of staging folders: Codex's, so each cleans up after the other.
pub(crate) fn staging_prefix() -> String {
    format!("marketplace-{}-", std::env::consts::OS)
}

/// A staging folder in use; removed (with everything in it) when dropped.
#[derive(Debug)]
pub struct StagingDir {
    staging_root: PathBuf,
    dir: PathBuf,
    _lock: LockedFile,
}

impl StagingDir {
    /// Where a checkout goes: `<staging folder>/checkout` (not created).
    pub fn checkout_path(&self) -> PathBuf {
        self.dir.join(CHECKOUT_DIR)
    }

    /// The staging folder.
    pub fn path(&self) -> &Path {
        &self.dir
    }
}

impl Drop for StagingDir {
    fn drop(&mut self) {
        // Removed while its lock is still held, so a cleanup never races the removal.
        if let Err(err) = berth_fs::remove_tree_within(&self.staging_root, &self.dir) {
            tracing::warn!(
                "failed to remove staging folder `{}` (the next upgrade removes it): {err}",
                self.dir.display()
            );
        }
    }
}

impl MarketplaceSnapshots {
    /// Creates a staging folder under Codex's staging lock.
    pub fn stage(&self) -> Result<StagingDir, SnapshotError> {
        let staging_root = self.root.join(STAGING_DIR);
        std::fs::create_dir_all(&staging_root).map_err(|source| {
            SnapshotError::io(
                "failed to create marketplace staging folder",
                &staging_root,
                source,
            )
        })?;
        let staging_lock =
            LockedFile::acquire(&self.root.join(STAGING_LOCK), "marketplace staging")?;
        let dir = tempfile::Builder::new()
            .prefix(&staging_prefix())
            .tempdir_in(&staging_root)
            .map_err(|source| {
                SnapshotError::io(
                    "failed to create a marketplace staging folder in",
                    &staging_root,
                    source,
                )
            })?
            .keep();
        let lock = LockedFile::acquire(&dir.join(ENTRY_LOCK), "marketplace staging folder")?;
        drop(staging_lock);
        Ok(StagingDir {
            staging_root,
            dir,
            _lock: lock,
        })
    }

    /// Removes staging folders nobody holds (left by a killed berth or codex). Best effort:
    /// skipped when another process is cleaning up or staging; failures are logged. Returns
    /// how many folders were removed.
    pub fn clean_abandoned_staging(&self) -> usize {
        let staging_root = self.root.join(STAGING_DIR);
        if !staging_root.is_dir() {
            return 0;
        }
        let cleanup = match LockedFile::try_acquire(
            &self.root.join(CLEANUP_LOCK),
            "marketplace staging cleanup",
        ) {
            Ok(Some(lock)) => lock,
            Ok(None) => return 0,
            Err(err) => {
                tracing::warn!("skipping marketplace staging cleanup: {err}");
                return 0;
            }
        };
        let abandoned = match self.abandoned_staging(&staging_root) {
            Ok(abandoned) => abandoned,
            Err(err) => {
                tracing::warn!("skipping marketplace staging cleanup: {err}");
                return 0;
            }
        };
        let mut removed = 0;
        for dir in abandoned {
            match berth_fs::remove_tree_within(&staging_root, &dir) {
                Ok(true) => removed += 1,
                Ok(false) => {}
                Err(err) => tracing::warn!(
                    "failed to remove abandoned staging folder `{}`: {err}",
                    dir.display()
                ),
            }
        }
        drop(cleanup);
        if removed > 0 {
            tracing::debug!("removed {removed} abandoned marketplace staging folder(s)");
        }
        removed
    }

    /// The staging folders whose `.lock` is missing or free, picked under `.staging.lock` so
    /// no folder is caught between its creation and the locking of its `.lock`.
    fn abandoned_staging(&self, staging_root: &Path) -> Result<Vec<PathBuf>, SnapshotError> {
        let Some(_staging_lock) =
            LockedFile::try_acquire(&self.root.join(STAGING_LOCK), "marketplace staging")?
        else {
            return Ok(Vec::new());
        };
        let prefix = staging_prefix();
        let entries = std::fs::read_dir(staging_root).map_err(|source| {
            SnapshotError::io(
                "failed to list marketplace staging folder",
                staging_root,
                source,
            )
        })?;
        let mut abandoned = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name();
            if !name.to_string_lossy().starts_with(&prefix)
                || !entry.file_type().is_ok_and(|kind| kind.is_dir())
            {
                continue;
            }
            let dir = entry.path();
            let lock_path = dir.join(ENTRY_LOCK);
            let free = if std::fs::symlink_metadata(&lock_path).is_err() {
                true
            } else {
                matches!(
                    LockedFile::try_acquire(&lock_path, "marketplace staging folder"),
                    Ok(Some(_))
                )
            };
            if free {
                abandoned.push(dir);
            }
        }
        Ok(abandoned)
    }
}
