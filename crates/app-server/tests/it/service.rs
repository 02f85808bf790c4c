//! `berth serve` in process on 127.0.0.1:0 (its real router and `SQLite` storage, dev mode), with
//! a layer that records every request path and query so tests can count calls to the service;
//! plugins are published with `berth_server::publish_plugin`, stored analytics read back from
//! its database.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use berth_server::{AppState, BundleStore, Db, PublishOptions, ServerConfig};
use berth_test_support::{TestHome, write};
use serde_json::{Value, json};

/// A running service; stopped when dropped.
pub(crate) struct Service {
    pub(crate) api_url: String,
    db: Db,
    bundles: Arc<dyn BundleStore>,
    requests: Arc<Mutex<Vec<String>>>,
    runtime: tokio::runtime::Runtime,
    _data: tempfile::TempDir,
}

impl Service {
    pub(crate) fn start() -> Self {
        let data = tempfile::tempdir().unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let config = ServerConfig::new(data.path().join("serve"));
        let (db, bundles) = runtime
            .block_on(berth_server::open_storage(&config))
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let requests: Arc<Mutex<Vec<String>>> = Arc::default();
        let log = Arc::clone(&requests);
        let app = berth_server::router(AppState::new(
            db.clone(),
            Arc::clone(&bundles),
            &origin,
            true,
        ))
        .layer(axum::middleware::from_fn(
            move |request: Request, next: Next| {
                let log = Arc::clone(&log);
                async move {
                    let uri = request.uri();
                    let line = format!(
                        "{} {}",
                        request.method(),
                        uri.path_and_query().map_or(uri.path(), |p| p.as_str())
                    );
                    log.lock().unwrap().push(line);
                    let response: Response = next.run(request).await;
                    response
                }
            },
        ));
        runtime.spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self {
            api_url: format!("{origin}/backend-api"),
            db,
            bundles,
            requests,
            runtime,
            _data: data,
        }
    }

    /// Publishes the plugin folder `dir`; returns its backend id.
    pub(crate) fn publish(&self, dir: &Path, options: PublishOptions) -> String {
        self.runtime
            .block_on(berth_server::publish_plugin(
                &self.db,
                Arc::clone(&self.bundles),
                dir,
                options,
            ))
            .unwrap()
            .item
            .id
    }

    /// Requests received so far (`METHOD /path?query`) whose path starts with `prefix`
    /// (relative to the API base, e.g. `/ps/plugins/installed`).
    pub(crate) fn requests(&self, prefix: &str) -> Vec<String> {
        let prefix = format!("/backend-api{prefix}");
        self.requests
            .lock()
            .unwrap()
            .iter()
            .filter(|line| {
                line.split_once(' ')
                    .is_some_and(|(_, target)| target.starts_with(&prefix))
            })
            .cloned()
            .collect()
    }

    /// The analytics events the service stored, in arrival order, as
    /// `{"event_type", "event_params"}` (what `berth serve events` prints).
    pub(crate) fn events(&self) -> Vec<Value> {
        self.runtime
            .block_on(self.db.events())
            .unwrap()
            .into_iter()
            .map(
                |event| json!({"event_type": event.event_type, "event_params": event.event_params}),
            )
            .collect()
    }
}

/// A Codex home logged in with the test `ChatGPT` account (`acct-test`) and pointed at
/// `service`, with `extra` config lines.
pub(crate) fn remote_home(service: &Service, extra: &str) -> TestHome {
    let home = TestHome::new();
    berth_auth::test_support::write_chatgpt_test_auth(&home.codex_home()).unwrap();
    write(
        &home.config_path(),
        &format!("chatgpt_base_url = \"{}\"\n{extra}", service.api_url),
    );
    home
}

/// A plugin folder `name` with one skill, under `parent`.
pub(crate) fn plugin_source(parent: &Path, name: &str) -> PathBuf {
    let dir = parent.join(format!("src-{name}"));
    write(
        &dir.join(".codex-plugin/plugin.json"),
        &format!(r#"{{"name":"{name}","version":"1.0.0","description":"{name} plugin"}}"#),
    );
    write(
        &dir.join("skills/hello/SKILL.md"),
        "---\nname: hello\ndescription: says hello\n---\nHello.\n",
    );
    dir
}
