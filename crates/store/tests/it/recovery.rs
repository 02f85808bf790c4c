//! Crash recovery: leftovers of a killed process are swept at the next operation on the
//! plugin, and an orphaned backup is put back.

use pretty_assertions::assert_eq;

use crate::fixture::{home, id, named_source, names, write};

#[test]
fn leftover_staging_backup_and_trash_dirs_are_swept() {
    let (dir, store) = home();
    let plugin = id("sample@debug");
    store
        .install(&named_source(dir.path(), "sample", None), &plugin)
        .unwrap();
    let marketplace = store.cache_root().join("debug");
    for leftover in [
        "plugin-install-sample.aaaaaa/sample/local/file",
        "plugin-backup-sample.bbbbbb/sample/local/file",
        "plugin-trash-sample.cccccc/sample/1.0.0/file",
        // Not ours: another plugin's staging dir and a Codex-named one stay.
        "plugin-install-sample-two.dddddd/x",
        "plugin-install-eeeeee/x",
    ] {
        write(marketplace.join(leftover), "x");
    }
    store
        .install(&named_source(dir.path(), "sample", Some("2.0.0")), &plugin)
        .unwrap();
    assert_eq!(
        names(&marketplace),
        vec![
            "plugin-install-eeeeee",
            "plugin-install-sample-two.dddddd",
            "sample"
        ]
    );
    assert_eq!(
        store.active_plugin_version(&plugin),
        Some("2.0.0".to_owned())
    );
}

#[test]
fn an_orphaned_backup_is_restored_when_the_base_root_is_missing() {
    let (_dir, store) = home();
    let plugin = id("sample@debug");
    let marketplace = store.cache_root().join("debug");
    // A swap killed between moving the old entry out and the new one in.
    write(
        marketplace.join("plugin-backup-sample.aaaaaa/sample/1.0.0/.codex-plugin/plugin.json"),
        r#"{"name": "sample"}"#,
    );
    write(
        marketplace.join("plugin-install-sample.bbbbbb/sample/1.0.0/partial"),
        "x",
    );
    store
        .write_remote_plugin_id(&plugin, "plugins~Plugin_sample")
        .unwrap();
    assert_eq!(names(&marketplace), vec!["sample"]);
    assert_eq!(
        store.active_plugin_version(&plugin),
        Some("1.0.0".to_owned())
    );
    assert_eq!(
        store.remote_plugin_id(&plugin).unwrap(),
        Some("plugins~Plugin_sample".to_owned())
    );
}

#[test]
fn a_leftover_trash_dir_is_not_restored() {
    let (_dir, store) = home();
    let plugin = id("sample@debug");
    let marketplace = store.cache_root().join("debug");
    // An uninstall killed after its rename: the plugin stays uninstalled.
    write(
        marketplace.join("plugin-trash-sample.aaaaaa/sample/1.0.0/file"),
        "x",
    );
    assert!(!store.uninstall(&plugin).unwrap());
    assert_eq!(names(&marketplace), Vec::<String>::new());
}

/// Issue 11 item E: the store-wide sweep leaves a plugin whose lock is held (an install in
/// progress) alone and sweeps the others.
#[test]
fn the_store_wide_sweep_skips_plugins_being_installed() {
    let dir = tempfile::tempdir().unwrap();
    let store = berth_store::PluginStore::try_new(dir.path()).unwrap();
    let marketplace = store.cache_root().join("debug");
    let busy = marketplace.join("plugin-install-busy.Ab12Cd");
    let stale = marketplace.join("plugin-install-stale.Ef34Gh");
    for path in [&busy, &stale] {
        std::fs::create_dir_all(path.join("x")).unwrap();
    }
    let busy_id = berth_plugin::PluginId::parse("busy@debug").unwrap();
    let lock = store.lock_plugin(&busy_id).unwrap();
    assert_eq!(store.sweep_stale_leftovers(), 1);
    assert!(busy.exists());
    assert!(!stale.exists());
    drop(lock);
    assert_eq!(store.sweep_stale_leftovers(), 1);
    assert!(!busy.exists());
}
