//! Startup bundle sync against the loopback service: backfill without download, materialising
//! missing bundles, stale removal and the in-flight guard.

use std::sync::atomic::Ordering;

use berth_remote::{
    NoProgress, RemoteSyncOutcome, mark_remote_plugin_cache_mutation_in_flight,
    sync_remote_installed_plugin_bundles,
};
use berth_service_protocol::Scope;
use berth_store::PluginStore;
use pretty_assertions::assert_eq;

use crate::service::{ALLOW_HTTP, TestService, plugin_dir};

#[tokio::test]
async fn sync_backfills_a_deleted_sidecar_byte_for_byte_without_downloading() {
    let service = TestService::start().await;
    let temp = tempfile::tempdir().unwrap();
    let home = temp.path().join("home");
    let id = service.publish(
        "linear",
        Scope::Global,
        "1.2.3",
        &plugin_dir(temp.path(), "linear", "v1"),
    );
    let client = service.client(&home);
    let store = PluginStore::try_new(&home).unwrap();
    berth_remote::install_remote_plugin(&client, &store, &id, ALLOW_HTTP, &NoProgress)
        .await
        .unwrap();
    let sidecar =
        home.join("plugins/cache/openai-curated-remote/linear/.codex-remote-plugin-install.json");
    let original = std::fs::read(&sidecar).unwrap();
    std::fs::remove_file(&sidecar).unwrap();
    let downloads = service.state.bundle_downloads.load(Ordering::SeqCst);

    let outcome = sync_remote_installed_plugin_bundles(&client, &store, ALLOW_HTTP, &NoProgress)
        .await
        .unwrap();
    assert_eq!(
        outcome,
        RemoteSyncOutcome {
            backfilled_plugin_ids: vec!["linear@openai-curated-remote".to_owned()],
            ..RemoteSyncOutcome::default()
        }
    );
    assert!(!outcome.changed_local_cache());
    assert_eq!(std::fs::read(&sidecar).unwrap(), original);
    assert_eq!(
        service.state.bundle_downloads.load(Ordering::SeqCst),
        downloads
    );
}

#[tokio::test]
async fn sync_materialises_missing_bundles_and_removes_stale_caches() {
    let service = TestService::start().await;
    let temp = tempfile::tempdir().unwrap();
    let home = temp.path().join("home");
    let linear = service.publish(
        "linear",
        Scope::Global,
        "1.0.0",
        &plugin_dir(temp.path(), "linear", "v1"),
    );
    let mine = service.publish(
        "mine",
        Scope::User,
        "0.3.0",
        &plugin_dir(temp.path(), "mine", "v1"),
    );
    service
        .state
        .installed
        .lock()
        .unwrap()
        .extend([linear, mine]);
    let store = PluginStore::try_new(&home).unwrap();
    for stale in [
        "openai-curated-remote/gone/1.0.0",
        "workspace-directory/old/2.0.0",
        "local/kept/1.0.0",
    ] {
        std::fs::create_dir_all(store.cache_root().join(stale)).unwrap();
    }
    let client = service.client(&home);

    let outcome = sync_remote_installed_plugin_bundles(&client, &store, ALLOW_HTTP, &NoProgress)
        .await
        .unwrap();
    assert_eq!(
        outcome,
        RemoteSyncOutcome {
            installed_plugin_ids: vec![
                "linear@openai-curated-remote".to_owned(),
                "mine@created-by-me-remote".to_owned()
            ],
            removed_cache_plugin_ids: vec![
                "gone@openai-curated-remote".to_owned(),
                "old@workspace-directory".to_owned()
            ],
            ..RemoteSyncOutcome::default()
        }
    );
    assert_eq!(
        store
            .remote_plugin_id(&berth_plugin::PluginId::parse("mine@created-by-me-remote").unwrap())
            .unwrap()
            .as_deref(),
        Some("plugins~Plugin_mine")
    );
    assert!(store.cache_root().join("local/kept/1.0.0").is_dir());
}

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

#[tokio::test]
async fn snapshot_refresh_lists_installed_plugins_and_clears_on_auth_failure() {
    let service = TestService::start().await;
    let temp = tempfile::tempdir().unwrap();
    let home = temp.path().join("home");
    let id = service.publish(
        "linear",
        Scope::Global,
        "1.0.0",
        &plugin_dir(temp.path(), "linear", "v1"),
    );
    service.state.installed.lock().unwrap().insert(id.clone());
    let client = service.client(&home);
    let snapshot = berth_remote::RemoteInstalledSnapshot::new();
    assert_eq!(snapshot.get(), None);
    snapshot.request_refresh(client.clone());
    snapshot.request_refresh(client.clone());
    snapshot.request_refresh(client);
    snapshot.wait_idle().await;
    let ids = snapshot.remote_ids().unwrap();
    assert_eq!(
        ids.get(&berth_plugin::PluginId::parse("linear@openai-curated-remote").unwrap())
            .map(String::as_str),
        Some(id.as_str())
    );
    // Three requests while one ran coalesce into at most two fetches.
    assert!(service.state.requests.load(Ordering::SeqCst) <= 2);
}

/// Benchmark (run with `--ignored --nocapture`): startup sync of 1,000 installed,
/// already-current remote plugins must download nothing and take few requests.
#[tokio::test]
#[ignore = "benchmark"]
async fn bench_sync_of_a_thousand_current_plugins() {
    let service = TestService::start().await;
    let temp = tempfile::tempdir().unwrap();
    let home = temp.path().join("home");
    let source = plugin_dir(temp.path(), "p", "v1");
    let store = PluginStore::try_new(&home).unwrap();
    for index in 0..1000 {
        let name = format!("p{index}");
        let id = service.publish(&name, Scope::Global, "1.0.0", &source);
        service.state.installed.lock().unwrap().insert(id.clone());
        let plugin_id =
            berth_plugin::PluginId::parse(&format!("{name}@openai-curated-remote")).unwrap();
        std::fs::create_dir_all(store.plugin_root(&plugin_id, "1.0.0").join(".codex-plugin"))
            .unwrap();
        store.write_remote_plugin_id(&plugin_id, &id).unwrap();
    }
    let client = service.client(&home);
    let before = service.state.requests.load(Ordering::SeqCst);
    let started = std::time::Instant::now();
    let outcome = sync_remote_installed_plugin_bundles(&client, &store, ALLOW_HTTP, &NoProgress)
        .await
        .unwrap();
    let elapsed = started.elapsed();
    let requests = service.state.requests.load(Ordering::SeqCst) - before;
    println!(
        "sync of 1000 current plugins: {elapsed:?}, {requests} service requests, {} downloads",
        service.state.bundle_downloads.load(Ordering::SeqCst)
    );
    assert_eq!(outcome.backfilled_plugin_ids.len(), 1000);
    assert_eq!(service.state.bundle_downloads.load(Ordering::SeqCst), 0);
    assert!(requests <= 5);
}
