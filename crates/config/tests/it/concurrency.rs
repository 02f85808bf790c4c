//! Many writers at once: the lock must keep every edit.

use std::collections::BTreeMap;
use std::sync::{Arc, Barrier};
use std::thread;

use berth_config::{ConfigStore, PluginConfigEntry};
use pretty_assertions::assert_eq;

use crate::{HAND_WRITTEN, write_file};

#[test]
fn concurrent_edits_each_toggling_a_different_plugin_all_land() {
    const WRITERS: usize = 16;
    const ROUNDS: usize = 5;
    let home = tempfile::tempdir().unwrap();
    write_file(&home.path().join("config.toml"), HAND_WRITTEN);
    let barrier = Arc::new(Barrier::new(WRITERS));
    let handles: Vec<_> = (0..WRITERS)
        .map(|writer| {
            // A store per thread, like separate processes: each opens its own lock handle.
            let store = ConfigStore::new(home.path());
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || {
                barrier.wait();
                for round in 0..ROUNDS {
                    let key = format!("plugin{writer}@m");
                    store
                        .edit(|config| config.set_plugin_enabled(&key, round.is_multiple_of(2)))
                        .unwrap();
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }

    let config = ConfigStore::new(home.path()).load().unwrap();
    let mut expected: BTreeMap<String, PluginConfigEntry> = (0..WRITERS)
        .map(|writer| {
            (
                format!("plugin{writer}@m"),
                PluginConfigEntry {
                    enabled: (ROUNDS - 1).is_multiple_of(2),
                },
            )
        })
        .collect();
    expected.insert(
        "linear@openai-curated".to_owned(),
        PluginConfigEntry { enabled: true },
    );
    expected.insert(
        "sample@debug".to_owned(),
        PluginConfigEntry { enabled: false },
    );
    assert_eq!(config.plugins().value, expected);
    // Taking the new entries out again gives back the user's file exactly.
    let mut config = berth_config::ConfigFile::clone(&config);
    for writer in 0..WRITERS {
        assert!(config.clear_plugin(&format!("plugin{writer}@m")).unwrap());
    }
    assert_eq!(config.render(), HAND_WRITTEN);
}

/// Issue 11 item E: a config temp file is stale only when no edit holds the config lock.
#[test]
fn config_temp_files_are_swept_only_while_the_lock_is_free() {
    let dir = tempfile::tempdir().unwrap();
    let store = berth_config::ConfigStore::new(dir.path());
    let leftover = dir.path().join(".config.toml.berth-tmp-AbC123");
    let foreign = dir.path().join(".tmpAbC123");
    for path in [&leftover, &foreign] {
        berth_fs::write_atomic(path, b"x").unwrap();
    }
    let held = berth_fs::LockedFile::try_acquire(store.lock_path(), "test")
        .unwrap()
        .unwrap();
    assert_eq!(store.sweep_stale_temp_files(), 0);
    assert!(leftover.exists());
    drop(held);
    assert_eq!(store.sweep_stale_temp_files(), 1);
    assert!(!leftover.exists());
    assert!(foreign.exists());
}
