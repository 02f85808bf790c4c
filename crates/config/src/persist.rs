//! Atomic replacement of the config file and the cross-process lock that serialises edits.
//!
//! TODO: switch to berth-fs (`berth_fs::write_atomic`, `berth_fs::LockedFile::acquire`) once it
//! lands; this module is the only place that needs to change.

#[cfg(unix)]
use std::fs::Permissions;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

/// How many symlinks [`resolve_symlinks`] follows before giving up, like the kernel's `ELOOP`.
const MAX_SYMLINK_HOPS: usize = 40;

/// How long to sleep between attempts while another process holds the lock.
const LOCK_POLL_INTERVAL: Duration = Duration::from_millis(10);

/// Follows `path` through any chain of symlinks to the file that should actually be written.
///
/// Unlike `fs::canonicalize` this works for a dangling link (its target is created) and keeps
/// the rest of the path as given.
pub(crate) fn resolve_symlinks(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_SYMLINK_HOPS {
        match fs::symlink_metadata(&current) {
            Ok(metadata) if metadata.file_type().is_symlink() => {
                let target = fs::read_link(&current)?;
                current = match current.parent() {
                    Some(parent) if target.is_relative() => parent.join(target),
                    _ => target,
                };
            }
            Ok(_) => return Ok(current),
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(current),
            Err(err) => return Err(err),
        }
    }
    Err(io::Error::other(format!(
        "more than {MAX_SYMLINK_HOPS} levels of symbolic links"
    )))
}

/// Writes `bytes` to `path` so that readers see either the old or the new contents, never a
/// torn file: a temp file in the same directory is written, synced and renamed over `path`.
///
/// An existing file's permissions are kept; a new file gets the usual `0o666 & !umask`.
pub(crate) fn atomic_write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let existing_permissions = match fs::metadata(path) {
        Ok(metadata) => Some(metadata.permissions()),
        Err(err) if err.kind() == io::ErrorKind::NotFound => None,
        Err(err) => return Err(err),
    };
    let file_name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = format!(".{file_name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        builder.permissions(Permissions::from_mode(0o666));
    }
    let mut temp = builder.tempfile_in(dir)?;
    if let Some(permissions) = existing_permissions {
        temp.as_file().set_permissions(permissions)?;
    }
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|err| err.error)?;
    sync_dir(dir);
    Ok(())
}

/// Makes the rename durable. Best effort: some filesystems refuse to sync a directory.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Err(err) = File::open(dir).and_then(|handle| handle.sync_all()) {
        tracing::debug!(dir = %dir.display(), %err, "could not sync directory after rename");
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// An exclusive advisory lock on a lock file, released when dropped.
#[derive(Debug)]
pub(crate) struct ConfigLock {
    file: File,
}

/// Why [`ConfigLock::acquire`] failed.
#[derive(Debug)]
pub(crate) enum LockFailure {
    /// Opening or locking the lock file failed.
    Io(io::Error),
    /// Another process held the lock for longer than the timeout.
    TimedOut,
}

impl ConfigLock {
    /// Takes the exclusive lock on `lock_path`, creating the file (and its directory) if needed,
    /// waiting up to `timeout` for another holder to release it.
    pub(crate) fn acquire(lock_path: &Path, timeout: Duration) -> Result<Self, LockFailure> {
        if let Some(parent) = lock_path.parent() {
            fs::create_dir_all(parent).map_err(LockFailure::Io)?;
        }
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(lock_path)
            .map_err(LockFailure::Io)?;
        let deadline = Instant::now() + timeout;
        let mut logged = false;
        loop {
            if fs4::fs_std::FileExt::try_lock_exclusive(&file).map_err(LockFailure::Io)? {
                return Ok(Self { file });
            }
            if Instant::now() >= deadline {
                return Err(LockFailure::TimedOut);
            }
            if !logged {
                tracing::info!(lock = %lock_path.display(), "waiting for the config lock");
                logged = true;
            }
            thread::sleep(LOCK_POLL_INTERVAL);
        }
    }
}

impl Drop for ConfigLock {
    fn drop(&mut self) {
        if let Err(err) = fs4::fs_std::FileExt::unlock(&self.file) {
            tracing::warn!(%err, "failed to release the config lock; it is released on close");
        }
    }
}

#[cfg(test)]
#[path = "persist_tests.rs"]
mod tests;
