//! Remote install, uninstall, sync and snapshot against the real `berth serve` (see
//! `serve.rs`): the lifecycle, the service's own policies, a bundle corrupted in its storage,
//! an oversized download, sync backfill without a download, materialising, stale removal and
//! the in-flight guard, and the service going away midway.

use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};

use berth_plugin::PluginId;
use berth_remote::{
    NoProgress, RemoteError, RemoteInstalledSnapshot, RemoteSyncOutcome, install_remote_plugin,
    mark_remote_plugin_cache_mutation_in_flight, sync_remote_installed_plugin_bundles,
    uninstall_remote_plugin,
};
use berth_server::PublishOptions;
use berth_service_protocol::{InstallationPolicy, Scope, Status};
use berth_store::PluginStore;
use pretty_assertions::assert_eq;

use crate::serve::{Serve, client_for, plugin_source};
use crate::service::{ALLOW_HTTP, staging_is_empty};

/// A running service, a temp folder, a Codex home in it logged in to the service, a client
/// for it and the home's plugin store.
struct Setup {
    serve: Serve,
    temp: tempfile::TempDir,
    home: std::path::PathBuf,
    client: berth_remote::RemotePluginClient,
    store: PluginStore,
}

impl Setup {
    async fn start() -> Self {
        let serve = Serve::start().await;
        let temp = tempfile::tempdir().unwrap();
        let home = temp.path().join("home");
        let client = serve.client(&home);
        let store = PluginStore::try_new(&home).unwrap();
        Self {
            serve,
            temp,
            home,
            client,
            store,
        }
    }
}

fn id(key: &str) -> PluginId {
    PluginId::parse(key).unwrap()
}

