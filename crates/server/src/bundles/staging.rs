//! [`StagedBundle`]: an upload written to a locked file in a store's staging folder while its
//! SHA-256 and size are computed, so the publish endpoint can stream a body to disk, validate
//! it and hand it to the store under its digest without ever holding it in memory.

use std::path::{Path, PathBuf};

use berth_fs::StagedFile;
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

    /// Opens the bytes written so far for reading from the start (e.g. to validate them).
    pub async fn reader(&mut self) -> Result<std::fs::File, StoreError> {
        self.writer
            .flush()
            .await
            .map_err(|source| self.error(source))?;
        std::fs::File::open(self.staged.path()).map_err(|source| self.error(source))
    }

    /// Waits for every write to reach the file; returns the file, its digest and size.
    pub(crate) async fn finish(mut self) -> Result<(StagedFile, String, u64), StoreError> {
        self.writer
            .flush()
            .await
            .map_err(|source| self.error(source))?;
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
