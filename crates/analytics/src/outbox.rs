//! The durable outbox under `$CODEX_HOME/.berth/analytics-outbox/`: each batch is written here
//! (one file per batch, atomically, mode 0600) before it is sent, with the id it is sent under
//! (`Idempotency-Key`), and removed once the endpoint accepted or rejected it. A batch that
//! could not be delivered waits for the next process sending to the same endpoint. The outbox
//! is bounded by count, bytes and age; what the bounds drop is counted in `dropped.json`.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use berth_fs::LockedFile;
use serde::{Deserialize, Serialize};

/// The outbox folder, relative to the Codex home.
pub const OUTBOX_DIR: &str = ".berth/analytics-outbox";
/// The file counting what the bounds dropped.
pub const DROPPED_FILE: &str = "dropped.json";

const BATCH_SUFFIX: &str = ".batch";
const DELIVERY_LOCK: &str = ".deliver.lock";
const MAINTENANCE_LOCK: &str = ".maintenance.lock";
/// How long bound enforcement waits for another process's.
const MAINTENANCE_LOCK_TIMEOUT: Duration = Duration::from_secs(2);
/// A leftover temp file of an interrupted write older than this is removed.
const STALE_TEMP_AGE: Duration = Duration::from_secs(60 * 60);
/// Longest batch file read back; anything bigger is not one of ours.
const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// How much the outbox holds before the oldest batches are dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutboxLimits {
    /// Most batches kept.
    pub max_batches: usize,
    /// Most bytes kept (batch files together).
    pub max_bytes: u64,
    /// Batches older than this are dropped.
    pub max_age: Duration,
}

impl Default for OutboxLimits {
    fn default() -> Self {
        Self {
            max_batches: 256,
            max_bytes: 4 * 1024 * 1024,
            max_age: Duration::from_secs(7 * 24 * 60 * 60),
        }
    }
}

/// Batches and events the outbox bounds dropped, over every process of a Codex home.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxDropped {
    /// Batches dropped.
    pub batches: u64,
    /// Events in them.
    pub events: u64,
}

/// The first line of a batch file; the request body follows it.
#[derive(Debug, Serialize, Deserialize)]
struct Header {
    id: String,
    url: String,
    account_id: Option<String>,
    events: u64,
    created_at_ms: u64,
}

/// A batch in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredBatch {
    pub(crate) path: PathBuf,
    /// Sent as `Idempotency-Key`.
    pub(crate) id: String,
    pub(crate) account_id: Option<String>,
    pub(crate) events: u64,
    pub(crate) body: Vec<u8>,
}

impl StoredBatch {
    /// Removes this batch, delivered or refused for good.
    pub(crate) fn remove(&self) {
        if let Err(err) = fs::remove_file(&self.path)
            && err.kind() != io::ErrorKind::NotFound
        {
            tracing::debug!(path = %self.path.display(), "could not remove a delivered analytics batch: {err}");
        }
    }
}

/// The outbox of one Codex home.
#[derive(Debug, Clone)]
pub(crate) struct Outbox {
    dir: PathBuf,
    limits: OutboxLimits,
}

impl Outbox {
    pub(crate) fn new(codex_home: &Path, limits: OutboxLimits) -> Self {
        Self {
            dir: codex_home.join(OUTBOX_DIR),
            limits,
        }
    }

    /// Writes a batch for `url` under a new id, then applies the bounds.
    pub(crate) fn store(
        &self,
        url: &str,
        account_id: Option<&str>,
        body: Vec<u8>,
        events: u64,
    ) -> io::Result<StoredBatch> {
        create_private_dir(&self.dir)?;
        let id = uuid::Uuid::new_v4().to_string();
        let created_at_ms = millis_since_epoch(SystemTime::now());
        let header = Header {
            id: id.clone(),
            url: url.to_owned(),
            account_id: account_id.map(str::to_owned),
            events,
            created_at_ms,
        };
        let mut bytes = serde_json::to_vec(&header).map_err(io::Error::other)?;
        bytes.push(b'\n');
        bytes.extend_from_slice(&body);
        // The creation time leads the name, so names sort oldest first.
        let path = self
            .dir
            .join(format!("{created_at_ms:013}-{id}{BATCH_SUFFIX}"));
        berth_fs::write_atomic_with_mode(&path, &bytes, 0o600)?;
        self.enforce_limits();
        Ok(StoredBatch {
            path,
            id,
            account_id: header.account_id,
            events,
            body,
        })
    }

    /// The batches waiting for `url`, oldest first. Unreadable files are dropped and counted.
    pub(crate) fn pending(&self, url: &str) -> Vec<StoredBatch> {
        let mut batches = Vec::new();
        for path in self.batch_files() {
            match read_batch(&path) {
                Some((header, body)) if header.url == url => batches.push(StoredBatch {
                    path,
                    id: header.id,
                    account_id: header.account_id,
                    events: header.events,
                    body,
                }),
                Some(_) => {}
                None => self.drop_files(&[(path, 0)]),
            }
        }
        batches
    }

    /// Whether any batch is waiting (for any endpoint).
    pub(crate) fn has_pending(&self) -> bool {
        !self.batch_files().is_empty()
    }