#[tokio::test]
async fn install_and_uninstall_against_berth_serve_materialise_and_remove_the_cache() {
    let Setup {
        serve,
        temp,
        home,
        client,
        store,
    } = Setup::start().await;
    let remote_id = serve
        .publish_global(&plugin_source(temp.path(), "linear", "1.2.3"))
        .await;

    let outcome = install_remote_plugin(&client, &store, &remote_id, ALLOW_HTTP, &NoProgress)
        .await
        .unwrap();
    assert_eq!(
        (
            outcome.plugin_id.as_key(),
            outcome.remote_plugin_id.as_str(),
            outcome.plugin_version.as_str()
        ),
        (
            "linear@openai-curated-remote".to_owned(),
            "plugins~Plugin_linear",
            "1.2.3"
        )
    );
    let base = home.join("plugins/cache/openai-curated-remote/linear");
    assert_eq!(
        std::fs::read_to_string(base.join(".codex-remote-plugin-install.json")).unwrap(),
        "{\n  \"schema_version\": 1,\n  \"remote_plugin_id\": \"plugins~Plugin_linear\"\n}\n"
    );
    assert_eq!(
        std::fs::metadata(base.join("1.2.3/bin/run.sh"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o755
    );
    assert!(staging_is_empty(&home));
    let installed = client.list_installed(false).await.unwrap();
    assert_eq!(
        installed
            .iter()
            .map(|item| (item.item.id.as_str(), item.enabled))
            .collect::<Vec<_>>(),
        vec![("plugins~Plugin_linear", true)]
    );
    assert_eq!(serve.downloads(), 1);

    let (uninstalled, captured) =
        uninstall_remote_plugin(&client, &store, &remote_id, |plugin_id| {
            store.active_plugin_version(plugin_id)
        })
        .await
        .unwrap();
    assert_eq!(captured.as_deref(), Some("1.2.3"));
    assert!(uninstalled.removed_cache);
    assert!(!base.exists());
    assert_eq!(client.list_installed(false).await.unwrap(), Vec::new());
}

#[tokio::test]
async fn an_install_the_service_refuses_after_the_download_leaves_no_cache_behind() {
    let Setup {
        serve,
        temp,
        home,
        client,
        store,
    } = Setup::start().await;
    let remote_id = serve
        .publish_global(&plugin_source(temp.path(), "linear", "1.0.0"))
        .await;
    serve
        .counters
        .refuse_installs
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let err = install_remote_plugin(&client, &store, &remote_id, ALLOW_HTTP, &NoProgress)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("503") || format!("{err:?}").contains("503"),
        "{err:?}"
    );
    assert_eq!(
        serve.downloads(),
        1,
        "the bundle is fetched before the install call"
    );
    assert!(!store.is_installed(&id("linear@openai-curated-remote")));
    assert!(
        !home
            .join("plugins/cache/openai-curated-remote/linear")
            .exists()
    );
    assert!(staging_is_empty(&home));
}

#[tokio::test]
async fn berth_serve_policies_refuse_disabled_and_unavailable_plugins_before_download() {
    let Setup {
        serve,
        temp,
        home,
        client,
        store,
    } = Setup::start().await;
    let disabled = serve
        .publish_global(&plugin_source(temp.path(), "linear", "1.0.0"))
        .await;
    serve
        .db
        .set_plugin_status(&disabled, Status::DisabledByAdmin)
        .await
        .unwrap();
    let unavailable = serve
        .publish(
            &plugin_source(temp.path(), "locked", "1.0.0"),
            PublishOptions {
                installation_policy: InstallationPolicy::NotAvailable,
                ..PublishOptions::default()
            },
        )
        .await;
    let errors = [
        install_remote_plugin(&client, &store, &disabled, ALLOW_HTTP, &NoProgress)
            .await
            .unwrap_err()
            .to_string(),
        install_remote_plugin(&client, &store, &unavailable, ALLOW_HTTP, &NoProgress)
            .await
            .unwrap_err()
            .to_string(),
    ];
    assert_eq!(
        errors,
        [
            "remote plugin plugins~Plugin_linear is disabled by admin".to_owned(),
            "remote plugin plugins~Plugin_locked is not available for install".to_owned(),
        ]
    );
    assert_eq!(serve.downloads(), 0);
    assert!(!home.join("plugins/cache").exists());
}

#[tokio::test]
async fn a_bundle_corrupted_in_the_service_storage_fails_the_digest_and_keeps_the_old_version() {
    let Setup {
        serve,
        temp,
        home,
        client,
        store,
    } = Setup::start().await;
    let remote_id = serve
        .publish_global(&plugin_source(temp.path(), "linear", "1.0.0"))
        .await;
    install_remote_plugin(&client, &store, &remote_id, ALLOW_HTTP, &NoProgress)
        .await
        .unwrap();

    let before = serve.bundle_files();
    serve
        .publish_global(&plugin_source(temp.path(), "linear", "2.0.0"))
        .await;
    let new_bundle = serve
        .bundle_files()
        .into_iter()
        .find(|path| !before.contains(path))
        .unwrap();
    let mut bytes = std::fs::read(&new_bundle).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    #[expect(
        clippy::disallowed_methods,
        reason = "corrupting the service's stored bundle"
    )]
    std::fs::write(&new_bundle, &bytes).unwrap();

    let err = install_remote_plugin(&client, &store, &remote_id, ALLOW_HTTP, &NoProgress)
        .await
        .unwrap_err();
    assert!(matches!(err, RemoteError::DigestMismatch { .. }), "{err}");
    assert_eq!(
        store
            .active_plugin_version(&id("linear@openai-curated-remote"))
            .as_deref(),
        Some("1.0.0")
    );
    assert!(staging_is_empty(&home));
}

#[tokio::test]
async fn a_download_from_berth_serve_over_the_size_limit_is_refused() {
    let Setup {
        serve,
        temp,
        home: _,
        client,
        ..
    } = Setup::start().await;
    let remote_id = serve
        .publish_global(&plugin_source(temp.path(), "linear", "1.0.0"))
        .await;
    let item = client.get_plugin(&remote_id, true).await.unwrap();
    let bundle = berth_remote::validate_remote_plugin_bundle(&item, ALLOW_HTTP).unwrap();
    let err = berth_remote::download_bundle(
        &reqwest::Client::new(),
        &bundle,
        ALLOW_HTTP,
        16,
        &NoProgress,
    )
    .await
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "remote plugin bundle download from {} exceeded maximum size of 16 bytes (set BERTH_MAX_BUNDLE_DOWNLOAD_BYTES to raise it)",
            bundle.bundle_download_url
        )
    );
}

