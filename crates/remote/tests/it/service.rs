//! A minimal plugin service on 127.0.0.1, kept only to inject faults the real `berth serve`
//! cannot produce (see `main.rs`): catalog, installed list, install and
//! uninstall, bundle downloads, with switches to fail requests and a request counter.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::Router;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use berth_remote::{BundleUrlPolicy, RemoteAuth, RemoteClientOptions, RemotePluginClient};
use berth_service_protocol::{
    DirectoryItem, InstallResponse, InstalledItem, InstalledListResponse, Pagination, Release,
    Scope, UninstallResponse,
};

pub(crate) const ALLOW_HTTP: BundleUrlPolicy = BundleUrlPolicy {
    allow_http_loopback: true,
};

#[derive(Default)]
pub(crate) struct ServiceState {
    pub(crate) plugins: Mutex<BTreeMap<String, DirectoryItem>>,
    pub(crate) installed: Mutex<BTreeSet<String>>,
    pub(crate) bundles: Mutex<BTreeMap<String, Vec<u8>>>,
    pub(crate) fail_install: AtomicBool,
    pub(crate) requests: AtomicUsize,
    pub(crate) bundle_downloads: AtomicUsize,
}

pub(crate) struct TestService {
    pub(crate) state: Arc<ServiceState>,
    pub(crate) base: String,
}

impl TestService {
    pub(crate) async fn start() -> Self {
        let state = Arc::new(ServiceState::default());
        let app = Router::new()
            .route("/backend-api/ps/plugins/installed", get(installed))
            .route("/backend-api/ps/plugins/{id}", get(plugin))
            .route("/backend-api/ps/plugins/{id}/install", post(install))
            .route("/backend-api/plugins/{id}/uninstall", post(uninstall))
            .route("/bundles/{name}", get(bundle))
            .route("/redirect-to-http", get(redirect_to_http))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self {
            state,
            base: format!("http://{addr}"),
        }
    }

    pub(crate) fn client(&self, codex_home: &Path) -> RemotePluginClient {
        std::fs::create_dir_all(codex_home).unwrap();
        berth_auth::test_support::write_chatgpt_test_auth(codex_home).unwrap();
        let auth = berth_auth::load_auth(codex_home).unwrap();
        let auth = RemoteAuth::from_codex_auth(auth.as_ref()).unwrap();
        RemotePluginClient::new(
            &RemoteClientOptions::new(Some(&format!("{}/backend-api/", self.base))),
            &auth,
        )
        .unwrap()
    }

    /// Publishes `plugin_dir` as `name` with backend id `plugins~Plugin_<name>`.
    pub(crate) fn publish(
        &self,
        name: &str,
        scope: Scope,
        version: &str,
        plugin_dir: &Path,
    ) -> String {
        let packed = berth_bundle::pack_plugin_dir(plugin_dir).unwrap();
        let id = format!("plugins~Plugin_{name}");
        let file = format!("{name}-{version}.tar.gz");
        self.state
            .bundles
            .lock()
            .unwrap()
            .insert(file.clone(), packed.bytes);
        let item: DirectoryItem = serde_json::from_value(serde_json::json!({
            "id": id,
            "name": name,
            "scope": scope,
            "discoverability": if scope == Scope::Workspace { Some("LISTED") } else { None },
            "release": Release {
                version: Some(version.to_owned()),
                display_name: name.to_owned(),
                bundle_download_url: Some(format!("{}/bundles/{file}", self.base)),
                bundle_sha256: Some(packed.sha256_hex),
                ..Release::default()
            },
        }))
        .unwrap();
        self.state.plugins.lock().unwrap().insert(id.clone(), item);
        id
    }

    /// Publishes the crafted bundle `bytes` (gzip tar) as `name`, as a hostile service would.
    pub(crate) fn publish_bundle(&self, name: &str, version: &str, bytes: Vec<u8>) -> String {
        let id = format!("plugins~Plugin_{name}");
        let file = format!("{name}-{version}.tar.gz");
        let sha256 = berth_bundle::sha256_hex(&bytes);
        self.state
            .bundles
            .lock()
            .unwrap()
            .insert(file.clone(), bytes);
        let item: DirectoryItem = serde_json::from_value(serde_json::json!({
            "id": id,
            "name": name,
            "scope": Scope::Global,
            "release": Release {
                version: Some(version.to_owned()),
                display_name: name.to_owned(),
                bundle_download_url: Some(format!("{}/bundles/{file}", self.base)),
                bundle_sha256: Some(sha256),
                ..Release::default()
            },
        }))
        .unwrap();
        self.state.plugins.lock().unwrap().insert(id.clone(), item);
        id
    }

