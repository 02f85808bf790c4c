//! `read_bounded`: regular files only, FIFOs never block, a cap per kind of file (issue 11
//! item 12).

use std::os::unix::fs::symlink;
use std::path::Path;
use std::time::{Duration, Instant};

use berth_fs::{FileKind, read_bounded, read_bounded_with_max};
use pretty_assertions::assert_eq;

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

/// Issue 11 item 12: a FIFO with no writer would block `open` for ever.
#[test]
fn a_fifo_is_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("config.toml");
    mkfifo(&fifo);
    let started = Instant::now();
    let err = read_bounded(&fifo, FileKind::Config).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert_eq!(
        err.to_string(),
        format!(
            "`{}` is a FIFO, not a regular file; berth reads config files only from regular files",
            fifo.display()
        )
    );
}

/// Issue 11 item 12: a symlink to `/dev/zero` would be read without end.
#[test]
fn a_symlink_to_dev_zero_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("auth.json");
    symlink("/dev/zero", &link).unwrap();
    let err = read_bounded(&link, FileKind::Auth).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "`{}` is a character device, not a regular file; berth reads auth files only from regular files",
            link.display()
        )
    );
}

#[test]
fn a_symlink_to_a_regular_file_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("real.toml");
    crate::fixture::write(&target, "model = \"x\"\n");
    let link = dir.path().join("config.toml");
    symlink(&target, &link).unwrap();
    assert_eq!(
        read_bounded(&link, FileKind::Config).unwrap(),
        b"model = \"x\"\n"
    );
}

#[test]
fn files_over_the_cap_and_folders_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("marketplace.json");
    crate::fixture::write(&file, "0123456789");
    assert_eq!(
        read_bounded_with_max(&file, FileKind::Marketplace, 10).unwrap(),
        b"0123456789"
    );
    let err = read_bounded_with_max(&file, FileKind::Marketplace, 9).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::FileTooLarge);
    assert_eq!(
        err.to_string(),
        format!(
            "`{}` is larger than 9 bytes, the limit for marketplace files (set BERTH_MAX_MARKETPLACE_BYTES to raise it)",
            file.display()
        )
    );
    let err = read_bounded(dir.path(), FileKind::Manifest).unwrap_err();
    assert!(
        err.to_string()
            .contains("is a directory, not a regular file")
    );
    let missing = read_bounded(&dir.path().join("missing"), FileKind::Sidecar).unwrap_err();
    assert_eq!(missing.kind(), std::io::ErrorKind::NotFound);
}
