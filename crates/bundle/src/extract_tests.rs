use std::path::{Path, PathBuf};

use pretty_assertions::assert_eq;

use super::{checked_relative_path, file_mode};

#[test]
fn relative_paths_drop_current_dir_components() {
    assert_eq!(
        checked_relative_path(Path::new("./a/./b.txt")).unwrap(),
        Some(PathBuf::from("a/b.txt"))
    );
    assert_eq!(checked_relative_path(Path::new("./")).unwrap(), None);
}

#[test]
fn parent_absolute_and_empty_paths_are_rejected() {
    for raw in ["../x", "a/../../x", "/etc/passwd", "a/.."] {
        let err = checked_relative_path(Path::new(raw)).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("plugin bundle tar entry `{raw}` escapes extraction root")
        );
    }
    let err = checked_relative_path(Path::new("")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "plugin bundle contains a tar entry with an empty path"
    );
}

#[test]
fn file_modes_keep_exec_bits_and_drop_special_bits() {
    assert_eq!(file_mode(0o755), 0o755);
    assert_eq!(file_mode(0o4755), 0o755);
    assert_eq!(file_mode(0o444), 0o644);
    assert_eq!(file_mode(0o4777), 0o755);
    assert_eq!(file_mode(0o666), 0o644);
    assert_eq!(file_mode(0o610), 0o755);
}
