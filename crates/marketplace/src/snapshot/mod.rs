//! Git marketplace snapshots under `$CODEX_HOME/.tmp/marketplaces/`, laid out as Codex lays
//! them out: `<name>/` is a working copy (with `.git`) of the marketplace repository, and
//! `.staging/` holds checkouts in progress. [`MarketplaceSnapshots`] is the only owner of that
//! layout: it stages checkouts ([`MarketplaceSnapshots::stage`]), fetches marketplaces and Git
//! plugin sources into staging, moves a finished checkout into place atomically
//! ([`MarketplaceSnapshots::install`]), so a killed `git` leaves the previous snapshot intact,
//! and removes snapshots.

mod error;
mod fetch;
mod metadata;
mod staging;

use std::io;
use std::path::{Path, PathBuf};

use berth_fs::LockedFile;

pub use error::SnapshotError;
pub use fetch::{StagedCheckout, StagedMarketplace};
pub use metadata::{GitMarketplaceSource, INSTALL_METADATA_FILE, InstallMetadata};
pub use staging::StagingDir;

/// The snapshots folder relative to `CODEX_HOME`.
pub const MARKETPLACES_DIR: &str = ".tmp/marketplaces";

/// berth's own per-marketplace locks (Codex takes none on a snapshot); the leading dot keeps
/// the folder apart from every valid marketplace name.
const BERTH_LOCKS_DIR: &str = ".berth-locks";

/// Prefix of the backup folder of the two-step activation (Codex's name).
const BACKUP_PREFIX: &str = "marketplace-backup-";

/// How often activation retries when a concurrent process moves the snapshot meanwhile.
const ACTIVATION_ATTEMPTS: usize = 5;

/// The Git marketplace snapshots of one Codex home.
#[derive(Debug, Clone)]
pub struct MarketplaceSnapshots {
    root: PathBuf,
}

impl MarketplaceSnapshots {
    /// The snapshots of `codex_home` (nothing is created yet).
    pub fn new(codex_home: &Path) -> Self {
        Self {
            root: codex_home.join(MARKETPLACES_DIR),
        }
    }

