//! Deleting a file or directory tree only when it lies inside a given root and no symlink on
//! the way could redirect the deletion outside it.

use std::io;
use std::path::{Component, Path};

/// Removes `target` (a directory tree, a file or a symlink) if it lies lexically under `root`
/// and no path component strictly between `root` and `target` is a symlink. When `target`
/// itself is a symlink only the link is removed. Links inside the tree are removed, never
/// followed. Returns whether something was removed; a missing target gives `Ok(false)`.
pub fn remove_tree_within(root: &Path, target: &Path) -> io::Result<bool> {
    let Ok(relative) = target.strip_prefix(root) else {
        return Err(outside_root(root, target));
    };
    let components: Vec<_> = relative.components().collect();
    if components.is_empty()
        || !components
            .iter()
            .all(|component| matches!(component, Component::Normal(_)))
    {
        return Err(outside_root(root, target));
    }
    let mut current = root.to_path_buf();
    for component in &components[..components.len() - 1] {
        current.push(component);
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "refusing to delete `{}`: `{}` is a symlink that could lead outside `{}`",
                        target.display(),
                        current.display(),
                        root.display()
                    ),
                ));
            }
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => return Ok(false),
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(false),
            Err(err) => return Err(err),
        }
    }
    let meta = match std::fs::symlink_metadata(target) {
        Ok(meta) => meta,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(err) => return Err(err),
    };
    let file_type = meta.file_type();
    let result = if file_type.is_dir() {
        // `remove_dir_all` unlinks symlinks inside the tree without following them.
        std::fs::remove_dir_all(target)
    } else {
        remove_file_or_link(target, file_type.is_symlink())
    };
    match result {
        Ok(()) => Ok(true),
        // Someone else removed it first; the caller's goal is met.
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(err) => Err(err),
    }
}

#[cfg(windows)]
fn remove_file_or_link(target: &Path, is_symlink: bool) -> io::Result<()> {
    // A directory symlink on Windows is removed with `remove_dir`.
    match std::fs::remove_file(target) {
        Err(_) if is_symlink => std::fs::remove_dir(target),
        other => other,
    }
}

#[cfg(not(windows))]
fn remove_file_or_link(target: &Path, _is_symlink: bool) -> io::Result<()> {
    std::fs::remove_file(target)
}

fn outside_root(root: &Path, target: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "refusing to delete `{}`: it is not inside `{}`",
            target.display(),
            root.display()
        ),
    )
}
