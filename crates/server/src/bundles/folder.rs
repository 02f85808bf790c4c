//! [`LocalBundleStore`]: bundles as `<sha256>.tar.gz` files in one folder, uploads staged in the
//! same folder (so moving one into place is a rename on one filesystem), and a lock file beside
//! the folder (`bundles.lock`) under which bundles are put and collected, so `berth serve gc`
//! in another process never removes a bundle a publish has just stored again.

use std::io;
use std::os::unix::fs::FileExt as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use berth_fs::{LockedFile, StaleFile};
use futures_util::StreamExt as _;
use futures_util::stream;

use super::{
    BoxFuture, BundleStore, BundleStoreKind, ByteStream, CHUNK_BYTES, OpenedBundle, StagedBundle,
    StoredBundle, StoredEntry, is_sha256_hex,
};
use crate::error::StoreError;

/// Prefix of the temp files `berth publish` left in the bundle folder before uploads were
/// staged (tempfile's default); such a file this old is a leftover of a killed publish.
const LEGACY_TEMP_PREFIX: &str = ".tmp";
/// How old a legacy temp file must be before a sweep removes it.
const LEGACY_TEMP_GRACE: Duration = Duration::from_secs(3600);

/// Bundles as files in one folder.
#[derive(Debug, Clone)]
pub struct LocalBundleStore {
    dir: PathBuf,
    lock: PathBuf,
}

impl LocalBundleStore {
    /// A store in `dir` (created on first write), locked through `<dir>.lock`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        let dir = dir.into();
        let mut lock = dir.clone().into_os_string();
        lock.push(".lock");
        Self {
            dir,
            lock: PathBuf::from(lock),
        }
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path_for(&self, sha256_hex: &str) -> Result<PathBuf, StoreError> {
        if is_sha256_hex(sha256_hex) {
            Ok(self.dir.join(format!("{sha256_hex}.tar.gz")))
        } else {
            Err(bundle_error(
                self.dir.join(sha256_hex),
                io::Error::new(io::ErrorKind::InvalidInput, "not a SHA-256 hex digest"),
            ))
        }
    }

    fn locked(&self) -> Result<LockedFile, StoreError> {
        LockedFile::acquire(&self.lock, "bundle folder").map_err(StoreError::BundleLock)
    }

    /// Runs `work` on the blocking pool.
    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(Self) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let store = self.clone();
        tokio::task::spawn_blocking(move || work(store))
            .await
            .map_err(|join| bundle_error(self.dir.clone(), io::Error::other(join)))?
    }

    /// Removes temp files a `berth publish` older than staged uploads left when killed.
    fn sweep_legacy_temp_files(&self, dry_run: bool) -> Result<Vec<StaleFile>, StoreError> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => return Err(bundle_error(self.dir.clone(), source)),
        };
        let mut stale = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|source| bundle_error(self.dir.clone(), source))?;
            let is_legacy = entry
                .file_name()
                .to_str()
                .is_some_and(|name| name.starts_with(LEGACY_TEMP_PREFIX));
            let Ok(meta) = entry.metadata() else {
                continue;
            };
            let old = meta
                .modified()
                .ok()
                .and_then(|modified| modified.elapsed().ok())
                .is_some_and(|age| age >= LEGACY_TEMP_GRACE);
            if !(is_legacy && meta.is_file() && old) {
                continue;
            }
            let path = entry.path();
            if !dry_run {
                match std::fs::remove_file(&path) {
                    Ok(()) => {}
                    Err(err) if err.kind() == io::ErrorKind::NotFound => continue,
                    Err(source) => return Err(bundle_error(path, source)),
                }
            }
            stale.push(StaleFile {
                path,
                bytes: meta.len(),
            });
        }
        Ok(stale)
    }
}

fn bundle_error(path: PathBuf, source: io::Error) -> StoreError {
    StoreError::Bundle { path, source }
}

/// Unix seconds of a file's modification time.
fn modified_unix(meta: &std::fs::Metadata) -> i64 {
    meta.modified()
        .ok()
        .and_then(|modified| modified.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |since| {
            i64::try_from(since.as_secs()).unwrap_or(i64::MAX)
        })
}

impl BundleStore for LocalBundleStore {
    fn kind(&self) -> BundleStoreKind {
        BundleStoreKind::Folder
    }

    fn describe(&self) -> String {
        format!("the folder `{}`", self.dir.display())
    }

    fn staging_dir(&self) -> &Path {
        &self.dir
    }

