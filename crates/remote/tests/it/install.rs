//! Remote install failures the real `berth serve` cannot produce, on the loopback service:
//! the install call answering 500 after the download, a redirect to plain http elsewhere, and
//! a bundle whose manifest names another plugin. The rest runs against `berth serve`
//! (`on_serve.rs`).

use std::path::PathBuf;
use std::sync::atomic::Ordering;

use berth_remote::{NoProgress, install_remote_plugin};
use berth_service_protocol::Scope;
use berth_store::PluginStore;
use pretty_assertions::assert_eq;

use crate::service::{ALLOW_HTTP, TestService, plugin_dir, staging_is_empty};

/// The loopback service with `linear` 1.0.0 (GLOBAL) published, a temp folder and the Codex
/// home inside it, and the backend id.
async fn linear_published() -> (TestService, tempfile::TempDir, PathBuf, String) {
    let service = TestService::start().await;
    let temp = tempfile::tempdir().unwrap();
    let home = temp.path().join("home");
    let id = service.publish(
        "linear",
        Scope::Global,
        "1.0.0",
        &plugin_dir(temp.path(), "linear", "v1"),
    );
    (service, temp, home, id)
}

#[tokio::test]
async fn a_service_error_after_download_keeps_the_cache_consistent_and_staging_clean() {
    let (service, _temp, home, id) = linear_published().await;
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
async fn a_redirect_to_plain_http_elsewhere_is_refused() {
    let (service, _temp, home, id) = linear_published().await;
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

/// Issue 11 item 10: a release `version` equal to the sidecar's name made the version folder
/// take the sidecar's place, so the sidecar write failed and a half-installed plugin stayed.
#[tokio::test]
async fn a_release_version_naming_a_hidden_cache_entry_is_refused_and_leaves_nothing() {
    let (service, _temp, home, id) = linear_published().await;
    service.edit(&id, |item| {
        item.release.version = Some(".codex-remote-plugin-install.json".to_owned());
    });
    let client = service.client(&home);
    let store = PluginStore::try_new(&home).unwrap();
    let err = install_remote_plugin(&client, &store, &id, ALLOW_HTTP, &NoProgress)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "backend returned release version `.codex-remote-plugin-install.json` for remote plugin `{id}`; versions starting with `.` name hidden cache entries and are refused (ask the plugin publisher for a new release)"
        )
    );
    assert!(
        !home
            .join("plugins/cache/openai-curated-remote/linear")
            .exists()
    );
    assert!(staging_is_empty(&home));
    assert!(!service.state.installed.lock().unwrap().contains(&id));
}

/// Issue 11 item 9: the staging sweep never removes the folder of a running install: installs
/// hold the staging lock shared, and the sweep only takes it exclusively without waiting.
#[test]
fn the_staging_sweep_leaves_a_running_install_alone() {
    let temp = tempfile::tempdir().unwrap();
    let home = temp.path();
    let staging = home.join(berth_remote::REMOTE_PLUGIN_INSTALL_STAGING_DIR);
    let leftover = staging.join("remote-plugin-bundle-berth-Ab12Cd");
    let codex_own = staging.join("remote-plugin-bundle-Xy34Zw");
    for dir in [&leftover, &codex_own] {
        std::fs::create_dir_all(dir.join("skills")).unwrap();
    }
    let running = berth_fs::LockedFile::acquire_shared_with_timeout(
        &staging.join(".berth-staging.lock"),
        "test install",
        std::time::Duration::from_secs(1),
    )
    .unwrap();
    assert_eq!(berth_remote::sweep_remote_install_staging(home), 0);
    assert!(leftover.exists());
    drop(running);
    assert_eq!(berth_remote::sweep_remote_install_staging(home), 1);
    assert!(!leftover.exists());
    // Codex's staging names no owner berth could check: it is never swept.
    assert!(codex_own.exists());
}
