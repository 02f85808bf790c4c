//! Where a config write lands (the target of a symlinked `config.toml`) and what its temp
//! file is called (`.<name>.berth-tmp-XXXXXX`, so a sweep can tell berth's leftovers from
//! Codex's `.tmp/` folder and tempfile's default `.tmpXXXXXX` names). The atomic write and the
//! edit lock themselves live in `berth-fs`.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// How many symlinks [`resolve_symlinks`] follows before giving up, like the kernel's `ELOOP`.
const MAX_SYMLINK_HOPS: usize = 40;

/// What comes after `.<file name>` in a config temp file name.
const TEMP_MARKER: &str = ".berth-tmp-";

/// The temp file prefix of writes to `target` (a file path, symlinks already resolved).
pub(crate) fn temp_prefix(target: &Path) -> String {
    let name = target
        .file_name()
        .map_or_else(|| "config.toml".into(), |name| name.to_string_lossy());
    format!(".{name}{TEMP_MARKER}")
}

/// Removes the temp files that writes to `target` left behind (a killed writer). The caller
/// holds the config lock, so no write is in progress. Returns how many were removed.
pub(crate) fn remove_stale_temp_files(target: &Path) -> usize {
    let prefix = temp_prefix(target);
    let dir = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.filter_map(Result::ok) {
        let is_ours = entry
            .file_name()
            .to_str()
            .is_some_and(|name| name.starts_with(&prefix));
        if !is_ours || !entry.file_type().is_ok_and(|kind| kind.is_file()) {
            continue;
        }
        match fs::remove_file(entry.path()) {
            Ok(()) => {
                tracing::debug!(path = %entry.path().display(), "removed a stale config temp file");
                removed += 1;
            }
            Err(err) => tracing::warn!(
                path = %entry.path().display(),
                "failed to remove a stale config temp file: {err}"
            ),
        }
    }
    removed
}

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
