//! Process-wide in-flight markers: a counted guard per (cache root, marketplace, plugin) that
//! keeps the stale-cache sweep away from a plugin being installed, and one sync at a time
//! per cache root.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock, PoisonError};

type MutationKey = (PathBuf, String, String);

fn mutations() -> &'static Mutex<HashMap<MutationKey, usize>> {
    static MUTATIONS: OnceLock<Mutex<HashMap<MutationKey, usize>>> = OnceLock::new();
    MUTATIONS.get_or_init(Mutex::default)
}

fn syncs() -> &'static Mutex<HashSet<PathBuf>> {
    static SYNCS: OnceLock<Mutex<HashSet<PathBuf>>> = OnceLock::new();
    SYNCS.get_or_init(Mutex::default)
}

/// Marks a cache mutation of `marketplace/plugin` under `cache_root` in flight until dropped.
#[derive(Debug)]
pub struct RemotePluginCacheMutationGuard {
    key: MutationKey,
}

/// Marks `marketplace/plugin` under `cache_root` as being mutated; the stale sweep of a sync
/// skips it while any guard for it is alive.
pub fn mark_remote_plugin_cache_mutation_in_flight(
    cache_root: &Path,
    marketplace: &str,
    plugin: &str,
) -> RemotePluginCacheMutationGuard {
    let key = (
        cache_root.to_path_buf(),
        marketplace.to_owned(),
        plugin.to_owned(),
    );
    *mutations()
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .entry(key.clone())
        .or_insert(0) += 1;
    RemotePluginCacheMutationGuard { key }
}

impl Drop for RemotePluginCacheMutationGuard {
    fn drop(&mut self) {
        let mut map = mutations().lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = map.get_mut(&self.key) {
            *count -= 1;
            if *count == 0 {
                map.remove(&self.key);
            }
        }
    }
}

/// Whether a cache mutation of `marketplace/plugin` is in flight.
pub(crate) fn is_cache_mutation_in_flight(
    cache_root: &Path,
    marketplace: &str,
    plugin: &str,
) -> bool {
    mutations()
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .contains_key(&(
            cache_root.to_path_buf(),
            marketplace.to_owned(),
            plugin.to_owned(),
        ))
}

/// Held while a bundle sync runs for a cache root.
#[derive(Debug)]
pub struct SyncInFlightGuard {
    cache_root: PathBuf,
}

impl SyncInFlightGuard {
    /// Claims the sync slot of `cache_root`; `None` when a sync already holds it.
    pub fn try_acquire(cache_root: &Path) -> Option<Self> {
        let inserted = syncs()
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(cache_root.to_path_buf());
        inserted.then(|| Self {
            cache_root: cache_root.to_path_buf(),
        })
    }
}

impl Drop for SyncInFlightGuard {
    fn drop(&mut self) {
        syncs()
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.cache_root);
    }
}

#[cfg(test)]
#[path = "guards_tests.rs"]
mod tests;
