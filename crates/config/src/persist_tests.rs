//! Tests for `persist`: symlink resolution.

use pretty_assertions::assert_eq;

use super::*;

#[test]
fn resolve_symlinks_follows_relative_chains_and_dangling_links() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("real")).unwrap();
    symlink("real/config.toml", dir.path().join("middle.toml")).unwrap();
    symlink("middle.toml", dir.path().join("config.toml")).unwrap();
    assert_eq!(
        resolve_symlinks(&dir.path().join("config.toml")).unwrap(),
        dir.path().join("real/config.toml")
    );
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_is_an_error() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    symlink("b", dir.path().join("a")).unwrap();
    symlink("a", dir.path().join("b")).unwrap();
    assert!(resolve_symlinks(&dir.path().join("a")).is_err());
}