    pub(crate) fn edit(&self, id: &str, edit: impl FnOnce(&mut DirectoryItem)) {
        edit(self.state.plugins.lock().unwrap().get_mut(id).unwrap());
    }
}

/// Whether no extraction folder is left in the remote install staging folder of `home` (its
/// lock file stays).
pub(crate) fn staging_is_empty(home: &std::path::Path) -> bool {
    let staging = home.join("plugins/.remote-plugin-install-staging");
    // The staging lock file stays; no extraction folder does.
    std::fs::read_dir(staging).map_or(true, |entries| {
        !entries.filter_map(Result::ok).any(|entry| {
            entry
                .file_name()
                .to_string_lossy()
                .starts_with("remote-plugin-bundle-")
        })
    })
}

/// Writes a plugin folder named `name` under `parent` with a manifest and one skill.
pub(crate) fn plugin_dir(parent: &Path, name: &str, body: &str) -> std::path::PathBuf {
    let root = parent.join(format!("src-{name}-{body}"));
    std::fs::create_dir_all(root.join(".codex-plugin")).unwrap();
    std::fs::create_dir_all(root.join("skills/hello")).unwrap();
    #[expect(clippy::disallowed_methods, reason = "test fixture")]
    {
        std::fs::write(
            root.join(".codex-plugin/plugin.json"),
            format!("{{\"name\":\"{name}\",\"version\":\"0.0.1\"}}"),
        )
        .unwrap();
        std::fs::write(root.join("skills/hello/SKILL.md"), body).unwrap();
    }
    root
}

fn with_url(item: &DirectoryItem, include: bool) -> DirectoryItem {
    let mut item = item.clone();
    if !include {
        item.release.bundle_download_url = None;
    }
    item
}

async fn installed(
    State(state): State<Arc<ServiceState>>,
    Query(query): Query<BTreeMap<String, String>>,
) -> Json<InstalledListResponse> {
    state.requests.fetch_add(1, Ordering::SeqCst);
    let include = query
        .get("includeDownloadUrls")
        .is_some_and(|v| v == "true");
    let plugins = state.plugins.lock().unwrap();
    let installed = state.installed.lock().unwrap();
    Json(InstalledListResponse {
        plugins: installed
            .iter()
            .filter_map(|id| plugins.get(id))
            .map(|item| InstalledItem {
                item: with_url(item, include),
                enabled: true,
                disabled_skill_names: Vec::new(),
            })
            .collect(),
        pagination: Pagination::default(),
    })
}

async fn plugin(
    State(state): State<Arc<ServiceState>>,
    UrlPath(id): UrlPath<String>,
    Query(query): Query<BTreeMap<String, String>>,
) -> Response {
    state.requests.fetch_add(1, Ordering::SeqCst);
    let include = query
        .get("includeDownloadUrls")
        .is_some_and(|v| v == "true");
    match state.plugins.lock().unwrap().get(&id) {
        Some(item) => Json(with_url(item, include)).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            "{\"error\":{\"code\":\"not_found\",\"message\":\"no such plugin\"}}",
        )
            .into_response(),
    }
}

async fn install(State(state): State<Arc<ServiceState>>, UrlPath(id): UrlPath<String>) -> Response {
    state.requests.fetch_add(1, Ordering::SeqCst);
    if state.fail_install.load(Ordering::SeqCst) {
        return (StatusCode::INTERNAL_SERVER_ERROR, "database unavailable").into_response();
    }
    state.installed.lock().unwrap().insert(id.clone());
    Json(InstallResponse {
        id,
        enabled: true,
        app_ids_needing_auth: Vec::new(),
    })
    .into_response()
}

async fn uninstall(
    State(state): State<Arc<ServiceState>>,
    UrlPath(id): UrlPath<String>,
) -> Json<UninstallResponse> {
    state.requests.fetch_add(1, Ordering::SeqCst);
    state.installed.lock().unwrap().remove(&id);
    Json(UninstallResponse { id, enabled: false })
}

async fn bundle(
    State(state): State<Arc<ServiceState>>,
    UrlPath(name): UrlPath<String>,
) -> Response {
    state.bundle_downloads.fetch_add(1, Ordering::SeqCst);
    match state.bundles.lock().unwrap().get(&name) {
        Some(bytes) => {
            ([(header::CONTENT_TYPE, "application/gzip")], bytes.clone()).into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn redirect_to_http() -> Response {
    (
        StatusCode::FOUND,
        [(
            header::LOCATION,
            "http://plugins.example.invalid/bundle.tar.gz",
        )],
    )
        .into_response()
}
