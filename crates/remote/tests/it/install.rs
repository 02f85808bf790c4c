//! Remote install and uninstall against the loopback service: the full lifecycle and the
//! failures that must leave the cache as it was.

use std::sync::atomic::Ordering;

use berth_remote::{NoProgress, RemoteError, install_remote_plugin, uninstall_remote_plugin};
use berth_service_protocol::{InstallationPolicy, Scope, Status};
use berth_store::PluginStore;
use pretty_assertions::assert_eq;

use crate::service::{ALLOW_HTTP, TestService, plugin_dir};

fn staging_is_empty(home: &std::path::Path) -> bool {
    let staging = home.join("plugins/.remote-plugin-install-staging");
    std::fs::read_dir(staging).map_or(true, |mut entries| entries.next().is_none())
}

#[tokio::test]
async fn remote_install_then_uninstall_materialises_and_removes_the_cache() {
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

    let outcome = install_remote_plugin(&client, &store, &id, ALLOW_HTTP, &NoProgress)
        .await
        .unwrap();
    assert_eq!(outcome.plugin_id.as_key(), "linear@openai-curated-remote");
    assert_eq!(outcome.plugin_version, "1.2.3");
    let base = home.join("plugins/cache/openai-curated-remote/linear");
    assert_eq!(
        std::fs::read_to_string(base.join(".codex-remote-plugin-install.json")).unwrap(),
        "{\n  \"schema_version\": 1,\n  \"remote_plugin_id\": \"plugins~Plugin_linear\"\n}\n"
    );
    // Global bundles get the release version stamped into the manifest.
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(base.join("1.2.3/.codex-plugin/plugin.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(manifest["version"], "1.2.3");
    assert!(service.state.installed.lock().unwrap().contains(&id));
    assert!(staging_is_empty(&home));

    let (uninstalled, captured) = uninstall_remote_plugin(&client, &store, &id, |plugin_id| {
        // Telemetry reads the cache before it is removed.
        store.active_plugin_version(plugin_id)
    })
    .await
    .unwrap();
    assert_eq!(captured.as_deref(), Some("1.2.3"));
    assert!(uninstalled.removed_cache);
    assert!(!base.exists());
    assert!(!service.state.installed.lock().unwrap().contains(&id));
}

#[tokio::test]
async fn non_global_bundles_keep_their_manifest_as_shipped() {
    let service = TestService::start().await;
    let temp = tempfile::tempdir().unwrap();
    let home = temp.path().join("home");
    let id = service.publish(
        "shared",
        Scope::Workspace,
        "2.0.0",
        &plugin_dir(temp.path(), "shared", "v1"),
    );
    let client = service.client(&home);
    let store = PluginStore::try_new(&home).unwrap();
    install_remote_plugin(&client, &store, &id, ALLOW_HTTP, &NoProgress)
        .await
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(
            home.join("plugins/cache/workspace-directory/shared/2.0.0/.codex-plugin/plugin.json")
        )
        .unwrap(),
        "{\"name\":\"shared\",\"version\":\"0.0.1\"}"
    );
}

#[tokio::test]
async fn a_digest_mismatch_is_refused_and_leaves_the_previous_version() {
    let service = TestService::start().await;
    let temp = tempfile::tempdir().unwrap();
    let home = temp.path().join("home");
    let id = service.publish(
        "linear",
        Scope::Global,
        "1.0.0",
        &plugin_dir(temp.path(), "linear", "v1"),
    );
    let client = service.client(&home);
    let store = PluginStore::try_new(&home).unwrap();
    install_remote_plugin(&client, &store, &id, ALLOW_HTTP, &NoProgress)
        .await
        .unwrap();

    service.publish(
        "linear",
        Scope::Global,
        "2.0.0",
        &plugin_dir(temp.path(), "linear", "v2"),
    );
    service.edit(&id, |item| {
        item.release.bundle_sha256 = Some("0".repeat(64));
    });
    let err = install_remote_plugin(&client, &store, &id, ALLOW_HTTP, &NoProgress)
        .await
        .unwrap_err();
    assert!(matches!(err, RemoteError::DigestMismatch { .. }), "{err}");
    assert_eq!(
        store
            .active_plugin_version(&"linear@openai-curated-remote".parse_id())
            .as_deref(),
        Some("1.0.0")
    );
    assert!(staging_is_empty(&home));
}

#[tokio::test]
async fn a_service_error_after_download_keeps_the_cache_consistent_and_staging_clean() {
    let service = TestService::start().await;
    let temp = tempfile::tempdir().unwrap();
    let home = temp.path().join("home");
    let id = service.publish(
        "linear",
        Scope::Global,
        "1.0.0",
        &plugin_dir(temp.path(), "linear", "v1"),
    );
    let client = service.client(&home);
    let store = PluginStore::try_new(&home).unwrap();
    service.state.fail_install.store(true, Ordering::SeqCst);
    let err = install_remote_plugin(&client, &store, &id, ALLOW_HTTP, &NoProgress)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "remote plugin catalog request to {}/backend-api/ps/plugins/{id}/install failed with status 500: database unavailable",
            service.base
        )
    );
    // Cache first: the bundle is materialised with its identity; the service does not list it.
    assert!(!service.state.installed.lock().unwrap().contains(&id));
    assert!(staging_is_empty(&home));
}