#[tokio::test]
async fn sync_against_berth_serve_backfills_without_download_materialises_and_removes_stale() {
    let Setup {
        serve,
        temp,
        home,
        client,
        store,
    } = Setup::start().await;
    let linear = serve
        .publish_global(&plugin_source(temp.path(), "linear", "1.2.3"))
        .await;
    let shared = serve
        .publish(
            &plugin_source(temp.path(), "shared", "0.3.0"),
            PublishOptions {
                scope: Scope::Workspace,
                ..PublishOptions::default()
            },
        )
        .await;
    install_remote_plugin(&client, &store, &linear, ALLOW_HTTP, &NoProgress)
        .await
        .unwrap();
    client.install(&shared).await.unwrap();
    let base = home.join("plugins/cache/openai-curated-remote/linear");
    let sidecar = base.join(".codex-remote-plugin-install.json");
    let original = std::fs::read(&sidecar).unwrap();
    let inode = std::fs::metadata(base.join("1.2.3")).unwrap().ino();
    std::fs::remove_file(&sidecar).unwrap();
    for stale in [
        "openai-curated-remote/gone/1.0.0",
        "workspace-directory/old/2.0.0",
        "local/kept/1.0.0",
    ] {
        std::fs::create_dir_all(store.cache_root().join(stale)).unwrap();
    }
    let downloads = serve.downloads();

    let outcome = sync_remote_installed_plugin_bundles(&client, &store, ALLOW_HTTP, &NoProgress)
        .await
        .unwrap();
    assert_eq!(
        outcome,
        RemoteSyncOutcome {
            installed_plugin_ids: vec!["shared@workspace-directory".to_owned()],
            updated_plugin_ids: Vec::new(),
            removed_cache_plugin_ids: vec![
                "gone@openai-curated-remote".to_owned(),
                "old@workspace-directory".to_owned()
            ],
            failed_remote_plugin_ids: Vec::new(),
            backfilled_plugin_ids: vec!["linear@openai-curated-remote".to_owned()],
        }
    );
    assert_eq!(std::fs::read(&sidecar).unwrap(), original);
    assert_eq!(std::fs::metadata(base.join("1.2.3")).unwrap().ino(), inode);
    // Only the missing workspace bundle was downloaded.
    assert_eq!(serve.downloads(), downloads + 1);
    assert_eq!(
        store
            .remote_plugin_id(&id("shared@workspace-directory"))
            .unwrap(),
        Some(shared)
    );
    assert!(store.cache_root().join("local/kept/1.0.0").is_dir());
    // Non-global bundles keep their manifest as shipped; global ones get the release version.
    assert_eq!(
        std::fs::read_to_string(
            store
                .cache_root()
                .join("workspace-directory/shared/0.3.0/.codex-plugin/plugin.json")
        )
        .unwrap(),
        r#"{"name":"shared","version":"0.3.0","description":"shared plugin"}"#
    );
}

#[tokio::test]
async fn snapshot_refreshes_coalesce_and_list_what_berth_serve_has_installed() {
    let Setup {
        serve,
        temp,
        home: _,
        client,
        ..
    } = Setup::start().await;
    let remote_id = serve
        .publish_global(&plugin_source(temp.path(), "linear", "1.0.0"))
        .await;
    client.install(&remote_id).await.unwrap();
    let before = serve.api_requests();
    let snapshot = RemoteInstalledSnapshot::new();
    assert_eq!(snapshot.get(), None);
    snapshot.request_refresh(client.clone());
    snapshot.request_refresh(client.clone());
    snapshot.request_refresh(client);
    snapshot.wait_idle().await;
    assert_eq!(
        snapshot.get(),
        Some(vec![berth_remote::RemoteInstalledPlugin {
            plugin_id: id("linear@openai-curated-remote"),
            remote_plugin_id: remote_id,
            enabled: true,
        }])
    );
    // Three requests while one ran coalesce into at most two fetches.
    assert!(serve.api_requests() - before <= 2);
}

