//! Tests for `store`: lock path naming and error mapping.

use pretty_assertions::assert_eq;

use super::*;

#[test]
fn the_lock_file_sits_beside_the_config_file() {
    let store = ConfigStore::new("/home/me/.codex");
    assert_eq!(
        (store.path(), store.lock_path()),
        (
            Path::new("/home/me/.codex/config.toml"),
            Path::new("/home/me/.codex/.config.toml.berth-lock")
        )
    );
}

#[test]
fn a_lock_timeout_names_the_lock_file_and_the_likely_cause() {
    let dir = tempfile::tempdir().unwrap();
    let store = ConfigStore::new(dir.path()).with_lock_timeout(Duration::from_millis(20));
    let _held =
        berth_fs::LockedFile::acquire_with_timeout(store.lock_path(), "test", Duration::ZERO)
            .unwrap();
    let err = store
        .edit(|config| config.set_plugin_enabled("a@b", true))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "timed out after 20ms waiting for the lock on `{}`; another berth process may be editing the config",
            store.lock_path().display()
        )
    );
    assert!(!store.path().exists());
}

#[test]
fn a_failing_closure_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = ConfigStore::new(dir.path());
    let result: Result<((), String), ConfigError> = store.edit(|config| {
        config.set_plugin_enabled("a@b", true)?;
        config.set_value(
            &["a@b"],
            &serde_json::json!([null]),
            crate::MergeStrategy::Replace,
        )
    });
    assert!(matches!(result, Err(ConfigError::InvalidValue { .. })));
    assert!(!store.path().exists());
}

#[test]
fn a_load_parses_the_file_again_only_when_its_bytes_changed() {
    let dir = tempfile::tempdir().unwrap();
    let store = ConfigStore::new(dir.path());
    berth_fs::write_atomic(store.path(), b"[features]\nplugins = true\n").unwrap();
    let first = store.load().unwrap();
    // The same bytes: the same document, shared by the store's clones.
    assert!(Arc::ptr_eq(&first, &store.load().unwrap()));
    let clone = store.clone();
    let from_clone = std::thread::spawn(move || clone.load().unwrap())
        .join()
        .unwrap();
    assert!(Arc::ptr_eq(&first, &from_clone));
    // Another writer changed the file: the next load sees it.
    berth_fs::write_atomic(store.path(), b"[features]\nplugins = false\n").unwrap();
    let second = store.load().unwrap();
    assert_eq!(second.feature_enabled("plugins"), Some(false));
    assert_eq!(first.feature_enabled("plugins"), Some(true));
    // An edit through the store is seen too.
    store
        .edit(|config| config.set_plugin_enabled("a@m", true))
        .unwrap();
    assert_eq!(
        store
            .load()
            .unwrap()
            .plugins()
            .value
            .get("a@m")
            .map(|entry| entry.enabled),
        Some(true)
    );
}

#[test]
fn a_store_with_other_overrides_does_not_reuse_a_load() {
    let dir = tempfile::tempdir().unwrap();
    let store = ConfigStore::new(dir.path());
    berth_fs::write_atomic(store.path(), b"[features]\nplugins = true\n").unwrap();
    assert_eq!(store.load().unwrap().feature_enabled("plugins"), Some(true));
    let overrides =
        crate::overrides::parse_overrides(&["features.plugins=false".to_owned()]).unwrap();
    let overridden = store.clone().with_overrides(overrides);
    assert_eq!(
        overridden.load().unwrap().feature_enabled("plugins"),
        Some(false)
    );
    assert_eq!(store.load().unwrap().feature_enabled("plugins"), Some(true));
}
