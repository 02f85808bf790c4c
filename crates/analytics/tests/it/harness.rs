//! A loopback HTTP server that records every request and answers from a script, plus
//! settings and events shared by the tests.

#![expect(
    clippy::unwrap_used,
    reason = "test harness: a setup failure must fail the test"
)]

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use berth_analytics::{AnalyticsSettings, BatchLimits, RetryPolicy};
use berth_plugin::{PluginEvent, PluginId, PluginState, PluginTelemetryMetadata};

/// How the server answers one request.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Reply {
    Status(u16),
    StatusWithRetryAfter(u16, u64),
    Hang,
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub(crate) struct RecordedRequest {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) headers: BTreeMap<String, String>,
    pub(crate) body: String,
    pub(crate) at: Instant,
}

struct ServerState {
    script: Mutex<VecDeque<Reply>>,
    default: Reply,
    requests: Mutex<Vec<RecordedRequest>>,
    arrived: Condvar,
}

/// The server; it stops when dropped.
pub(crate) struct TestServer {
    pub(crate) addr: SocketAddr,
    state: Arc<ServerState>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestServer {
    /// Answers from `script` first, then with `default`.
    pub(crate) fn start(script: Vec<Reply>, default: Reply) -> Self {
        Self::start_at(0, script, default)
    }

    /// Like [`TestServer::start`] on a chosen port of 127.0.0.1 (0 picks one).
    pub(crate) fn start_at(port: u16, script: Vec<Reply>, default: Reply) -> Self {
        let state = Arc::new(ServerState {
            script: Mutex::new(script.into()),
            default,
            requests: Mutex::new(Vec::new()),
            arrived: Condvar::new(),
        });
        let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let app = axum::Router::new()
            .fallback(record)
            .with_state(Arc::clone(&state));
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                tokio::select! {
                    result = axum::serve(listener, app) => result.unwrap(),
                    _ = stopped => {}
                }
            });
            runtime.shutdown_background();
        });
        Self {
            addr,
            state,
            stop: Some(stop),
        }
    }

    /// Answers 200 to everything.
    pub(crate) fn ok() -> Self {
        Self::start(Vec::new(), Reply::Status(200))
    }

    /// `chatgpt_base_url` pointing at this server, with a trailing slash to be trimmed.
    pub(crate) fn base_url(&self) -> String {
        format!("http://{}/backend-api/", self.addr)
    }

    pub(crate) fn requests(&self) -> Vec<RecordedRequest> {
        self.state.requests.lock().unwrap().clone()
    }

    /// Waits until at least `count` requests arrived (or `timeout`), returns all so far.
    pub(crate) fn wait_for_requests(
        &self,
        count: usize,
        timeout: Duration,
    ) -> Vec<RecordedRequest> {
        let guard = self.state.requests.lock().unwrap();
        let (guard, _) = self
            .state
            .arrived
            .wait_timeout_while(guard, timeout, |requests| requests.len() < count)
            .unwrap();
        guard.clone()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn record(
    State(state): State<Arc<ServerState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let headers = headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                value.to_str().unwrap_or("<binary>").to_owned(),
            )
        })
        .collect();
    state.requests.lock().unwrap().push(RecordedRequest {
        method: method.to_string(),
        path: uri.to_string(),
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        at: Instant::now(),
    });
    state.arrived.notify_all();
    let reply = state
        .script
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or(state.default);
    match reply {
        Reply::Status(code) => StatusCode::from_u16(code).unwrap().into_response(),
        Reply::StatusWithRetryAfter(code, seconds) => (
            StatusCode::from_u16(code).unwrap(),
            [("retry-after", seconds.to_string())],
            "slow down",
        )
            .into_response(),
        Reply::Hang => std::future::pending().await,
    }
}

/// Settings for `home` and `server` with fast batching and retries.
pub(crate) fn settings(home: &Path, base_url: &str) -> AnalyticsSettings {
    let mut settings = AnalyticsSettings::new(home, "codex_cli_rs", "berth-test/0.1.0");
    base_url.clone_into(&mut settings.base_url);
    settings.batch = BatchLimits {
        max_events: 50,
        max_bytes: 256 * 1024,
        max_delay: Duration::from_millis(20),
    };
    settings.retry = RetryPolicy {
        max_attempts: 4,
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_secs(5),
    };
    settings.request_timeout = Duration::from_secs(5);
    // These tests are about the in-memory pipeline; `outbox.rs` covers the outbox.
    settings.outbox = None;
    settings
}

/// A Codex home with the default test `ChatGPT` login.
pub(crate) fn home_with_chatgpt_login() -> (
    tempfile::TempDir,
    berth_auth::test_support::WrittenChatGptAuth,
) {
    let home = tempfile::tempdir().unwrap();
    let auth = berth_auth::test_support::write_chatgpt_test_auth(home.path()).unwrap();
    (home, auth)
}

pub(crate) fn installed(name: &str) -> PluginEvent {
    PluginEvent::StateChanged {
        state: PluginState::Installed,
        metadata: PluginTelemetryMetadata {
            plugin_id: PluginId::new(name, "debug").unwrap(),
            remote_plugin_id: None,
            capability_summary: None,
        },
    }
}

/// The wire form of [`installed`] with originator `codex_cli_rs`.
pub(crate) fn installed_json(name: &str) -> String {
    format!(
        concat!(
            r#"{{"event_type":"codex_plugin_installed","event_params":{{"#,
            r#""plugin_id":"{name}@debug","remote_plugin_id":null,"plugin_name":"{name}","#,
            r#""marketplace_name":"debug","has_skills":null,"mcp_server_count":null,"#,
            r#""connector_ids":null,"product_client_id":"codex_cli_rs"}}}}"#
        ),
        name = name
    )
}

/// The request body for these events.
pub(crate) fn body_of(events: &[String]) -> String {
    format!(r#"{{"events":[{}]}}"#, events.join(","))
}

pub(crate) const LONG: Duration = Duration::from_secs(10);
