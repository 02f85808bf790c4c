//! `remove_tree_within`: deletes inside a root, never through or along a symlink.

use std::os::unix::fs::symlink;
use std::path::Path;

use pretty_assertions::assert_eq;

fn outside_victim(dir: &Path) -> std::path::PathBuf {
    let victim = dir.join("outside");
    std::fs::create_dir_all(victim.join("nested")).unwrap();
    crate::fixture::write(victim.join("keep.txt"), "precious");
    crate::fixture::write(victim.join("nested/keep.txt"), "precious");
    victim
}

fn assert_victim_intact(victim: &Path) {
    assert_eq!(
        std::fs::read_to_string(victim.join("keep.txt")).unwrap(),
        "precious"
    );
    assert_eq!(
        std::fs::read_to_string(victim.join("nested/keep.txt")).unwrap(),
        "precious"
    );
}

#[test]
fn removes_a_directory_tree_inside_the_root() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    std::fs::create_dir_all(root.join("a/b/c")).unwrap();
    crate::fixture::write(root.join("a/b/c/file"), "x");
    assert!(berth_fs::remove_tree_within(&root, &root.join("a/b")).unwrap());
    assert!(!root.join("a/b").exists());
    assert!(root.join("a").is_dir());
}

#[test]
fn removes_a_single_file_inside_the_root() {
    let dir = tempfile::tempdir().unwrap();
    crate::fixture::write(dir.path().join("file"), "x");
    assert!(berth_fs::remove_tree_within(dir.path(), &dir.path().join("file")).unwrap());
    assert!(!dir.path().join("file").exists());
}

#[test]
fn a_missing_target_is_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    assert!(!berth_fs::remove_tree_within(dir.path(), &dir.path().join("a/b")).unwrap());
}

#[test]
fn rejects_targets_outside_the_root_or_the_root_itself() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    std::fs::create_dir(&root).unwrap();
    let victim = outside_victim(dir.path());
    for target in [victim.clone(), root.join("../outside"), root.clone()] {
        let err = berth_fs::remove_tree_within(&root, &target).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
        assert_eq!(
            err.to_string(),
            format!(
                "refusing to delete `{}`: it is not inside `{}`",
                target.display(),
                root.display()
            )
        );
    }
    assert_victim_intact(&victim);
}

#[test]
fn a_symlinked_target_only_loses_the_link() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    std::fs::create_dir(&root).unwrap();
    let victim = outside_victim(dir.path());
    symlink(&victim, root.join("link")).unwrap();
    assert!(berth_fs::remove_tree_within(&root, &root.join("link")).unwrap());
    assert!(std::fs::symlink_metadata(root.join("link")).is_err());
    assert_victim_intact(&victim);
}

#[test]
fn a_symlink_between_root_and_target_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    std::fs::create_dir(&root).unwrap();
    let victim = outside_victim(dir.path());
    symlink(&victim, root.join("link")).unwrap();
    let target = root.join("link/nested");
    let err = berth_fs::remove_tree_within(&root, &target).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "refusing to delete `{}`: `{}` is a symlink that could lead outside `{}`",
            target.display(),
            root.join("link").display(),
            root.display()
        )
    );
    assert_victim_intact(&victim);
}

#[test]
fn symlinks_inside_the_removed_tree_are_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    std::fs::create_dir_all(root.join("tree/sub")).unwrap();
    let victim = outside_victim(dir.path());
    symlink(&victim, root.join("tree/dir-link")).unwrap();
    symlink(victim.join("keep.txt"), root.join("tree/sub/file-link")).unwrap();
    assert!(berth_fs::remove_tree_within(&root, &root.join("tree")).unwrap());
    assert!(!root.join("tree").exists());
    assert_victim_intact(&victim);
}

#[test]
fn a_symlinked_root_is_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real");
    std::fs::create_dir_all(real.join("entry")).unwrap();
    let root = dir.path().join("root-link");
    symlink(&real, &root).unwrap();
    assert!(berth_fs::remove_tree_within(&root, &root.join("entry")).unwrap());
    assert!(!real.join("entry").exists());
}
