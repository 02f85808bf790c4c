//! `copy_dir_regular`: regular files and directories only, permissions kept.

use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;

use berth_fs::CopyReport;
use pretty_assertions::assert_eq;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn copies_files_and_directories_with_permissions() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir_all(src.join("skills/a")).unwrap();
    std::fs::create_dir_all(src.join("empty")).unwrap();
    crate::fixture::write(src.join("skills/a/SKILL.md"), "skill");
    crate::fixture::write(src.join("run.sh"), "#!/bin/sh\n");
    std::fs::set_permissions(src.join("run.sh"), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(src.join("skills"), std::fs::Permissions::from_mode(0o750)).unwrap();
    let dst = dir.path().join("dst/nested");
    let report = berth_fs::copy_dir_regular(&src, &dst).unwrap();
    assert_eq!(report, CopyReport::default());
    assert_eq!(
        std::fs::read_to_string(dst.join("skills/a/SKILL.md")).unwrap(),
        "skill"
    );
    assert!(dst.join("empty").is_dir());
    assert_eq!(mode(&dst.join("run.sh")), 0o755);
    assert_eq!(mode(&dst.join("skills")), 0o750);
}

#[test]
fn read_only_directories_are_still_filled() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir_all(src.join("ro")).unwrap();
    crate::fixture::write(src.join("ro/file"), "x");
    std::fs::set_permissions(src.join("ro"), std::fs::Permissions::from_mode(0o555)).unwrap();
    let dst = dir.path().join("dst");
    berth_fs::copy_dir_regular(&src, &dst).unwrap();
    assert_eq!(std::fs::read_to_string(dst.join("ro/file")).unwrap(), "x");
    assert_eq!(mode(&dst.join("ro")), 0o555);
    for path in [src.join("ro"), dst.join("ro")] {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

#[test]
fn symlinks_and_fifos_are_skipped_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir_all(src.join("sub")).unwrap();
    let outside = dir.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    crate::fixture::write(outside.join("secret"), "secret");
    crate::fixture::write(src.join("file"), "x");
    symlink(&outside, src.join("dir-link")).unwrap();
    symlink(outside.join("secret"), src.join("sub/file-link")).unwrap();
    let fifo = src.join("sub/pipe");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    let dst = dir.path().join("dst");
    let report = berth_fs::copy_dir_regular(&src, &dst).unwrap();
    assert_eq!(
        report,
        CopyReport {
            skipped: vec![src.join("dir-link"), src.join("sub/file-link"), fifo],
        }
    );
    let mut names: Vec<_> = walk(&dst);
    names.sort();
    assert_eq!(names, vec!["file".to_owned(), "sub".to_owned()]);
}

#[test]
fn errors_name_the_failing_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    let err = berth_fs::copy_dir_regular(&missing, &dir.path().join("dst")).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("failed to read directory `{}`", missing.display())
    );
}

fn walk(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            out.push(
                path.strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
            );
            if entry.file_type().unwrap().is_dir() {
                stack.push(path);
            }
        }
    }
    out
}
