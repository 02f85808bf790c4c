//! Bundle garbage collection on every store: unreferenced bundles and killed uploads'
//! leftovers go; the bundles of every release (older ones too, for rollbacks) and uploads in
//! progress stay; a dry run only reports; a bundle stored within the minimum age, or stored again since
//! (as a publish does), is kept; every store is collected whichever one the server uses.

use std::time::Duration;

use berth_server::{
    BundleStore, BundleStoreKind, CollectedBundle, GcOptions, LocalBundleStore, PublishOptions,
    ServerConfig, collect_garbage,
};
use pretty_assertions::assert_eq;
use reqwest::StatusCode;

use crate::bundles::{killed_and_live_uploads, noise, on_every_store, server_with_store};
use crate::support::{Backend, TestServer, write_plugin};

/// The server's config, rebuilt from its running parts, as `berth serve gc` would see it.
fn config_of(server: &TestServer) -> ServerConfig {
    let mut config = ServerConfig::new(server.dir.path().join("data"));
    config.database_url.clone_from(&server.database_url);
    config
}

async fn status_of(server: &TestServer, sha: &str) -> StatusCode {
    server
        .client
        .get(format!("{}/bundles/{sha}.tar.gz", server.api))
        .send()
        .await
        .unwrap()
        .status()
}

const EVERYTHING_UNREFERENCED: GcOptions = GcOptions {
    dry_run: false,
    min_age: Duration::ZERO,
};

on_every_store!(
    gc_removes_unreferenced_bundles_and_killed_uploads_only,
    |server| {
        let plugins = server.dir.path().join("plugins");
        let publish = |version: &'static str| {
            let root = write_plugin(&plugins, "tracker", version);
            let db = server.db.clone();
            let bundles = std::sync::Arc::clone(&server.bundles);
            async move {
                berth_server::publish_plugin(&db, bundles, &root, PublishOptions::default())
                    .await
                    .unwrap()
            }
        };
        let old = publish("1.0.0").await;
        let current = publish("2.0.0").await;
        let old_sha = old.item.release.bundle_sha256.clone().unwrap();
        let current_sha = current.item.release.bundle_sha256.clone().unwrap();
        let stray = noise(5000, 9);
        let stray_sha = server.bundles.put_bytes(&stray).await.unwrap().sha256_hex;
        let (killed, live, mut writer) = killed_and_live_uploads(server.bundles.staging_dir());

        let config = config_of(server);
        let dry = collect_garbage(
            &config,
            &GcOptions {
                dry_run: true,
                ..EVERYTHING_UNREFERENCED
            },
        )
        .await
        .unwrap();
        let in_use = dry
            .stores
            .iter()
            .find(|sweep| sweep.kind == server.bundles.kind().as_str())
            .unwrap();
        assert_eq!(
            in_use.bundles,
            vec![CollectedBundle {
                sha256: stray_sha.clone(),
                bytes: stray.len() as u64,
            }]
        );
        assert_eq!(in_use.referenced, 2);
        assert_eq!(
            in_use
                .leftovers
                .iter()
                .map(|leftover| leftover.path.clone())
                .collect::<Vec<_>>(),
            vec![killed.clone()]
        );
        assert!(dry.dry_run);
        assert_eq!(dry.referenced, 2);
        assert_eq!(dry.missing, Vec::<String>::new());
        assert_eq!(dry.freed_bytes(), stray.len() as u64 + 3000);
        // Nothing was removed.
        assert_eq!(status_of(server, &stray_sha).await, StatusCode::OK);
        assert!(killed.exists());

        let report = collect_garbage(&config, &EVERYTHING_UNREFERENCED)
            .await
            .unwrap();
        assert!(!report.dry_run);
        assert_eq!(report.freed_bytes(), dry.freed_bytes());
        assert_eq!(status_of(server, &stray_sha).await, StatusCode::NOT_FOUND);
        // The earlier release stays in the history (for a roll back), and so does its bundle.
        assert_eq!(status_of(server, &old_sha).await, StatusCode::OK);
        assert_eq!(status_of(server, &current_sha).await, StatusCode::OK);
        assert!(!killed.exists());
        assert!(live.exists(), "an upload in progress was swept");

        let again = collect_garbage(&config, &EVERYTHING_UNREFERENCED)
            .await
            .unwrap();
        assert_eq!(again.freed_bytes(), 0);
        writer.kill().unwrap();
        writer.wait().unwrap();
    }
);

