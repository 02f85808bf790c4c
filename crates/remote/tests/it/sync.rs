//! Sync with a release the real `berth serve` cannot publish (no download URL) on the
//! loopback service: one bad plugin is reported and never stops the others. The rest of the
//! sync tests run against `berth serve` (`on_serve.rs`).

use berth_remote::{
    NoProgress, RemoteSyncOutcome, mark_remote_plugin_cache_mutation_in_flight,
    sync_remote_installed_plugin_bundles,
};
use berth_service_protocol::Scope;
use berth_store::PluginStore;
use pretty_assertions::assert_eq;

use crate::service::{ALLOW_HTTP, TestService, plugin_dir};

#[tokio::test]
async fn sync_keeps_a_cache_with_an_install_in_flight_and_reports_bad_plugins_without_stopping() {
    let service = TestService::start().await;
    let temp = tempfile::tempdir().unwrap();
    let home = temp.path().join("home");
    let good = service.publish(
        "good",
        Scope::Global,
        "1.0.0",
        &plugin_dir(temp.path(), "good", "v1"),
    );
    let bad = service.publish(
        "bad",
        Scope::Global,
        "1.0.0",
        &plugin_dir(temp.path(), "bad", "v1"),
    );
    service.edit(&bad, |item| item.release.bundle_download_url = None);
    service.state.installed.lock().unwrap().extend([good, bad]);
    let store = PluginStore::try_new(&home).unwrap();
    std::fs::create_dir_all(store.cache_root().join("openai-curated-remote/busy/1.0.0")).unwrap();
    let guard = mark_remote_plugin_cache_mutation_in_flight(
        store.cache_root(),
        "openai-curated-remote",
        "busy",
    );
    let client = service.client(&home);

    let outcome = sync_remote_installed_plugin_bundles(&client, &store, ALLOW_HTTP, &NoProgress)
        .await
        .unwrap();
    assert_eq!(
        outcome,
        RemoteSyncOutcome {
            installed_plugin_ids: vec!["good@openai-curated-remote".to_owned()],
            failed_remote_plugin_ids: vec!["plugins~Plugin_bad".to_owned()],
            ..RemoteSyncOutcome::default()
        }
    );
    assert!(
        store
            .cache_root()
            .join("openai-curated-remote/busy")
            .is_dir()
    );
    drop(guard);
    let outcome = sync_remote_installed_plugin_bundles(&client, &store, ALLOW_HTTP, &NoProgress)
        .await
        .unwrap();
    assert_eq!(
        outcome.removed_cache_plugin_ids,
        vec!["busy@openai-curated-remote".to_owned()]
    );
}
