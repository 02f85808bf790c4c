//! Where a config write lands: the target of a symlinked `config.toml`. The atomic write and
//! the edit lock themselves live in `berth-fs`.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// How many symlinks [`resolve_symlinks`] follows before giving up, like the kernel's `ELOOP`.
const MAX_SYMLINK_HOPS: usize = 40;

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
