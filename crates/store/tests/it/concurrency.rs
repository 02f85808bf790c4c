//! Many threads installing and uninstalling one plugin through separate stores, and the lock.

use std::time::Duration;

use berth_store::PluginStore;
use pretty_assertions::assert_eq;

use crate::fixture::{id, named_source, names};

#[test]
fn concurrent_installs_and_uninstalls_leave_one_complete_version_or_none() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let sources: Vec<_> = ["1.0.0", "2.0.0", "10.0.0"]
        .iter()
        .map(|version| named_source(dir.path(), "sample", Some(version)))
        .collect();
    let local = named_source(dir.path(), "sample", None);
    let threads: Vec<_> = (0..8)
        .map(|thread| {
            let home = home.clone();
            let sources = sources.clone();
            let local = local.clone();
            std::thread::spawn(move || {
                let store = PluginStore::try_new(&home).unwrap();
                let plugin = id("sample@debug");
                for round in 0..15 {
                    match (thread + round) % 5 {
                        0 => {
                            store.uninstall(&plugin).unwrap();
                        }
                        1 => {
                            store.install(&local, &plugin).unwrap();
                        }
                        n => {
                            store.install(&sources[n - 2], &plugin).unwrap();
                        }
                    }
                    // Readers never see a partial version.
                    if let Some(root) = store.active_plugin_root(&plugin) {
                        let manifest = root.join(".codex-plugin/plugin.json");
                        // The entry may be replaced between the two calls; only check
                        // content when it is still there.
                        if let Ok(text) = std::fs::read_to_string(manifest) {
                            assert!(text.contains("\"sample\""));
                        }
                    }
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let store = PluginStore::try_new(&home).unwrap();
    let plugin = id("sample@debug");
    let marketplace = store.cache_root().join("debug");
    let entries = names(&marketplace);
    assert!(
        entries.is_empty() || entries == vec!["sample"],
        "{entries:?}"
    );
    let versions = names(&store.plugin_base_root(&plugin));
    assert!(versions.len() <= 1, "{versions:?}");
    if let Some(root) = store.active_plugin_root(&plugin) {
        assert_eq!(names(&root), vec![".codex-plugin", "skills"]);
    }
}

#[test]
fn a_held_plugin_lock_makes_other_mutations_time_out() {
    let dir = tempfile::tempdir().unwrap();
    let store = PluginStore::try_new(dir.path())
        .unwrap()
        .with_lock_timeout(Duration::from_millis(100));
    let plugin = id("sample@debug");
    let guard = store.lock_plugin(&plugin).unwrap();
    let other = PluginStore::try_new(dir.path())
        .unwrap()
        .with_lock_timeout(Duration::from_millis(100));
    let err = other.uninstall(&plugin).unwrap_err();
    let lock_path = dir
        .path()
        .join("plugins/cache/.berth-locks/debug/sample.lock");
    assert_eq!(
        err.to_string(),
        format!(
            "timed out after 100ms waiting for the lock on `{}` (plugin sample@debug); another berth or codex process may hold it (set BERTH_LOCK_TIMEOUT to wait longer)",
            lock_path.display()
        )
    );
    // The guard itself mutates without deadlocking.
    let source = named_source(dir.path(), "sample", None);
    guard.install(&source).unwrap();
    guard
        .write_remote_plugin_id("plugins~Plugin_sample")
        .unwrap();
    assert!(guard.uninstall().unwrap());
    drop(guard);
    assert!(!other.uninstall(&plugin).unwrap());
}
