//! The real plugin service for tests: `berth serve`'s router (`berth_server::router`) over a
//! fresh `SQLite` database and bundle folder, served on 127.0.0.1 in dev mode, with a layer that
//! counts API requests and bundle downloads. Plugins are published with
//! `berth_server::publish_plugin`, the code behind `berth publish`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse as _, Response};
use berth_remote::{RemoteAuth, RemoteClientOptions, RemotePluginClient};
use berth_server::{AppState, BundleStore, Db, LocalBundleStore, PublishOptions};
use tokio::task::JoinHandle;

/// Request counters of a [`Serve`].
#[derive(Debug, Default)]
pub(crate) struct Counters {
    /// Requests to the plugin API (everything but bundle downloads).
    pub(crate) api_requests: AtomicUsize,
    /// Bundle downloads.
    pub(crate) bundle_downloads: AtomicUsize,
    /// When set, `POST …/install` is answered 503 without reaching the service (a service
    /// that fails between the catalog read and the install).
    pub(crate) refuse_installs: std::sync::atomic::AtomicBool,
}

/// A running `berth serve` (dev mode) on 127.0.0.1.
pub(crate) struct Serve {
    pub(crate) db: Db,
    pub(crate) bundles: Arc<LocalBundleStore>,
    pub(crate) api_url: String,
    pub(crate) counters: Arc<Counters>,
    task: JoinHandle<()>,
    _dir: tempfile::TempDir,
}

impl Serve {
    pub(crate) async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db_url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("berth.db").display()
        );
        let db = Db::connect(&db_url).await.unwrap();
        let bundles = Arc::new(LocalBundleStore::new(dir.path().join("bundles")));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let store: Arc<dyn BundleStore> = bundles.clone();
        let counters = Arc::new(Counters::default());
        let counting = counters.clone();
        let app = berth_server::router(AppState::new(db.clone(), store, &origin, true)).layer(
            middleware::from_fn(move |request: Request, next: Next| {
                let counters = counting.clone();
                async move { count(&counters, request, next).await }
            }),
        );
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self {
            db,
            bundles,
            api_url: format!("{origin}/backend-api"),
            counters,
            task,
            _dir: dir,
        }
    }

    /// A client logged in with the test `ChatGPT` account of `codex_home`.
    pub(crate) fn client(&self, codex_home: &Path) -> RemotePluginClient {
        client_for(&self.api_url, codex_home)
    }

    /// Publishes `dir` with `options` and returns the backend id.
    pub(crate) async fn publish(&self, dir: &Path, options: PublishOptions) -> String {
        let store: Arc<dyn BundleStore> = self.bundles.clone();
        berth_server::publish_plugin(&self.db, store, dir, options)
            .await
            .unwrap()
            .item
            .id
    }

    /// Publishes `dir` as a GLOBAL plugin.
    pub(crate) async fn publish_global(&self, dir: &Path) -> String {
        self.publish(dir, PublishOptions::default()).await
    }

    /// The stored bundle files.
    pub(crate) fn bundle_files(&self) -> Vec<PathBuf> {
        std::fs::read_dir(self.bundles.dir())
            .map(|entries| entries.map(|entry| entry.unwrap().path()).collect())
            .unwrap_or_default()
    }

    pub(crate) fn downloads(&self) -> usize {
        self.counters.bundle_downloads.load(Ordering::SeqCst)
    }

    pub(crate) fn api_requests(&self) -> usize {
        self.counters.api_requests.load(Ordering::SeqCst)
    }

    /// Stops accepting: new connections are refused (a client with pooled connections may
    /// still reach the old connection tasks, so tests use a fresh client afterwards).
    pub(crate) async fn stop(&self) {
        self.task.abort();
        while !self.task.is_finished() {
            tokio::task::yield_now().await;
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn count(counters: &Counters, request: Request, next: Next) -> Response {
    if counters.refuse_installs.load(Ordering::SeqCst)
        && request.method() == axum::http::Method::POST
        && request.uri().path().ends_with("/install")
    {
        return (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({"error": {"code": "unavailable", "message": "down for maintenance"}})),
        )
            .into_response();
    }
    if request.uri().path().starts_with("/backend-api/bundles/") {
        counters.bundle_downloads.fetch_add(1, Ordering::SeqCst);
    } else {
        counters.api_requests.fetch_add(1, Ordering::SeqCst);
    }
    next.run(request).await
}

/// A client for `api_url` with a test `ChatGPT` login written into `codex_home`.
pub(crate) fn client_for(api_url: &str, codex_home: &Path) -> RemotePluginClient {
    std::fs::create_dir_all(codex_home).unwrap();
    berth_auth::test_support::write_chatgpt_test_auth(codex_home).unwrap();
    let auth = berth_auth::load_auth(codex_home).unwrap();
    let auth = RemoteAuth::from_codex_auth(auth.as_ref()).unwrap();
    RemotePluginClient::new(&RemoteClientOptions::new(Some(api_url)), &auth).unwrap()
}

/// A plugin folder `name` at `version` (manifest with a description, one skill, one
/// executable script) under `parent`.
pub(crate) fn plugin_source(parent: &Path, name: &str, version: &str) -> PathBuf {
    let root = parent.join(format!("src-{name}-{version}"));
    std::fs::create_dir_all(root.join(".codex-plugin")).unwrap();
    std::fs::create_dir_all(root.join("skills/hello")).unwrap();
    std::fs::create_dir_all(root.join("bin")).unwrap();
    #[expect(clippy::disallowed_methods, reason = "test fixture")]
    {
        std::fs::write(
            root.join(".codex-plugin/plugin.json"),
            format!(r#"{{"name":"{name}","version":"{version}","description":"{name} plugin"}}"#),
        )
        .unwrap();
        std::fs::write(
            root.join("skills/hello/SKILL.md"),
            format!("---\nname: hello\ndescription: says hello\n---\n{version}\n"),
        )
        .unwrap();
        std::fs::write(root.join("bin/run.sh"), "#!/bin/sh\necho run\n").unwrap();
    }
    std::fs::set_permissions(
        root.join("bin/run.sh"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    root
}
