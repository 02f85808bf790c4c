//! Test harness: a server per test on `127.0.0.1:0` with its own data folder (and its own
//! `PostgreSQL` database when testing `PostgreSQL`), fixture plugins, and an authenticated client.

#[path = "../../benches/support/postgres.rs"]
mod postgres;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use berth_server::{BundleStore, Db, PublishOptions, RunningServer, ServerConfig};
use berth_service_protocol::DirectoryItem;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tempfile::TempDir;

/// Environment variable naming a `PostgreSQL` server the tests may create databases on.
pub(crate) const POSTGRES_URL_ENV: &str = "BERTH_TEST_POSTGRES_URL";

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backend {
    Sqlite,
    Postgres,
}

/// The `PostgreSQL` URL for tests: `None` skips `PostgreSQL` tests locally; in CI a missing URL
/// fails the test.
pub(crate) fn postgres_base_url(ci: Option<String>, url: Option<String>) -> Option<String> {
    match (url.filter(|url| !url.is_empty()), ci) {
        (Some(url), _) => Some(url),
        (None, Some(_)) => {
            panic!("{POSTGRES_URL_ENV} must be set in CI so the PostgreSQL tests run")
        }
        (None, None) => None,
    }
}

/// A new empty database on the test `PostgreSQL` server; returns its URL.
pub(crate) async fn fresh_postgres_database(base: &str) -> String {
    postgres::create_database(base, &format!("berth_test_{}", rand_suffix())).await
}

fn rand_suffix() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{}_{}", std::process::id(), nanos)
}

/// The database URL for `backend`, or `None` when the backend is not available here.
pub(crate) async fn database_url(backend: Backend) -> Option<Option<String>> {
    match backend {
        Backend::Sqlite => Some(None),
        Backend::Postgres => {
            let base = postgres_base_url(
                std::env::var("CI").ok(),
                std::env::var(POSTGRES_URL_ENV).ok(),
            )?;
            Some(Some(fresh_postgres_database(&base).await))
        }
    }
}

/// A running server with one account and token.
pub(crate) struct TestServer {
    pub(crate) server: Option<RunningServer>,
    pub(crate) db: Db,
    pub(crate) bundles: Arc<dyn BundleStore>,
    pub(crate) api: String,
    pub(crate) token: String,
    pub(crate) account: String,
    pub(crate) client: reqwest::Client,
    pub(crate) dir: TempDir,
    /// The database URL configured (`None`: `SQLite` in the data folder).
    pub(crate) database_url: Option<String>,
}

/// Writes a plugin folder `name` with one skill and an MCP server into `parent`.
pub(crate) fn write_plugin(parent: &Path, name: &str, version: &str) -> PathBuf {
    let root = parent.join(name);
    std::fs::create_dir_all(root.join(".codex-plugin")).unwrap();
    std::fs::create_dir_all(root.join("skills/triage")).unwrap();
    write_file(
        &root.join(".codex-plugin/plugin.json"),
        &json!({
            "name": name,
            "version": version,
            "description": format!("{name} plugin"),
            "keywords": ["test"],
            "interface": {"displayName": format!("{name} display"), "shortDescription": "short", "defaultPrompt": ["Do it"]}
        })
        .to_string(),
    );
    write_file(
        &root.join("skills/triage/SKILL.md"),
        "---\nname: triage\ndescription: Triage things\n---\nTriage carefully.\n",
    );
    write_file(
        &root.join(".mcp.json"),
        &json!({"mcpServers": {"tracker": {"command": "tracker-mcp"}}}).to_string(),
    );
    root
}

#[expect(clippy::disallowed_methods, reason = "test fixture files")]
pub(crate) fn write_file(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

impl TestServer {
    /// Starts a server on `backend`; `None` when the backend is unavailable (local `PostgreSQL`).
    pub(crate) async fn start(backend: Backend, dev_mode: bool) -> Option<Self> {
        let database_url = database_url(backend).await?;
        let dir = tempfile::tempdir().unwrap();
        let mut config = ServerConfig::new(dir.path().join("data"));
        config.bind = "127.0.0.1:0".parse().unwrap();
        config.database_url = database_url;
        config.dev_mode = dev_mode;
        Some(Self::start_with(config, dir).await)
    }

    pub(crate) async fn start_with(config: ServerConfig, dir: TempDir) -> Self {
        let database_url = config.database_url.clone();
        let server = berth_server::start(config.clone()).await.unwrap();
        let (db, bundles) = berth_server::open_storage(&config).await.unwrap();
        db.add_account("acct-1", "One").await.unwrap();
        let token = db.add_token("acct-1", "test").await.unwrap();
        Self {
            api: server.api_url.clone(),
            server: Some(server),
            db,
            bundles,
            token,
            account: "acct-1".to_owned(),
            client: reqwest::Client::new(),
            dir,
            database_url,
        }
    }

    /// Creates another account and returns its token.
    pub(crate) async fn add_account(&self, id: &str) -> String {
        self.db.add_account(id, id).await.unwrap();
        self.db.add_token(id, "test").await.unwrap()
    }

    /// Publishes fixture plugin `name` with `options`.
    pub(crate) async fn publish(&self, name: &str, options: PublishOptions) -> DirectoryItem {
        let root = write_plugin(&self.dir.path().join("plugins"), name, "1.0.0");
        berth_server::publish_plugin(&self.db, Arc::clone(&self.bundles), &root, options)
            .await
            .unwrap()
            .item
    }

    pub(crate) async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send_as("GET", path, &self.token, &self.account).await
    }

    pub(crate) async fn post(&self, path: &str) -> (StatusCode, Value) {
        self.send_as("POST", path, &self.token, &self.account).await
    }

    pub(crate) async fn send_as(
        &self,
        method: &str,
        path: &str,
        token: &str,
        account: &str,
    ) -> (StatusCode, Value) {
        let request = self
            .client
            .request(method.parse().unwrap(), format!("{}{path}", self.api))
            .bearer_auth(token)
            .header("chatgpt-account-id", account);
        let response = request.send().await.unwrap();
        decode(response).await
    }

    pub(crate) async fn shutdown(mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown().await.unwrap();
        }
        self.db.close().await;
    }
}

pub(crate) async fn decode(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.unwrap();
    let value = serde_json::from_str(&text)
        .unwrap_or_else(|err| panic!("response is not JSON ({err}): {status} {text}"));
    (status, value)
}

/// Runs `$body` as two tests, one per backend.
#[macro_export]
macro_rules! on_both_backends {
    ($name:ident, $dev:expr, |$server:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[allow(unused_imports)]
            use pretty_assertions::assert_eq;

            async fn scenario($server: &$crate::support::TestServer) $body

            async fn run(backend: $crate::support::Backend) {
                let Some(server) = $crate::support::TestServer::start(backend, $dev).await else {
                    return;
                };
                scenario(&server).await;
                server.shutdown().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                run($crate::support::Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                run($crate::support::Backend::Postgres).await;
            }
        }
    };
}
