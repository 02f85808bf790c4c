use super::*;

#[test]
fn lists_subfolders_only_without_following_links() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("1.0.0")).unwrap();
    std::fs::create_dir(dir.path().join("local")).unwrap();
    crate::write_atomic(&dir.path().join("file"), b"not a folder").unwrap();
    std::os::unix::fs::symlink(dir.path().join("1.0.0"), dir.path().join("link")).unwrap();
    let mut names = subfolder_names(dir.path()).unwrap();
    names.sort();
    assert_eq!(names, ["1.0.0", "local"]);
}

#[test]
fn a_folder_of_many_entries_is_read_past_one_buffer() {
    let dir = tempfile::tempdir().unwrap();
    // Longer names than a 4 KiB buffer holds in one read.
    for index in 0..300 {
        std::fs::create_dir(
            dir.path()
                .join(format!("version-{index:04}-{}", "x".repeat(40))),
        )
        .unwrap();
    }
    assert_eq!(subfolder_names(dir.path()).unwrap().len(), 300);
}

#[test]
fn a_missing_folder_or_a_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = subfolder_names(&dir.path().join("missing")).unwrap_err();
    assert_eq!(missing.kind(), io::ErrorKind::NotFound);
    crate::write_atomic(&dir.path().join("file"), b"").unwrap();
    let file = subfolder_names(&dir.path().join("file")).unwrap_err();
    assert_eq!(file.kind(), io::ErrorKind::NotADirectory);
}