#[tokio::test]
async fn sync_against_berth_serve_skips_a_plugin_whose_install_is_in_flight() {
    let Setup {
        serve: _serve,
        temp: _temp,
        home: _,
        client,
        store,
    } = Setup::start().await;
    std::fs::create_dir_all(store.cache_root().join("openai-curated-remote/busy/1.0.0")).unwrap();
    let guard = mark_remote_plugin_cache_mutation_in_flight(
        store.cache_root(),
        "openai-curated-remote",
        "busy",
    );
    let outcome = sync_remote_installed_plugin_bundles(&client, &store, ALLOW_HTTP, &NoProgress)
        .await
        .unwrap();
    assert_eq!(outcome, RemoteSyncOutcome::default());
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
async fn berth_serve_going_away_midway_is_a_clean_error_and_keeps_the_cache() {
    let Setup {
        serve,
        temp,
        home,
        client,
        store,
    } = Setup::start().await;
    let remote_id = serve
        .publish_global(&plugin_source(temp.path(), "linear", "1.0.0"))
        .await;
    install_remote_plugin(&client, &store, &remote_id, ALLOW_HTTP, &NoProgress)
        .await
        .unwrap();
    let snapshot = RemoteInstalledSnapshot::new();
    snapshot.refresh_now(&client).await.unwrap();
    serve
        .publish_global(&plugin_source(temp.path(), "linear", "2.0.0"))
        .await;

    serve.stop().await;
    // A fresh client: the old one may hold pooled connections to the stopped server's tasks.
    let client = client_for(&serve.api_url, &home);
    let err = install_remote_plugin(&client, &store, &remote_id, ALLOW_HTTP, &NoProgress)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "remote plugin catalog request to {}/ps/plugins/plugins~Plugin_linear failed",
            serve.api_url
        )
    );
    let err = sync_remote_installed_plugin_bundles(&client, &store, ALLOW_HTTP, &NoProgress)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "remote plugin catalog request to {}/ps/plugins/installed failed",
            serve.api_url
        )
    );
    // A transport failure keeps the last snapshot (only auth failures clear it).
    assert!(snapshot.refresh_now(&client).await.is_err());
    assert_eq!(
        snapshot
            .remote_ids()
            .unwrap()
            .get(&id("linear@openai-curated-remote")),
        Some(&remote_id)
    );
    assert_eq!(
        store
            .active_plugin_version(&id("linear@openai-curated-remote"))
            .as_deref(),
        Some("1.0.0")
    );
    assert_eq!(
        store
            .remote_plugin_id(&id("linear@openai-curated-remote"))
            .unwrap(),
        Some(remote_id)
    );
    assert!(staging_is_empty(&home));
}

#[tokio::test]
async fn catalog_and_installed_lists_follow_every_page_in_id_order() {
    let Setup {
        serve,
        temp: _temp,
        home: _,
        client,
        ..
    } = Setup::start().await;
    let mut expected = Vec::new();
    for index in 0..450 {
        let name = format!("p{index:03}");
        let record = berth_server::PluginRecord {
            item: berth_service_protocol::DirectoryItem {
                id: format!("plugins~Plugin_{name}"),
                name,
                scope: Scope::Global,
                discoverability: None,
                creator_account_user_id: None,
                creator_name: None,
                share_url: None,
                share_principals: Vec::new(),
                installation_policy: InstallationPolicy::Available,
                authentication_policy: berth_service_protocol::AuthenticationPolicy::OnUse,
                status: Status::Available,
                release: berth_service_protocol::Release::default(),
            },
            owner_account_id: None,
        };
        serve.db.upsert_plugin(&record, &[]).await.unwrap();
        if index % 2 == 0 {
            serve
                .db
                .install("acct-test", &record.item.id)
                .await
                .unwrap();
        }
        expected.push(record.item.id);
    }
    let before = serve.api_requests();
    let catalog: Vec<String> = client
        .list_catalog(Scope::Global)
        .await
        .unwrap()
        .into_iter()
        .map(|item| item.id)
        .collect();
    assert_eq!(catalog, expected);
    assert_eq!(serve.api_requests() - before, 3, "pages of 200, 200 and 50");
    let installed: Vec<String> = client
        .list_installed(true)
        .await
        .unwrap()
        .into_iter()
        .map(|installed| installed.item.id)
        .collect();
    let even: Vec<String> = expected.iter().step_by(2).cloned().collect();
    assert_eq!(installed, even);
}
