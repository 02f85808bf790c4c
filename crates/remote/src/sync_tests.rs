use std::collections::{BTreeSet, HashMap};

use berth_store::PluginStore;
use pretty_assertions::assert_eq;

use super::remove_stale_caches;
use crate::guards::mark_remote_plugin_cache_mutation_in_flight;

fn cached(store: &PluginStore, marketplace: &str, plugin: &str) {
    let dir = store
        .cache_root()
        .join(marketplace)
        .join(plugin)
        .join("1.0.0/.codex-plugin");
    std::fs::create_dir_all(&dir).unwrap();
}

#[test]
fn stale_remote_plugin_cleanup_removes_stale_marketplace_caches_and_keeps_canonical_cache() {
    let temp = tempfile::tempdir().unwrap();
    let store = PluginStore::try_new(temp.path()).unwrap();
    cached(&store, "workspace-shared-with-me", "shared-plugin");
    cached(&store, "created-by-me-remote", "created-by-me-plugin");
    cached(&store, "workspace-shared-with-me-private", "private-plugin");
    cached(&store, "local-market", "untouched");
    let installed = HashMap::from([(
        "workspace-shared-with-me",
        BTreeSet::from(["shared-plugin".to_owned()]),
    )]);
    assert_eq!(
        remove_stale_caches(&store, &installed),
        vec![
            "created-by-me-plugin@created-by-me-remote".to_owned(),
            "private-plugin@workspace-shared-with-me-private".to_owned(),
        ]
    );
    assert!(
        store
            .cache_root()
            .join("workspace-shared-with-me/shared-plugin")
            .is_dir()
    );
    assert!(store.cache_root().join("local-market/untouched").is_dir());
}

#[test]
fn stale_remote_plugin_cleanup_skips_cache_mutations_in_progress() {
    let temp = tempfile::tempdir().unwrap();
    let store = PluginStore::try_new(temp.path()).unwrap();
    cached(&store, "openai-curated-remote", "linear");
    let one = mark_remote_plugin_cache_mutation_in_flight(
        store.cache_root(),
        "openai-curated-remote",
        "linear",
    );
    let two = mark_remote_plugin_cache_mutation_in_flight(
        store.cache_root(),
        "openai-curated-remote",
        "linear",
    );
    assert_eq!(
        remove_stale_caches(&store, &HashMap::new()),
        Vec::<String>::new()
    );
    drop(one);
    assert_eq!(
        remove_stale_caches(&store, &HashMap::new()),
        Vec::<String>::new()
    );
    drop(two);
    assert_eq!(
        remove_stale_caches(&store, &HashMap::new()),
        vec!["linear@openai-curated-remote".to_owned()]
    );
}
