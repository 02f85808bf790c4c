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
    let mut config = config;
    for writer in 0..WRITERS {
        assert!(config.clear_plugin(&format!("plugin{writer}@m")).unwrap());
    }
    assert_eq!(config.render(), HAND_WRITTEN);
}
