//! [`StagedBundle`]: an upload written to a locked file in a store's staging folder while its
//! SHA-256 and size are computed, so the publish endpoint can stream a body to disk, validate
//! it and hand it to the store under its digest without ever holding it in memory; and the
//! sweep of the scratch folders that validation extracts uploads into.

use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use berth_fs::{StagedFile, StaleFile};
use sha2::{Digest as _, Sha256};
use tokio::io::AsyncWriteExt as _;

use crate::error::StoreError;

/// An upload in a staging folder. Dropping it (a failed or cancelled upload) removes the file;
/// if the process is killed instead, the file's lock dies with it and the next sweep removes
/// it. Hand it to [`crate::BundleStore::put_staged`] to keep it.
#[derive(Debug)]
pub struct StagedBundle {
    staged: StagedFile,
    writer: tokio::fs::File,
    hasher: Sha256,
    len: u64,
}

impl StagedBundle {
    /// Creates a staged upload in `dir` (created if missing).
    pub async fn create_in(dir: PathBuf) -> Result<Self, StoreError> {
        let created = dir.clone();
        let staged = tokio::task::spawn_blocking(move || {
            let staged = StagedFile::create(&created, super::STAGED_PREFIX)?;
            let writer = staged.file().try_clone()?;
            Ok::<_, std::io::Error>((staged, writer))
        })
        .await
        .map_err(std::io::Error::other)
        .and_then(|result| result)
        .map_err(|source| StoreError::Bundle { path: dir, source })?;
        let (staged, writer) = staged;
        Ok(Self {
            staged,
            writer: tokio::fs::File::from_std(writer),
            hasher: Sha256::new(),
            len: 0,
        })
    }

    /// Appends `bytes`.
    pub async fn write(&mut self, bytes: &[u8]) -> Result<(), StoreError> {
        self.hasher.update(bytes);
        self.len += u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        self.writer
            .write_all(bytes)
            .await
            .map_err(|source| self.error(source))
    }

    /// Bytes written so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Lowercase hex SHA-256 of the bytes written so far.
    pub fn sha256_hex(&self) -> String {
        crate::db::hex(&self.hasher.clone().finalize())
    }

    /// The staged file's path.
    pub fn path(&self) -> &Path {
        self.staged.path()
    }

    /// Waits until every byte written so far is in the file, so it can be read back (e.g. to
    /// validate it) at [`StagedBundle::path`].
    pub async fn flush(&mut self) -> Result<(), StoreError> {
        self.writer
            .flush()
            .await
            .map_err(|source| self.error(source))
    }

    /// Waits for every write to reach the file; returns the file, its digest and size.
    pub(crate) async fn finish(mut self) -> Result<(StagedFile, String, u64), StoreError> {
        self.flush().await?;
        let sha256_hex = self.sha256_hex();
        Ok((self.staged, sha256_hex, self.len))
    }

    fn error(&self, source: std::io::Error) -> StoreError {
        StoreError::Bundle {
            path: self.staged.path().to_path_buf(),
            source,
        }
    }
}

/// Name prefix of the folders an upload is extracted into for validation.
pub(crate) const VALIDATION_SCRATCH_PREFIX: &str = ".berth-validate-";
/// How old a validation folder must be before a sweep removes it: a validation ends within
/// the publish timeout (10 minutes), so an older one was left by a killed server.
const SCRATCH_STALE_AFTER: Duration = Duration::from_secs(3600);

/// Finds the validation folders in `dir` older than an hour (left by a server killed while
/// validating) and removes them unless `dry_run`.
pub(crate) fn sweep_validation_scratch(dir: &Path, dry_run: bool) -> io::Result<Vec<StaleFile>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(err),
    };
    let mut stale = Vec::new();
    for entry in entries {
        let entry = entry?;
        let is_scratch = entry
            .file_name()
            .to_str()
            .is_some_and(|name| name.starts_with(VALIDATION_SCRATCH_PREFIX));
        let Ok(meta) = std::fs::symlink_metadata(entry.path()) else {
            continue;
        };
        let old = meta
            .modified()
            .ok()
            .and_then(|modified| modified.elapsed().ok())
            .is_some_and(|age| age >= SCRATCH_STALE_AFTER);
        if !(is_scratch && meta.is_dir() && old) {
            continue;
        }
        let path = entry.path();
        let bytes = tree_bytes(&path);
        if !dry_run {
            berth_fs::remove_tree_within(dir, &path)?;
        }
        stale.push(StaleFile { path, bytes });
    }
    Ok(stale)
}

/// Bytes of the regular files under `root`, without following links.
fn tree_bytes(root: &Path) -> u64 {
    let mut total = 0;
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            match entry.file_type() {
                Ok(kind) if kind.is_dir() => pending.push(entry.path()),
                Ok(kind) if kind.is_file() => {
                    total += entry.metadata().map_or(0, |meta| meta.len());
                }
                _ => {}
            }
        }
    }
    total
}
