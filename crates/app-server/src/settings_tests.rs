use pretty_assertions::assert_eq;

use super::*;

#[test]
fn overrides_apply_in_memory_only() {
    let dir = tempfile::tempdir().unwrap();
    let store = ConfigStore::new(dir.path());
    let overrides = parse_overrides(&["features.plugins=true".to_owned()]).unwrap();
    let config = effective_config(&store, &overrides).unwrap();
    assert_eq!(config.feature_enabled("plugins"), Some(true));
    assert!(!dir.path().join("config.toml").exists());
}

#[test]
fn the_test_user_config_file_replaces_the_home_config_in_debug_builds_only() {
    let home = ConfigStore::new("/h/.codex");
    let chosen = |value: Option<&str>| {
        user_config_store(&home, value.map(str::to_owned))
            .path()
            .to_path_buf()
    };
    let expected = if cfg!(debug_assertions) {
        PathBuf::from("/tmp/isolated.toml")
    } else {
        PathBuf::from("/h/.codex/config.toml")
    };
    assert_eq!(
        (
            chosen(None),
            chosen(Some("")),
            chosen(Some("/tmp/isolated.toml"))
        ),
        (
            PathBuf::from("/h/.codex/config.toml"),
            PathBuf::from("/h/.codex/config.toml"),
            expected
        )
    );
}