    fn put_staged(&self, staged: StagedBundle) -> BoxFuture<'_, Result<StoredBundle, StoreError>> {
        Box::pin(async move {
            let (staged, sha256_hex, bytes) = staged.finish().await?;
            self.blocking(move |store| {
                let path = store.path_for(&sha256_hex)?;
                let _lock = store.locked()?;
                let existing = std::fs::File::options().write(true).open(&path);
                let newly_stored = match existing {
                    Ok(file) => {
                        // Stored already: mark it stored now, and let the staged copy go.
                        file.set_modified(SystemTime::now())
                            .map_err(|source| bundle_error(path.clone(), source))?;
                        false
                    }
                    Err(err) if err.kind() == io::ErrorKind::NotFound => {
                        staged
                            .persist(&path)
                            .map_err(|source| bundle_error(path.clone(), source))?;
                        true
                    }
                    Err(source) => return Err(bundle_error(path, source)),
                };
                Ok(StoredBundle {
                    sha256_hex,
                    bytes,
                    newly_stored,
                })
            })
            .await
        })
    }

    fn open<'a>(
        &'a self,
        sha256_hex: &'a str,
    ) -> BoxFuture<'a, Result<Option<OpenedBundle>, StoreError>> {
        let path = self.path_for(sha256_hex);
        Box::pin(async move {
            let path = path?;
            self.blocking(move |_| {
                let file = match std::fs::File::open(&path) {
                    Ok(file) => file,
                    Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
                    Err(source) => return Err(bundle_error(path, source)),
                };
                let size = file
                    .metadata()
                    .map_err(|source| bundle_error(path.clone(), source))?
                    .len();
                let file = Arc::new(file);
                Ok(Some(OpenedBundle::new(size, move |range| {
                    file_stream(file, range)
                })))
            })
            .await
        })
    }

    fn list(&self) -> BoxFuture<'_, Result<Vec<StoredEntry>, StoreError>> {
        Box::pin(self.blocking(|store| {
            let entries = match std::fs::read_dir(&store.dir) {
                Ok(entries) => entries,
                Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
                Err(source) => return Err(bundle_error(store.dir, source)),
            };
            let mut bundles = Vec::new();
            for entry in entries {
                let entry = entry.map_err(|source| bundle_error(store.dir.clone(), source))?;
                let name = entry.file_name();
                let Some(sha) = name
                    .to_str()
                    .and_then(|name| name.strip_suffix(".tar.gz"))
                    .filter(|sha| is_sha256_hex(sha))
                else {
                    continue;
                };
                let meta = match entry.metadata() {
                    Ok(meta) if meta.is_file() => meta,
                    Ok(_) => continue,
                    Err(err) if err.kind() == io::ErrorKind::NotFound => continue,
                    Err(source) => return Err(bundle_error(entry.path(), source)),
                };
                bundles.push(StoredEntry {
                    sha256_hex: sha.to_owned(),
                    bytes: meta.len(),
                    stored_at: modified_unix(&meta),
                });
            }
            bundles.sort_by(|a, b| a.sha256_hex.cmp(&b.sha256_hex));
            Ok(bundles)
        }))
    }

    fn remove_if_stored_before<'a>(
        &'a self,
        sha256_hex: &'a str,
        stored_before: i64,
    ) -> BoxFuture<'a, Result<Option<u64>, StoreError>> {
        let path = self.path_for(sha256_hex);
        Box::pin(async move {
            let path = path?;
            self.blocking(move |store| {
                let _lock = store.locked()?;
                let meta = match std::fs::symlink_metadata(&path) {
                    Ok(meta) if meta.is_file() => meta,
                    Ok(_) => return Ok(None),
                    Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
                    Err(source) => return Err(bundle_error(path, source)),
                };
                if modified_unix(&meta) >= stored_before {
                    return Ok(None);
                }
                std::fs::remove_file(&path).map_err(|source| bundle_error(path, source))?;
                Ok(Some(meta.len()))
            })
            .await
        })
    }

    fn sweep_staging(&self, dry_run: bool) -> BoxFuture<'_, Result<Vec<StaleFile>, StoreError>> {
        Box::pin(self.blocking(move |store| {
            let mut stale = berth_fs::sweep_staged(&store.dir, super::STAGED_PREFIX, dry_run)
                .map_err(|source| bundle_error(store.dir.clone(), source))?;
            stale.extend(store.sweep_legacy_temp_files(dry_run)?);
            Ok(stale)
        }))
    }
}

/// Streams `range` of `file` in chunks of at most [`CHUNK_BYTES`], each read on the blocking
/// pool when the previous one has been sent.
pub(super) fn file_stream(file: Arc<std::fs::File>, range: std::ops::Range<u64>) -> ByteStream {
    let end = range.end;
    stream::try_unfold(range.start, move |offset| {
        let file = Arc::clone(&file);
        async move {
            if offset >= end {
                return Ok(None);
            }
            let len = usize::try_from(end - offset)
                .unwrap_or(usize::MAX)
                .min(CHUNK_BYTES);
            let chunk = tokio::task::spawn_blocking(move || {
                let mut buffer = vec![0; len];
                file.read_exact_at(&mut buffer, offset)?;
                Ok::<_, io::Error>(Bytes::from(buffer))
            })
            .await
            .map_err(io::Error::other)??;
            Ok(Some((chunk, offset + len as u64)))
        }
    })
    .boxed()
}
