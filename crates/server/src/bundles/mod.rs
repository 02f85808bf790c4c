//! Bundle storage by content hash: the [`BundleStore`] interface and its two stores, a folder
//! of `<sha256>.tar.gz` files ([`LocalBundleStore`], the default with `SQLite`) and chunks in
//! the database ([`DatabaseBundleStore`], the default with `PostgreSQL`, so every instance on
//! one database serves every bundle); uploads written to the store's staging folder first
//! ([`StagedBundle`]); downloads read back in bounded chunks ([`OpenedBundle`]).

mod database;
pub(crate) mod download;
mod folder;
mod staging;

use std::fmt;
use std::io;
use std::ops::Range;
use std::path::Path;
use std::pin::Pin;

use axum::body::Bytes;
use berth_fs::StaleFile;
use futures_util::stream::BoxStream;

use crate::error::StoreError;

pub use database::DatabaseBundleStore;
pub use folder::LocalBundleStore;
pub use staging::StagedBundle;
pub(crate) use staging::{VALIDATION_SCRATCH_PREFIX, sweep_validation_scratch};

/// Bytes read from storage at a time for a download, and the size of one database chunk: a
/// download holds a few of these in memory at most, whatever the bundle's size.
pub const CHUNK_BYTES: usize = 256 * 1024;

/// File-name prefix of staged uploads, by which sweeps recognise them.
pub const STAGED_PREFIX: &str = ".berth-upload-";

/// A boxed future, so [`BundleStore`] can be used as `dyn BundleStore`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A bundle's bytes, read a chunk at a time.
pub type ByteStream = BoxStream<'static, io::Result<Bytes>>;

/// Where bundles live, keyed by the lowercase hex SHA-256 of their bytes.
///
/// A bundle enters a store only through [`BundleStore::put_staged`], from a file already
/// complete in the store's staging folder, so a failed or killed upload never leaves a partial
/// bundle behind, and the staged file itself is removed on failure or swept later
/// ([`BundleStore::sweep_staging`]).
pub trait BundleStore: Send + Sync + fmt::Debug + 'static {
    /// Which kind of store this is.
    fn kind(&self) -> BundleStoreKind;

    /// Where the bundles are, for people: the folder, or the database.
    fn describe(&self) -> String;

    /// The folder uploads are staged in before they enter the store.
    fn staging_dir(&self) -> &Path;

    /// Moves a complete staged upload into the store under its digest. Storing a bundle that is
    /// already there only marks it as stored now (so a collection running at the same time
    /// keeps it).
    fn put_staged(&self, staged: StagedBundle) -> BoxFuture<'_, Result<StoredBundle, StoreError>>;

    /// Opens the bundle stored under `sha256_hex`, or `None`.
    fn open<'a>(
        &'a self,
        sha256_hex: &'a str,
    ) -> BoxFuture<'a, Result<Option<OpenedBundle>, StoreError>>;

    /// Every stored bundle, by digest.
    fn list(&self) -> BoxFuture<'_, Result<Vec<StoredEntry>, StoreError>>;

    /// Removes the bundle under `sha256_hex` if it was last stored before `stored_before`
    /// (Unix seconds), atomically with respect to [`BundleStore::put_staged`]; returns the bytes
    /// freed, or `None` when it was kept or absent.
    fn remove_if_stored_before<'a>(
        &'a self,
        sha256_hex: &'a str,
        stored_before: i64,
    ) -> BoxFuture<'a, Result<Option<u64>, StoreError>>;

    /// Starts a staged upload in this store's staging folder.
    fn stage(&self) -> BoxFuture<'_, Result<StagedBundle, StoreError>> {
        Box::pin(StagedBundle::create_in(self.staging_dir().to_path_buf()))
    }

    /// Stores `bytes` (staged first, like an upload).
    fn put_bytes<'a>(&'a self, bytes: &'a [u8]) -> BoxFuture<'a, Result<StoredBundle, StoreError>> {
        Box::pin(async move {
            let mut staged = self.stage().await?;
            staged.write(bytes).await?;
            self.put_staged(staged).await
        })
    }

    /// Finds the staged uploads whose writer is gone (a killed upload or publish) and removes
    /// them unless `dry_run`. Uploads in progress are never touched.
    fn sweep_staging(&self, dry_run: bool) -> BoxFuture<'_, Result<Vec<StaleFile>, StoreError>> {
        let dir = self.staging_dir().to_path_buf();
        Box::pin(async move {
            let swept = dir.clone();
            tokio::task::spawn_blocking(move || {
                berth_fs::sweep_staged(&swept, STAGED_PREFIX, dry_run)
            })
            .await
            .map_err(io::Error::other)
            .and_then(|result| result)
            .map_err(|source| StoreError::Bundle { path: dir, source })
        })
    }
}

