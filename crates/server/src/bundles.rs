//! Bundle storage by content hash: the [`BundleStore`] trait and [`LocalBundleStore`], a folder of
//! `<sha256>.tar.gz` files. Object storage can implement the same trait later.

use std::io;
use std::path::{Path, PathBuf};

use crate::error::StoreError;

/// Where bundles live, keyed by the lowercase hex SHA-256 of their bytes. Methods block; the
/// server calls them through `spawn_blocking`.
pub trait BundleStore: Send + Sync + std::fmt::Debug + 'static {
    /// Stores `bytes` under `sha256_hex` (idempotent).
    fn put(&self, sha256_hex: &str, bytes: &[u8]) -> Result<(), StoreError>;
    /// The bytes stored under `sha256_hex`, or `None`.
    fn get(&self, sha256_hex: &str) -> Result<Option<Vec<u8>>, StoreError>;
}

/// True when `value` is 64 lowercase hex digits.
pub fn is_sha256_hex(value: &str) -> bool {
    value.len() == 64
        && value
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Bundles as files in one folder.
#[derive(Debug, Clone)]
pub struct LocalBundleStore {
    dir: PathBuf,
}

impl LocalBundleStore {
    /// A store in `dir` (created on first write).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path_for(&self, sha256_hex: &str) -> Result<PathBuf, StoreError> {
        if is_sha256_hex(sha256_hex) {
            Ok(self.dir.join(format!("{sha256_hex}.tar.gz")))
        } else {
            Err(StoreError::Bundle {
                path: self.dir.join(sha256_hex),
                source: io::Error::new(io::ErrorKind::InvalidInput, "not a SHA-256 hex digest"),
            })
        }
    }
}

impl BundleStore for LocalBundleStore {
    fn put(&self, sha256_hex: &str, bytes: &[u8]) -> Result<(), StoreError> {
        let path = self.path_for(sha256_hex)?;
        if path.is_file() {
            return Ok(());
        }
        std::fs::create_dir_all(&self.dir).map_err(|source| StoreError::Bundle {
            path: self.dir.clone(),
            source,
        })?;
        berth_fs::write_atomic(&path, bytes).map_err(|source| StoreError::Bundle { path, source })
    }

    fn get(&self, sha256_hex: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let path = self.path_for(sha256_hex)?;
        match std::fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(StoreError::Bundle { path, source }),
        }
    }
}
