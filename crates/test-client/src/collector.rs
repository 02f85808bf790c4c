//! A recording reverse proxy on loopback. The app server's `chatgpt_base_url` points at it:
//! analytics requests (`POST …/codex/analytics-events/events`) are recorded, and every request
//! (analytics included) is forwarded to the real plugin service when one is given, so the
//! smokes see exactly what the server under test sent, in release builds and for Codex too.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// Path suffix of the analytics endpoint.
const ANALYTICS_PATH: &str = "/codex/analytics-events/events";

/// Largest request body the collector accepts.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// Why the collector could not start.
#[derive(Debug, thiserror::Error)]
pub enum CollectorError {
    /// The runtime or the listener could not be created.
    #[error("failed to start the loopback analytics collector")]
    Start(#[source] std::io::Error),
    /// The CA certificate for the upstream could not be read.
    #[error("failed to read the CA certificate `{}`", path.display())]
    CaCertificate {
        /// The file.
        path: std::path::PathBuf,
        /// The cause.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

#[derive(Clone)]
struct Shared {
    upstream: Option<String>,
    client: reqwest::Client,
    bodies: Arc<Mutex<Vec<Value>>>,
}

/// A running collector; stops when dropped.
#[derive(Debug)]
pub struct Collector {
    address: SocketAddr,
    bodies: Arc<Mutex<Vec<Value>>>,
    _runtime: tokio::runtime::Runtime,
}

impl Collector {
    /// Starts on `127.0.0.1:0`. `upstream` is the real service base URL (e.g.
    /// `https://127.0.0.1:8443/backend-api`) to forward to; `ca_certificate` is an extra root
    /// to trust for it.
    pub fn start(
        upstream: Option<&str>,
        ca_certificate: Option<&Path>,
    ) -> Result<Self, CollectorError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(CollectorError::Start)?;
        let mut builder = reqwest::Client::builder();
        if let Some(path) = ca_certificate {
            let pem = std::fs::read(path).map_err(|source| CollectorError::CaCertificate {
                path: path.to_path_buf(),
                source: Box::new(source),
            })?;
            let certificate = reqwest::Certificate::from_pem(&pem).map_err(|source| {
                CollectorError::CaCertificate {
                    path: path.to_path_buf(),
                    source: Box::new(source),
                }
            })?;
            builder = builder.add_root_certificate(certificate);
        }
        let client = builder
            .build()
            .map_err(|err| CollectorError::Start(std::io::Error::other(err)))?;
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let shared = Shared {
            upstream: upstream.map(|url| url.trim_end_matches('/').to_owned()),
            client,
            bodies: Arc::clone(&bodies),
        };
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .map_err(CollectorError::Start)?;
        let address = listener.local_addr().map_err(CollectorError::Start)?;
        let app = Router::new().fallback(handle).with_state(shared);
        runtime.spawn(async move {
            if let Err(err) = axum::serve(listener, app).await {
                tracing::warn!("analytics collector stopped: {err}");
            }
        });
        Ok(Self {
            address,
            bodies,
            _runtime: runtime,
        })
    }

    /// The base URL to give the app server as `chatgpt_base_url`.
    pub fn base_url(&self) -> String {
        format!("http://{}/backend-api", self.address)
    }

    /// Every analytics event received so far, in arrival order.
    pub fn events(&self) -> Vec<Value> {
        self.bodies
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .flat_map(|body| body["events"].as_array().cloned().unwrap_or_default())
            .collect()
    }
}

async fn handle(
    State(shared): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if body.len() > MAX_BODY {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    }
    let path = uri.path();
    if method == Method::POST && path.ends_with(ANALYTICS_PATH) {
        if let Ok(json) = serde_json::from_slice::<Value>(&body) {
            shared
                .bodies
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(json);
        }
        if shared.upstream.is_none() {
            return (StatusCode::OK, "{}").into_response();
        }
    }
    let Some(upstream) = &shared.upstream else {
        return (StatusCode::NOT_FOUND, "{\"error\":\"not found\"}").into_response();
    };
    // The app server was given `<collector>/backend-api`; the upstream base replaces that prefix.
    let rest = path.strip_prefix("/backend-api").unwrap_or(path);
    let query = uri
        .query()
        .map(|query| format!("?{query}"))
        .unwrap_or_default();
    let mut request = shared
        .client
        .request(method, format!("{upstream}{rest}{query}"));
    for (name, value) in &headers {
        if name != "host" && name != "content-length" {
            request = request.header(name, value);
        }
    }
    match request.body(body).send().await {
        Ok(answer) => {
            let status = answer.status();
            let headers = answer.headers().clone();
            let bytes = answer.bytes().await.unwrap_or_default();
            let mut response = Response::new(Body::from(bytes));
            *response.status_mut() = status;
            for (name, value) in &headers {
                if name != "transfer-encoding" && name != "content-length" && name != "connection" {
                    response.headers_mut().insert(name, value.clone());
                }
            }
            response
        }
        Err(err) => (
            StatusCode::BAD_GATEWAY,
            format!("{{\"error\":\"collector could not reach the service: {err}\"}}"),
        )
            .into_response(),
    }
}