/// The two kinds of bundle store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BundleStoreKind {
    /// Files in `<data-dir>/bundles`.
    Folder,
    /// Chunks in the database.
    Database,
}

impl BundleStoreKind {
    /// Parses `folder` or `database`.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "folder" => Some(Self::Folder),
            "database" => Some(Self::Database),
            _ => None,
        }
    }

    /// The name [`BundleStoreKind::parse`] accepts.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Folder => "folder",
            Self::Database => "database",
        }
    }
}

impl fmt::Display for BundleStoreKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A bundle put into a store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBundle {
    /// Lowercase hex SHA-256 of its bytes.
    pub sha256_hex: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// False when the store already held it.
    pub newly_stored: bool,
}

/// A bundle held by a store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    /// Lowercase hex SHA-256 of its bytes.
    pub sha256_hex: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// When it was last stored, in Unix seconds.
    pub stored_at: i64,
}

/// A bundle opened for reading: its size, and its bytes as a stream of bounded chunks.
pub struct OpenedBundle {
    size: u64,
    read: Box<dyn FnOnce(Range<u64>) -> ByteStream + Send>,
}

impl fmt::Debug for OpenedBundle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenedBundle")
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

impl OpenedBundle {
    /// A bundle of `size` bytes whose byte range `read` streams.
    pub fn new(size: u64, read: impl FnOnce(Range<u64>) -> ByteStream + Send + 'static) -> Self {
        Self {
            size,
            read: Box::new(read),
        }
    }

    /// Its size in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Streams the bytes in `range` (clamped to the size).
    pub fn stream(self, range: Range<u64>) -> ByteStream {
        let end = range.end.min(self.size);
        (self.read)(range.start.min(end)..end)
    }
}

/// True when `value` is 64 lowercase hex digits.
pub fn is_sha256_hex(value: &str) -> bool {
    value.len() == 64
        && value
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Opens the store of `kind` for a server whose data folder is `data_dir`: bundles in
/// `<data_dir>/bundles`, or in `db` with uploads staged in `<data_dir>/staging`.
pub fn open_store(
    kind: BundleStoreKind,
    db: &crate::db::Db,
    data_dir: &Path,
) -> std::sync::Arc<dyn BundleStore> {
    match kind {
        BundleStoreKind::Folder => {
            std::sync::Arc::new(LocalBundleStore::new(data_dir.join("bundles")))
        }
        BundleStoreKind::Database => std::sync::Arc::new(DatabaseBundleStore::new(
            db.clone(),
            data_dir.join("staging"),
        )),
    }
}

/// Copies into `store` the bundles a release references that are missing from it but present
/// in the folder `folder` (where berth kept every bundle before the database store existed), so
/// a deployment switching stores keeps serving every release. Returns how many were copied.
pub(crate) async fn adopt_folder_bundles(
    store: &dyn BundleStore,
    folder: &LocalBundleStore,
    referenced: &[String],
) -> Result<usize, StoreError> {
    use futures_util::TryStreamExt as _;
    let mut adopted = 0;
    for sha in referenced {
        if !is_sha256_hex(sha) || store.open(sha).await?.is_some() {
            continue;
        }
        let Some(opened) = folder.open(sha).await? else {
            continue;
        };
        let mut staged = store.stage().await?;
        let size = opened.size();
        let mut chunks = opened.stream(0..size);
        while let Some(chunk) = chunks
            .try_next()
            .await
            .map_err(|source| StoreError::Bundle {
                path: folder.dir().join(format!("{sha}.tar.gz")),
                source,
            })?
        {
            staged.write(&chunk).await?;
        }
        if staged.sha256_hex() != *sha {
            tracing::warn!(
                bundle = %sha,
                folder = %folder.dir().display(),
                "a bundle file in the folder does not match its name; not copied"
            );
            continue;
        }
        store.put_staged(staged).await?;
        adopted += 1;
    }
    Ok(adopted)
}