    /// The delivery lock, when no other process (or task) is delivering this outbox.
    pub(crate) fn try_lock_delivery(&self) -> Option<LockedFile> {
        create_private_dir(&self.dir).ok()?;
        LockedFile::acquire_with_timeout(
            &self.dir.join(DELIVERY_LOCK),
            "analytics outbox delivery",
            Duration::ZERO,
        )
        .ok()
    }

    /// Drops batches past the age bound, then the oldest beyond the count and byte bounds,
    /// and removes leftovers of interrupted writes. Best effort: skipped when another process
    /// holds the maintenance lock for too long.
    pub(crate) fn enforce_limits(&self) {
        let Ok(_lock) = LockedFile::acquire_with_timeout(
            &self.dir.join(MAINTENANCE_LOCK),
            "analytics outbox maintenance",
            MAINTENANCE_LOCK_TIMEOUT,
        ) else {
            return;
        };
        let now = SystemTime::now();
        let mut kept: Vec<(PathBuf, u64, u64)> = Vec::new();
        let mut over_age = Vec::new();
        for path in self.batch_files() {
            let size = fs::metadata(&path).map_or(0, |meta| meta.len());
            let created = created_at_ms(&path).unwrap_or(0);
            let age = millis_since_epoch(now).saturating_sub(created);
            if u128::from(age) > self.limits.max_age.as_millis() {
                over_age.push(path);
            } else {
                kept.push((path, size, created));
            }
        }
        let mut dropped: Vec<(PathBuf, u64)> = over_age
            .into_iter()
            .map(|path| {
                let events = events_in(&path);
                (path, events)
            })
            .collect();
        let mut total: u64 = kept.iter().map(|(_, size, _)| size).sum();
        let mut count = kept.len();
        // Oldest first, as the file names sort.
        for (path, size, _) in &kept {
            if count <= self.limits.max_batches && total <= self.limits.max_bytes {
                break;
            }
            dropped.push((path.clone(), events_in(path)));
            count -= 1;
            total = total.saturating_sub(*size);
        }
        self.drop_files(&dropped);
        self.remove_stale_temp_files(now);
    }

    /// Removes `files` (path, events) and adds them to the dropped counts.
    fn drop_files(&self, files: &[(PathBuf, u64)]) {
        if files.is_empty() {
            return;
        }
        let mut dropped = OutboxDropped::default();
        for (path, events) in files {
            if fs::remove_file(path).is_ok() {
                dropped.batches += 1;
                dropped.events += events;
            }
        }
        if dropped.batches == 0 {
            return;
        }
        tracing::debug!(
            batches = dropped.batches,
            events = dropped.events,
            "analytics outbox full or expired; dropped the oldest batches"
        );
        let path = self.dir.join(DROPPED_FILE);
        let mut total = read_dropped(&path);
        total.batches += dropped.batches;
        total.events += dropped.events;
        let written = serde_json::to_vec(&total)
            .map_err(io::Error::other)
            .and_then(|bytes| berth_fs::write_atomic_with_mode(&path, &bytes, 0o600));
        if let Err(err) = written {
            tracing::debug!(path = %path.display(), "could not record dropped analytics batches: {err}");
        }
    }

    fn remove_stale_temp_files(&self, now: SystemTime) {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if !name.starts_with(".tmp") {
                continue;
            }
            let stale = entry
                .metadata()
                .and_then(|meta| meta.modified())
                .is_ok_and(|modified| {
                    now.duration_since(modified)
                        .is_ok_and(|age| age > STALE_TEMP_AGE)
                });
            if stale {
                let _ = fs::remove_file(entry.path());
            }
        }
    }

    /// Batch files, oldest first.
    fn batch_files(&self) -> Vec<PathBuf> {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut files: Vec<PathBuf> = entries
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| {
                path.file_name()
                    .and_then(|name| name.to_str())
                    .is_some_and(|name| name.ends_with(BATCH_SUFFIX))
            })
            .collect();
        files.sort();
        files
    }
}

/// What the outbox bounds of `codex_home` dropped so far.
pub fn outbox_dropped(codex_home: &Path) -> OutboxDropped {
    read_dropped(&codex_home.join(OUTBOX_DIR).join(DROPPED_FILE))
}

fn read_dropped(path: &Path) -> OutboxDropped {
    fs::read(path)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

/// The header and body of a batch file; `None` when it is not a readable batch.
fn read_batch(path: &Path) -> Option<(Header, Vec<u8>)> {
    let meta = fs::symlink_metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_FILE_BYTES {
        return None;
    }
    let bytes = fs::read(path).ok()?;
    let split = bytes.iter().position(|byte| *byte == b'\n')?;
    let header: Header = serde_json::from_slice(&bytes[..split]).ok()?;
    Some((header, bytes[split + 1..].to_vec()))
}

fn events_in(path: &Path) -> u64 {
    read_batch(path).map_or(0, |(header, _)| header.events)
}

/// The creation time a batch file's name starts with.
fn created_at_ms(path: &Path) -> Option<u64> {
    path.file_name()?.to_str()?.split('-').next()?.parse().ok()
}

fn millis_since_epoch(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |since| {
        u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
    })
}

/// Creates `dir` and its parents; a new outbox folder is private to the user.
fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

#[cfg(test)]
#[path = "outbox_tests.rs"]
mod tests;