    /// `$CODEX_HOME/.tmp/marketplaces`.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the snapshot of marketplace `name` lives.
    pub fn snapshot_root(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    /// Whether marketplace `name` has a snapshot (a folder holding a marketplace file).
    pub fn has_snapshot(&self, name: &str) -> bool {
        crate::find_marketplace_file(&self.snapshot_root(name)).is_some()
    }

    /// The metadata of `name`'s snapshot, if it has any.
    pub fn install_metadata(&self, name: &str) -> Result<Option<InstallMetadata>, SnapshotError> {
        InstallMetadata::read(&self.snapshot_root(name))
    }

    /// Serialises berth processes working on marketplace `name` (held until dropped). Codex
    /// takes no such lock; activation is safe against it on its own.
    pub fn lock(&self, name: &str) -> Result<LockedFile, SnapshotError> {
        let path = self.root.join(BERTH_LOCKS_DIR).join(format!("{name}.lock"));
        Ok(LockedFile::acquire(&path, &format!("marketplace {name}"))?)
    }

    /// Moves the staged marketplace into place as `.tmp/marketplaces/<name>` (replacing the
    /// previous snapshot atomically), writing its install metadata first when asked (Codex
    /// writes it on upgrades, not on adds). Returns the snapshot root.
    pub fn install(
        &self,
        staged: StagedMarketplace,
        write_metadata: bool,
    ) -> Result<PathBuf, SnapshotError> {
        let name = staged.marketplace.name.clone();
        let checkout = staged.checkout.root();
        if write_metadata {
            InstallMetadata::new(&staged.source, staged.checkout.revision()).write(&checkout)?;
        }
        let dest = self.snapshot_root(&name);
        self.activate(&checkout, &dest)?;
        // The previous snapshot, if any, now sits in the staging folder and goes with it.
        drop(staged);
        Ok(dest)
    }

    /// Removes marketplace `name`'s snapshot: it is first moved into a staging folder, so a
    /// crash never leaves half a snapshot in place. Returns whether one existed.
    pub fn remove(&self, name: &str) -> Result<bool, SnapshotError> {
        let dest = self.snapshot_root(name);
        if std::fs::symlink_metadata(&dest).is_err() {
            return Ok(false);
        }
        let trash = self.stage()?;
        match berth_fs::rename(&dest, &trash.checkout_path()) {
            Ok(()) => Ok(true),
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(source) => Err(SnapshotError::io(
                "failed to remove marketplace snapshot",
                dest,
                source,
            )),
        }
    }

    /// Puts `checkout` at `dest`: a rename when `dest` is free, else an atomic exchange (the
    /// old snapshot lands where `checkout` was). A concurrent Codex may move `dest` between
    /// the steps; each attempt re-checks.
    fn activate(&self, checkout: &Path, dest: &Path) -> Result<(), SnapshotError> {
        std::fs::create_dir_all(&self.root).map_err(|source| {
            SnapshotError::io(
                "failed to create marketplace snapshot folder",
                &self.root,
                source,
            )
        })?;
        let activate_error =
            |source| SnapshotError::io("failed to activate marketplace snapshot", dest, source);
        let mut last_error = None;
        for _ in 0..ACTIVATION_ATTEMPTS {
            let result = match std::fs::symlink_metadata(dest) {
                Err(err) if err.kind() == io::ErrorKind::NotFound => {
                    berth_fs::rename(checkout, dest)
                }
                Err(err) => return Err(activate_error(err)),
                Ok(_) => match berth_fs::rename_exchange(checkout, dest) {
                    Ok(true) => Ok(()),
                    Ok(false) => return self.activate_with_backup(checkout, dest),
                    Err(err) => Err(err),
                },
            };
            match result {
                Ok(()) => return Ok(()),
                // Someone moved the snapshot away or put one in place meanwhile: look again.
                Err(err)
                    if matches!(
                        err.kind(),
                        io::ErrorKind::NotFound
                            | io::ErrorKind::AlreadyExists
                            | io::ErrorKind::DirectoryNotEmpty
                    ) =>
                {
                    last_error = Some(err);
                }
                Err(err) => return Err(activate_error(err)),
            }
        }
        Err(activate_error(last_error.unwrap_or_else(|| {
            io::Error::other("the snapshot kept changing")
        })))
    }

    /// Two renames through a backup folder, for filesystems without an atomic exchange; the
    /// old snapshot is put back when the second rename fails.
    fn activate_with_backup(&self, checkout: &Path, dest: &Path) -> Result<(), SnapshotError> {
        let backup = tempfile::Builder::new()
            .prefix(BACKUP_PREFIX)
            .tempdir_in(&self.root)
            .map_err(|source| {
                SnapshotError::io(
                    "failed to create marketplace backup folder in",
                    &self.root,
                    source,
                )
            })?;
        let backup_root = backup.path().join("root");
        berth_fs::rename(dest, &backup_root).map_err(|source| {
            SnapshotError::io("failed to back up marketplace snapshot", dest, source)
        })?;
        if let Err(source) = berth_fs::rename(checkout, dest) {
            if let Err(err) = berth_fs::rename(&backup_root, dest) {
                tracing::warn!(
                    "failed to restore `{}` from `{}`: {err}",
                    dest.display(),
                    backup_root.display()
                );
                let _ = backup.keep();
            }
            return Err(SnapshotError::io(
                "failed to activate marketplace snapshot",
                dest,
                source,
            ));
        }
        let kept = backup.keep();
        if let Err(err) = berth_fs::remove_tree_within(&self.root, &kept) {
            tracing::warn!("failed to remove `{}`: {err}", kept.display());
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "snapshot_tests.rs"]
mod tests;