#[tokio::test]
async fn an_unreachable_service_is_a_clean_error_naming_the_url() {
    let temp = tempfile::tempdir().unwrap();
    let home = temp.path().join("home");
    let service = TestService::start().await;
    let client = {
        std::fs::create_dir_all(&home).unwrap();
        berth_auth::test_support::write_chatgpt_test_auth(&home).unwrap();
        let auth = berth_auth::load_auth(&home).unwrap();
        let auth = berth_remote::RemoteAuth::from_codex_auth(auth.as_ref()).unwrap();
        // Port 9 (discard) on loopback: nothing listens.
        berth_remote::RemotePluginClient::new(
            &berth_remote::RemoteClientOptions::new(Some("http://127.0.0.1:9/backend-api")),
            &auth,
        )
        .unwrap()
    };
    drop(service);
    let store = PluginStore::try_new(&home).unwrap();
    let err = install_remote_plugin(
        &client,
        &store,
        "plugins~Plugin_linear",
        ALLOW_HTTP,
        &NoProgress,
    )
    .await
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "remote plugin catalog request to http://127.0.0.1:9/backend-api/ps/plugins/plugins~Plugin_linear failed"
    );
    assert!(!home.join("plugins/cache").exists());
}

#[tokio::test]
async fn disabled_and_unavailable_plugins_are_refused_before_download() {
    let service = TestService::start().await;
    let temp = tempfile::tempdir().unwrap();
    let home = temp.path().join("home");
    let id = service.publish(
        "linear",
        Scope::Global,
        "1.0.0",
        &plugin_dir(temp.path(), "linear", "v1"),
    );
    let client = service.client(&home);
    let store = PluginStore::try_new(&home).unwrap();
    service.edit(&id, |item| item.status = Status::DisabledByAdmin);
    let err = install_remote_plugin(&client, &store, &id, ALLOW_HTTP, &NoProgress)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "remote plugin plugins~Plugin_linear is disabled by admin"
    );
    service.edit(&id, |item| {
        item.status = Status::Available;
        item.installation_policy = InstallationPolicy::NotAvailable;
    });
    let err = install_remote_plugin(&client, &store, &id, ALLOW_HTTP, &NoProgress)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "remote plugin plugins~Plugin_linear is not available for install"
    );
    assert_eq!(service.state.bundle_downloads.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_redirect_to_plain_http_elsewhere_is_refused() {
    let service = TestService::start().await;
    let temp = tempfile::tempdir().unwrap();
    let home = temp.path().join("home");
    let id = service.publish(
        "linear",
        Scope::Global,
        "1.0.0",
        &plugin_dir(temp.path(), "linear", "v1"),
    );
    let base = service.base.clone();
    service.edit(&id, |item| {
        item.release.bundle_download_url = Some(format!("{base}/redirect-to-http"));
    });
    let client = service.client(&home);
    let store = PluginStore::try_new(&home).unwrap();
    let err = install_remote_plugin(&client, &store, &id, ALLOW_HTTP, &NoProgress)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "remote plugin bundle download from {base}/redirect-to-http redirected to unsupported URL http://plugins.example.invalid/bundle.tar.gz"
        )
    );
}

#[tokio::test]
async fn an_oversized_download_is_refused() {
    let service = TestService::start().await;
    let temp = tempfile::tempdir().unwrap();
    let id = service.publish(
        "linear",
        Scope::Global,
        "1.0.0",
        &plugin_dir(temp.path(), "linear", "v1"),
    );
    let item = service.state.plugins.lock().unwrap()[&id].clone();
    let bundle = berth_remote::validate_remote_plugin_bundle(&item, ALLOW_HTTP).unwrap();
    let http = reqwest::Client::new();
    let err = berth_remote::download_bundle(&http, &bundle, ALLOW_HTTP, 16, &NoProgress)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "remote plugin bundle download from {} exceeded maximum size of 16 bytes",
            bundle.bundle_download_url
        )
    );
}

#[tokio::test]
async fn a_bundle_whose_manifest_names_another_plugin_is_refused() {
    let service = TestService::start().await;
    let temp = tempfile::tempdir().unwrap();
    let home = temp.path().join("home");
    let id = service.publish(
        "linear",
        Scope::Global,
        "1.0.0",
        &plugin_dir(temp.path(), "other", "v1"),
    );
    let client = service.client(&home);
    let store = PluginStore::try_new(&home).unwrap();
    let err = install_remote_plugin(&client, &store, &id, ALLOW_HTTP, &NoProgress)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "remote plugin `plugins~Plugin_linear` bundle manifest name `other` does not match backend plugin name `linear`"
    );
    assert!(
        !home
            .join("plugins/cache/openai-curated-remote/linear")
            .exists()
    );
    assert!(staging_is_empty(&home));
}

trait ParseId {
    fn parse_id(&self) -> berth_plugin::PluginId;
}

impl ParseId for &str {
    fn parse_id(&self) -> berth_plugin::PluginId {
        berth_plugin::PluginId::parse(self).unwrap()
    }
}
