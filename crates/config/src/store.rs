//! [`ConfigStore`]: locked read-modify-write of `config.toml`, so concurrent berth processes
//! never lose each other's edits.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::error::ConfigError;
use crate::file::ConfigFile;
use crate::overrides::ConfigOverride;
use berth_fs::{LockError, LockedFile};

/// The config file name inside `$CODEX_HOME`.
pub const CONFIG_FILE_NAME: &str = "config.toml";

/// How long [`ConfigStore::edit`] waits for another process's edit by default.
pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(30);

/// The user's `config.toml` plus the lock file that serialises edits to it, and the `-c`
/// overrides every load applies in memory.
#[derive(Debug, Clone)]
pub struct ConfigStore {
    path: PathBuf,
    lock_path: PathBuf,
    lock_timeout: Duration,
    overrides: Vec<ConfigOverride>,
    /// The document of the last [`ConfigStore::load`], shared by the store's clones.
    last_load: Arc<Mutex<Option<Arc<ConfigFile>>>>,
}

impl ConfigStore {
    /// The store for `$CODEX_HOME/config.toml`.
    pub fn new(codex_home: impl AsRef<Path>) -> Self {
        Self::for_file(codex_home.as_ref().join(CONFIG_FILE_NAME))
    }

    /// The store for a config file at an explicit path (the app server's `filePath`). The lock
    /// file sits beside it as `.<file name>.berth-lock`.
    pub fn for_file(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let file_name = path
            .file_name()
            .map_or_else(|| CONFIG_FILE_NAME.into(), |n| n.to_string_lossy());
        let lock_path = path.with_file_name(format!(".{file_name}.berth-lock"));
        Self {
            path,
            lock_path,
            lock_timeout: DEFAULT_LOCK_TIMEOUT,
            overrides: Vec::new(),
            last_load: Arc::default(),
        }
    }

    /// Applies `overrides` (in order) to every [`ConfigStore::load`], in memory only: edits
    /// work on the file as it is on disk and never write an override.
    #[must_use]
    pub fn with_overrides(mut self, overrides: Vec<ConfigOverride>) -> Self {
        self.overrides = overrides;
        // A load made with other overrides is not this store's.
        self.last_load = Arc::default();
        self
    }

    /// Sets how long [`ConfigStore::edit`] waits for the lock before failing.
    #[must_use]
    pub fn with_lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = timeout;
        self
    }

    /// The config file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The lock file taken during edits.
    pub fn lock_path(&self) -> &Path {
        &self.lock_path
    }

    /// Lets go of the document of the last [`ConfigStore::load`] without freeing it, for a
    /// process about to exit: the operating system takes the memory back at once, where freeing
    /// a large document's many small allocations one by one is a noticeable part of a short
    /// command's time.
    pub fn leak_last_load(&self) {
        let last = self
            .last_load
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        std::mem::forget(last);
    }

    /// Reads the config without locking (a read never sees a torn file: writes are atomic),
    /// with the overrides applied. Never save the result: edit through [`ConfigStore::edit`].
    ///
    /// The file is read every time, but parsed only when its bytes differ from the last load:
    /// a command that looks at the config from several places parses it once.
    pub fn load(&self) -> Result<Arc<ConfigFile>, ConfigError> {
        let bytes = ConfigFile::read(&self.path)?;
        let mut last = self
            .last_load
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(config) = last.as_ref()
            && config.on_disk() == bytes.as_slice()
        {
            return Ok(Arc::clone(config));
        }
        let mut config = ConfigFile::parse(&self.path, bytes)?;
        config.apply_overrides(&self.overrides)?;
        let config = Arc::new(config);
        *last = Some(Arc::clone(&config));
        Ok(config)
    }

    /// Applies `apply` to the current config under the cross-process lock and saves the result
    /// if the text changed. Returns the closure's result and the file's version afterwards.
    ///
    /// If `apply` fails nothing is written. A malformed file fails to load and is left as is.
    pub fn edit<T, E>(
        &self,
        apply: impl FnOnce(&mut ConfigFile) -> Result<T, E>,
    ) -> Result<(T, String), E>
    where
        E: From<ConfigError>,
    {
        self.edit_if_version(None, apply)
    }

    /// Like [`ConfigStore::edit`], but first checks that the file on disk still has
    /// `expected_version` (when given), failing with [`ConfigError::VersionConflict`] if
    /// another writer got there first.
    pub fn edit_if_version<T, E>(
        &self,
        expected_version: Option<&str>,
        apply: impl FnOnce(&mut ConfigFile) -> Result<T, E>,
    ) -> Result<(T, String), E>
    where
        E: From<ConfigError>,
    {
        let _lock = self.lock()?;
        let mut config = ConfigFile::load(&self.path)?;
        if let Some(expected) = expected_version
            && expected != config.version()
        {
            return Err(ConfigError::VersionConflict {
                path: self.path.clone(),
                expected: expected.to_owned(),
                actual: config.version().to_owned(),
            }
            .into());
        }
        let output = apply(&mut config)?;
        let version = config.save()?;
        Ok((output, version))
    }

    /// Removes config temp files a killed writer left beside the config file, when no edit is
    /// running (the lock is free; otherwise this does nothing). Returns how many were removed.
    pub fn sweep_stale_temp_files(&self) -> usize {
        match LockedFile::try_acquire(&self.lock_path, "config.toml edits") {
            Ok(Some(_lock)) => match crate::persist::resolve_symlinks(&self.path) {
                Ok(target) => crate::persist::remove_stale_temp_files(&target),
                Err(err) => {
                    tracing::debug!(path = %self.path.display(), "not sweeping config temp files: {err}");
                    0
                }
            },
            Ok(None) => 0,
            Err(err) => {
                tracing::debug!("not sweeping config temp files: {err}");
                0
            }
        }
    }

    fn lock(&self) -> Result<LockedFile, ConfigError> {
        LockedFile::acquire_with_timeout(&self.lock_path, "config.toml edits", self.lock_timeout)
            .map_err(|failure| match failure {
                LockError::Io { source, .. } => ConfigError::Io {
                    path: self.lock_path.clone(),
                    context: "lock",
                    source,
                },
                LockError::Timeout { .. } => ConfigError::LockTimeout {
                    lock_path: self.lock_path.clone(),
                    timeout: self.lock_timeout,
                },
            })
    }
}

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
