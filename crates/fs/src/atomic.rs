//! Atomic file writes (temp file in the destination's directory, `sync_all`, rename) and the
//! renames that move finished files and directories into place.

use std::io::{self, Write};
use std::path::Path;

/// Mode used for a new file written by [`write_atomic`]; the process umask still applies, as
/// it would for `std::fs::write`.
#[cfg(unix)]
const DEFAULT_NEW_FILE_MODE: u32 = 0o666;

/// tempfile's own default prefix, kept for files whose leftovers nobody sweeps.
const DEFAULT_TEMP_PREFIX: &str = ".tmp";

/// Writes `bytes` to `path` atomically: readers see either the old content or the new, never a
/// torn file, even if the process dies midway. An existing file keeps its permissions; a new
/// file gets the default mode (subject to the umask).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomic_prefixed(path, bytes, DEFAULT_TEMP_PREFIX)
}

/// Like [`write_atomic`], with the temp file named `<temp_prefix>XXXXXX` so a sweep can tell
/// a writer's leftovers from anyone else's (e.g. `.config.toml.berth-tmp-`).
pub fn write_atomic_prefixed(path: &Path, bytes: &[u8], temp_prefix: &str) -> io::Result<()> {
    let existing = match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => Some(meta.permissions()),
        Ok(_) => None,
        Err(err) if err.kind() == io::ErrorKind::NotFound => None,
        Err(err) => return Err(err),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(temp_prefix);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(DEFAULT_NEW_FILE_MODE));
    }
    let temp = builder.tempfile_in(parent_dir(path))?;
    if let Some(permissions) = existing {
        temp.as_file().set_permissions(permissions)?;
    }
    persist(temp, path, bytes)
}

/// Writes `bytes` to `path` atomically with the Unix permission bits `mode` (e.g. `0o600`).
/// The temp file is created with `mode`, so the file never exists with wider permissions.
/// On non-Unix platforms `mode` is ignored.
pub fn write_atomic_with_mode(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = mode;
    let temp = builder.tempfile_in(parent_dir(path))?;
    // The umask may have narrowed the creation mode; make the requested bits exact.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        temp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    persist(temp, path, bytes)
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

fn persist(mut temp: tempfile::NamedTempFile, path: &Path, bytes: &[u8]) -> io::Result<()> {
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|err| err.error)?;
    Ok(())
}

/// Renames `from` to `to` (same filesystem). A directory can only replace an empty directory.
pub fn rename(from: &Path, to: &Path) -> io::Result<()> {
    #[expect(
        clippy::disallowed_methods,
        reason = "berth-fs is the one place that renames into place"
    )]
    std::fs::rename(from, to)
}

/// Atomically swaps `a` and `b` (both must exist, on the same filesystem). Returns `Ok(false)`
/// without touching anything when the platform or filesystem cannot exchange, so the caller
/// can fall back to a two-step swap.
pub fn rename_exchange(a: &Path, b: &Path) -> io::Result<bool> {
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        use rustix::io::Errno;
        match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
            Ok(()) => Ok(true),
            Err(errno)
                if errno == Errno::INVAL || errno == Errno::NOSYS || errno == Errno::NOTSUP =>
            {
                Ok(false)
            }
            Err(errno) => Err(io::Error::from(errno)),
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (a, b);
        Ok(false)
    }
}
