//! `write_atomic`, `write_atomic_with_mode`, `rename` and `rename_exchange`.

use std::os::unix::fs::PermissionsExt;

use pretty_assertions::assert_eq;

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn dir_names(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

#[test]
fn write_atomic_creates_a_file_and_leaves_no_temp_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    berth_fs::write_atomic(&path, b"a = 1\n").unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "a = 1\n");
    assert_eq!(dir_names(dir.path()), vec!["config.toml".to_owned()]);
}

#[test]
fn write_atomic_replaces_content_and_keeps_existing_permissions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("script.sh");
    berth_fs::write_atomic(&path, b"old").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o751)).unwrap();
    berth_fs::write_atomic(&path, b"new").unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
    assert_eq!(mode(&path), 0o751);
}

#[test]
fn write_atomic_with_mode_creates_a_private_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secret.json");
    berth_fs::write_atomic_with_mode(&path, b"{}\n", 0o600).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "{}\n");
    assert_eq!(mode(&path), 0o600);
    // Replacing a world-readable file narrows it.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    berth_fs::write_atomic_with_mode(&path, b"{\"a\":1}\n", 0o600).unwrap();
    assert_eq!(mode(&path), 0o600);
    assert_eq!(dir_names(dir.path()), vec!["secret.json".to_owned()]);
}

#[test]
fn write_atomic_fails_when_the_directory_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let err = berth_fs::write_atomic(&dir.path().join("missing/file"), b"x").unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
}

#[test]
fn rename_moves_a_directory_into_place() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("staged")).unwrap();
    std::fs::create_dir(dir.path().join("staged/inner")).unwrap();
    berth_fs::rename(&dir.path().join("staged"), &dir.path().join("final")).unwrap();
    assert_eq!(dir_names(dir.path()), vec!["final".to_owned()]);
    assert!(dir.path().join("final/inner").is_dir());
}

#[test]
fn rename_exchange_swaps_two_directories_or_reports_unsupported() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    std::fs::create_dir(&a).unwrap();
    std::fs::create_dir(&b).unwrap();
    std::fs::create_dir(a.join("from-a")).unwrap();
    std::fs::create_dir(b.join("from-b")).unwrap();
    let exchanged = berth_fs::rename_exchange(&a, &b).unwrap();
    if exchanged {
        assert_eq!(dir_names(&a), vec!["from-b".to_owned()]);
        assert_eq!(dir_names(&b), vec!["from-a".to_owned()]);
    } else {
        assert_eq!(dir_names(&a), vec!["from-a".to_owned()]);
        assert_eq!(dir_names(&b), vec!["from-b".to_owned()]);
    }
    #[cfg(target_os = "linux")]
    assert!(exchanged, "tmpfs and ext4 support RENAME_EXCHANGE");
}

#[test]
fn rename_exchange_fails_when_one_side_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    std::fs::create_dir(&a).unwrap();
    let result = berth_fs::rename_exchange(&a, &dir.path().join("missing"));
    if cfg!(target_os = "linux") {
        assert_eq!(result.unwrap_err().kind(), std::io::ErrorKind::NotFound);
    }
    assert!(a.is_dir());
}
