use std::path::Path;

use super::{
    SyncInFlightGuard, is_cache_mutation_in_flight, mark_remote_plugin_cache_mutation_in_flight,
};

#[test]
fn remote_installed_plugin_sync_in_flight_dedupes_by_cache_root() {
    let root = Path::new("/guards-test/a/plugins/cache");
    let first = SyncInFlightGuard::try_acquire(root);
    assert!(first.is_some());
    assert!(SyncInFlightGuard::try_acquire(root).is_none());
    assert!(SyncInFlightGuard::try_acquire(Path::new("/guards-test/b/plugins/cache")).is_some());
    drop(first);
    assert!(SyncInFlightGuard::try_acquire(root).is_some());
}

#[test]
fn mutation_guards_are_counted_per_plugin() {
    let root = Path::new("/guards-test/c/plugins/cache");
    let one = mark_remote_plugin_cache_mutation_in_flight(root, "openai-curated-remote", "linear");
    let two = mark_remote_plugin_cache_mutation_in_flight(root, "openai-curated-remote", "linear");
    assert!(is_cache_mutation_in_flight(
        root,
        "openai-curated-remote",
        "linear"
    ));
    assert!(!is_cache_mutation_in_flight(
        root,
        "openai-curated-remote",
        "other"
    ));
    drop(one);
    assert!(is_cache_mutation_in_flight(
        root,
        "openai-curated-remote",
        "linear"
    ));
    drop(two);
    assert!(!is_cache_mutation_in_flight(
        root,
        "openai-curated-remote",
        "linear"
    ));
}
