//! [`StagedFile`]: a file being written in a staging folder, locked (`flock`) for as long as its
//! writer holds it, removed when dropped unless [`StagedFile::persist`] moved it into place; and
//! [`sweep_staged`], which removes the staged files a killed writer left behind and never one a
//! live writer still holds.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use fs4::fs_std::FileExt;

/// Suffix of a staged file between its creation and its lock. A file keeps it only for the
/// instant between `open` and `flock`, so one older than [`UNLOCKED_GRACE`] was left by a
/// writer killed in that instant.
const CREATING_SUFFIX: &str = ".creating";
/// How old a file still named with [`CREATING_SUFFIX`] must be before a sweep removes it.
const UNLOCKED_GRACE: Duration = Duration::from_secs(60);

/// A file in a staging folder, named `<prefix><random>`, held under an exclusive lock until it
/// is dropped or persisted. A sweep ([`sweep_staged`]) recognises it by its prefix and removes
/// it only once no process holds its lock, so a crash at any point leaves nothing behind for
/// ever and a write in progress is never swept.
#[derive(Debug)]
pub struct StagedFile {
    file: File,
    path: PathBuf,
    persisted: bool,
}

impl StagedFile {
    /// Creates and locks a new staged file in `dir` (created if missing).
    pub fn create(dir: &Path, prefix: &str) -> io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let creating = tempfile::Builder::new()
            .prefix(prefix)
            .suffix(CREATING_SUFFIX)
            .rand_bytes(16)
            .tempfile_in(dir)?;
        if !FileExt::try_lock_exclusive(creating.as_file())? {
            return Err(io::Error::new(
                io::ErrorKind::WouldBlock,
                format!(
                    "`{}` was locked by another process as soon as it was created",
                    creating.path().display()
                ),
            ));
        }
        let path = creating
            .path()
            .to_str()
            .and_then(|name| name.strip_suffix(CREATING_SUFFIX))
            .map(PathBuf::from)
            .ok_or_else(|| io::Error::other("staged file name is not UTF-8"))?;
        // Named for sweeps only once locked: a sweep never sees this name unlocked while the
        // writer lives.
        crate::rename(creating.path(), &path)?;
        let (file, _) = creating.keep().map_err(|err| err.error)?;
        Ok(Self {
            file,
            path,
            persisted: false,
        })
    }

    /// The staged file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The open file (read and write), for writing and reading back its contents.
    pub fn file(&self) -> &File {
        &self.file
    }

    /// Flushes the contents to disk, stamps the file with the current time and renames it to
    /// `destination` (on the same filesystem), replacing any file there.
    pub fn persist(mut self, destination: &Path) -> io::Result<()> {
        self.file.sync_all()?;
        self.file.set_modified(SystemTime::now())?;
        crate::rename(&self.path, destination)?;
        self.persisted = true;
        Ok(())
    }
}

impl Drop for StagedFile {
    fn drop(&mut self) {
        if !self.persisted
            && let Err(err) = std::fs::remove_file(&self.path)
            && err.kind() != io::ErrorKind::NotFound
        {
            tracing::warn!(
                "could not remove the staged file `{}` ({err}); the next sweep will",
                self.path.display()
            );
        }
    }
}

/// A staged file no process holds any more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleFile {
    /// Its path.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
}

/// Finds the staged files with `prefix` in `dir` whose writer is gone (their lock is free), and
/// removes them unless `dry_run`. A missing folder has none. Files another process holds are
/// left alone, whatever their age.
pub fn sweep_staged(dir: &Path, prefix: &str, dry_run: bool) -> io::Result<Vec<StaleFile>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(err),
    };
    let mut stale = Vec::new();
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        let Some(name) = name.to_str().filter(|name| name.starts_with(prefix)) else {
            continue;
        };
        let path = entry.path();
        let found = if name.ends_with(CREATING_SUFFIX) {
            stale_by_age(&path)
        } else {
            stale_by_lock(&path)
        };
        match found {
            Ok(Some(bytes)) => {
                if !dry_run {
                    match std::fs::remove_file(&path) {
                        Ok(()) => {}
                        Err(err) if err.kind() == io::ErrorKind::NotFound => continue,
                        Err(err) => return Err(err),
                    }
                }
                stale.push(StaleFile { path, bytes });
            }
            Ok(None) => {}
            // Persisted or removed by its writer since the listing.
            Err(err) if err.kind() == io::ErrorKind::NotFound => {}
            Err(err) => return Err(err),
        }
    }
    stale.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(stale)
}

/// The size of a file still being created if it is older than [`UNLOCKED_GRACE`].
fn stale_by_age(path: &Path) -> io::Result<Option<u64>> {
    let meta = std::fs::symlink_metadata(path)?;
    let age = meta.modified()?.elapsed().unwrap_or(Duration::ZERO);
    Ok((meta.is_file() && age >= UNLOCKED_GRACE).then_some(meta.len()))
}

/// The size of a staged file whose lock nobody holds. Once its writer is gone the name is
/// nobody's: writers only ever create new random names, so removing it after this check
/// cannot race with one.
fn stale_by_lock(path: &Path) -> io::Result<Option<u64>> {
    let meta = std::fs::symlink_metadata(path)?;
    if !meta.is_file() {
        return Ok(None);
    }
    let file = OpenOptions::new().read(true).open(path)?;
    Ok(FileExt::try_lock_shared(&file)?.then_some(meta.len()))
}
