//! [`LockedFile`]: a cross-process advisory lock on a file (exclusive, or shared among
//! several holders), held until drop. It tries without waiting first, then logs and waits up
//! to a timeout (`BERTH_LOCK_TIMEOUT`); [`LockedFile::try_acquire`] never waits, for sweeps
//! that only act on what nobody holds.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use fs4::fs_std::FileExt;

pub use crate::env_vars::LOCK_TIMEOUT_ENV;

/// How long [`LockedFile::acquire`] waits for a busy lock by default.
pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(120);

/// Longest pause between two lock attempts while waiting.
const MAX_POLL_INTERVAL: Duration = Duration::from_millis(50);

/// Why a lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// The lock file or its directory could not be created or opened, or locking failed.
    #[error("failed to lock `{}` ({resource})", path.display())]
    Io {
        /// The lock file.
        path: PathBuf,
        /// What the lock protects.
        resource: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Another holder kept the lock for longer than the timeout.
    #[error(
        "timed out after {} waiting for the lock on `{}` ({resource}); another berth or codex process may hold it (set {LOCK_TIMEOUT_ENV} to wait longer)",
        format_duration(*timeout),
        path.display()
    )]
    Timeout {
        /// The lock file.
        path: PathBuf,
        /// What the lock protects.
        resource: String,
        /// How long we waited.
        timeout: Duration,
    },
}

/// A lock on a file; released when dropped.
#[derive(Debug)]
pub struct LockedFile {
    file: File,
    path: PathBuf,
}

/// Exclusive or shared.
#[derive(Debug, Clone, Copy)]
enum Mode {
    Exclusive,
    Shared,
}

impl Mode {
    fn try_lock(self, file: &File) -> std::io::Result<bool> {
        match self {
            Self::Exclusive => FileExt::try_lock_exclusive(file),
            Self::Shared => FileExt::try_lock_shared(file),
        }
    }
}

impl LockedFile {
    /// Locks `path` exclusively (creating it and its parents), waiting up to the timeout taken
    /// from `BERTH_LOCK_TIMEOUT` (default 120 s). `resource` names what the lock protects in
    /// logs and errors.
    pub fn acquire(path: &Path, resource: &str) -> Result<Self, LockError> {
        let env_value = std::env::var(LOCK_TIMEOUT_ENV).ok();
        Self::acquire_with_timeout(
            path,
            resource,
            lock_timeout_from_env_value(env_value.as_deref()),
        )
    }

    /// Like [`LockedFile::acquire`] with an explicit timeout.
    pub fn acquire_with_timeout(
        path: &Path,
        resource: &str,
        timeout: Duration,
    ) -> Result<Self, LockError> {
        Self::acquire_mode(path, resource, timeout, Mode::Exclusive)
    }

    /// A shared lock: any number of shared holders at once, none while an exclusive holder
    /// has it. Waits up to `timeout`.
    pub fn acquire_shared_with_timeout(
        path: &Path,
        resource: &str,
        timeout: Duration,
    ) -> Result<Self, LockError> {
        Self::acquire_mode(path, resource, timeout, Mode::Shared)
    }

    /// Locks `path` exclusively if nobody holds it, without waiting: `Ok(None)` when another
    /// holder (in this or another process) has it.
    pub fn try_acquire(path: &Path, resource: &str) -> Result<Option<Self>, LockError> {
        let file = open_lock_file(path, resource)?;
        let locked = Mode::Exclusive
            .try_lock(&file)
            .map_err(|source| io_error(path, resource, source))?;
        Ok(locked.then(|| Self {
            file,
            path: path.to_path_buf(),
        }))
    }

    fn acquire_mode(
        path: &Path,
        resource: &str,
        timeout: Duration,
        mode: Mode,
    ) -> Result<Self, LockError> {
        let file = open_lock_file(path, resource)?;
        let try_lock = |file: &File| {
            mode.try_lock(file)
                .map_err(|source| io_error(path, resource, source))
        };
        if try_lock(&file)? {
            return Ok(Self {
                file,
                path: path.to_path_buf(),
            });
        }
        tracing::info!(
            "waiting for the lock on `{}` ({resource}); another berth or codex process holds it",
            path.display()
        );
        let deadline = Instant::now() + timeout;
        let mut interval = Duration::from_millis(1);
        loop {
            let now = Instant::now();
            if now >= deadline {
                return Err(LockError::Timeout {
                    path: path.to_path_buf(),
                    resource: resource.to_owned(),
                    timeout,
                });
            }
            thread::sleep(interval.min(deadline - now));
            interval = (interval * 2).min(MAX_POLL_INTERVAL);
            if try_lock(&file)? {
                tracing::debug!("acquired the lock on `{}` ({resource})", path.display());
                return Ok(Self {
                    file,
                    path: path.to_path_buf(),
                });
            }
        }
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for LockedFile {
    fn drop(&mut self) {
        if let Err(err) = FileExt::unlock(&self.file) {
            tracing::warn!("failed to unlock `{}`: {err}", self.path.display());
        }
    }
}

fn io_error(path: &Path, resource: &str, source: std::io::Error) -> LockError {
    LockError::Io {
        path: path.to_path_buf(),
        resource: resource.to_owned(),
        source,
    }
}

/// Opens the lock file, creating it and its parents.
fn open_lock_file(path: &Path, resource: &str) -> Result<File, LockError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|source| io_error(path, resource, source))?;
    }
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|source| io_error(path, resource, source))
}

/// Parses a `BERTH_LOCK_TIMEOUT` value (whole seconds). Absent or unparsable values give
/// [`DEFAULT_LOCK_TIMEOUT`]; an unparsable one is logged.
pub fn lock_timeout_from_env_value(value: Option<&str>) -> Duration {
    let Some(value) = value else {
        return DEFAULT_LOCK_TIMEOUT;
    };
    match value.trim().parse::<u64>() {
        Ok(seconds) => Duration::from_secs(seconds),
        Err(err) => {
            tracing::warn!(
                "ignoring {LOCK_TIMEOUT_ENV}={value:?} ({err}); expected whole seconds, using {}",
                format_duration(DEFAULT_LOCK_TIMEOUT)
            );
            DEFAULT_LOCK_TIMEOUT
        }
    }
}

fn format_duration(duration: Duration) -> String {
    if duration.subsec_nanos() == 0 {
        format!("{}s", duration.as_secs())
    } else {
        format!("{}ms", duration.as_millis())
    }
}