on_every_store!(gc_keeps_bundles_stored_within_the_minimum_age, |server| {
    let stray = noise(4000, 10);
    let sha = server.bundles.put_bytes(&stray).await.unwrap().sha256_hex;
    let report = collect_garbage(&config_of(server), &GcOptions::default())
        .await
        .unwrap();
    let in_use = report
        .stores
        .iter()
        .find(|sweep| sweep.kind == server.bundles.kind().as_str())
        .unwrap();
    assert_eq!(in_use.recent_unreferenced, 1);
    assert_eq!(report.freed_bytes(), 0);
    assert_eq!(status_of(server, &sha).await, StatusCode::OK);
});

/// Marks every bundle of the server's store as stored two hours ago.
async fn age_every_bundle(server: &TestServer) {
    let two_hours_ago = std::time::SystemTime::now() - Duration::from_secs(7200);
    match server.bundles.kind() {
        BundleStoreKind::Folder => {
            for entry in std::fs::read_dir(server.dir.path().join("data/bundles")).unwrap() {
                let path = entry.unwrap().path();
                std::fs::File::options()
                    .write(true)
                    .open(&path)
                    .unwrap()
                    .set_modified(two_hours_ago)
                    .unwrap();
            }
        }
        BundleStoreKind::Database => {
            let url = config_of(server).effective_database_url();
            sqlx::any::install_default_drivers();
            let pool = sqlx::AnyPool::connect(&url).await.unwrap();
            let seconds = two_hours_ago
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs();
            sqlx::query("UPDATE bundles SET stored_at = $1")
                .bind(i64::try_from(seconds).unwrap())
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
        }
    }
}

on_every_store!(
    storing_a_bundle_again_keeps_it_from_a_collection,
    |server| {
        let renewed = noise(3000, 11);
        let forgotten = noise(3000, 12);
        let renewed_sha = server.bundles.put_bytes(&renewed).await.unwrap().sha256_hex;
        let forgotten_sha = server
            .bundles
            .put_bytes(&forgotten)
            .await
            .unwrap()
            .sha256_hex;
        age_every_bundle(server).await;
        // A publish storing the same bytes again, then registering its release, races with gc:
        // storing renews the bundle, so gc keeps it.
        let again = server.bundles.put_bytes(&renewed).await.unwrap();
        assert!(!again.newly_stored);
        let report = collect_garbage(&config_of(server), &GcOptions::default())
            .await
            .unwrap();
        assert_eq!(
            report
                .stores
                .iter()
                .flat_map(|sweep| sweep.bundles.iter().map(|bundle| bundle.sha256.clone()))
                .collect::<Vec<_>>(),
            vec![forgotten_sha.clone()]
        );
        assert_eq!(status_of(server, &renewed_sha).await, StatusCode::OK);
        assert_eq!(
            status_of(server, &forgotten_sha).await,
            StatusCode::NOT_FOUND
        );
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gc_collects_the_folder_too_when_the_database_stores_bundles() {
    // A server that moved from the folder to the database store: an unreferenced bundle left in
    // the folder goes, a referenced one stays (whichever store holds it).
    let Some(server) = server_with_store(Backend::Sqlite, BundleStoreKind::Database).await else {
        return;
    };
    let published = server.publish("moved", PublishOptions::default()).await;
    let referenced = published.release.bundle_sha256.unwrap();
    let folder = LocalBundleStore::new(server.dir.path().join("data/bundles"));
    let old_bytes = noise(2000, 13);
    let old = folder.put_bytes(&old_bytes).await.unwrap().sha256_hex;
    let (_, item) = server
        .send_as(
            "GET",
            &format!("/ps/plugins/{}", published.id),
            &server.token,
            &server.account,
        )
        .await;
    assert_eq!(item["release"]["bundle_sha256"], referenced.as_str());
    let report = collect_garbage(&config_of(&server), &EVERYTHING_UNREFERENCED)
        .await
        .unwrap();
    let kinds: Vec<&str> = report.stores.iter().map(|sweep| sweep.kind).collect();
    assert_eq!(kinds, vec!["folder", "database"]);
    assert_eq!(
        report.stores[0].bundles,
        vec![CollectedBundle {
            sha256: old,
            bytes: old_bytes.len() as u64
        }]
    );
    assert_eq!(report.stores[1].referenced, 1);
    assert_eq!(report.freed_bytes(), old_bytes.len() as u64);
    assert_eq!(status_of(&server, &referenced).await, StatusCode::OK);
    server.shutdown().await;
}
