//! The request log and request metrics: one middleware that times every request and, once its
//! response headers are ready, logs method, path, status, latency and the account (when the
//! request authenticated) at `info` under the `berth::access` target, and counts it by route
//! template. Query strings, headers and tokens are never logged.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;

use super::metrics::{RequestLabels, RouteLabels};
use crate::routes::AppState;

/// The `tracing` target of the request log.
pub const ACCESS_LOG_TARGET: &str = "berth::access";

/// Where the authentication of a request records its account for the request log; put in
/// the request's extensions by [`observe`], filled by the [`crate::Caller`] extractor.
#[derive(Debug, Clone, Default)]
pub(crate) struct RequestAccount(Arc<OnceLock<String>>);

impl RequestAccount {
    /// Records the authenticated account.
    pub(crate) fn set(&self, account_id: &str) {
        let _ = self.0.set(account_id.to_owned());
    }
}

fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Logs and counts every request.
pub(crate) async fn observe(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = method_label(request.method());
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let path = request.uri().path().to_owned();
    let account = RequestAccount::default();
    request.extensions_mut().insert(account.clone());
    let response = next.run(request).await;
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    state
        .metrics
        .latency
        .get_or_create(&RouteLabels {
            method,
            route: route.clone(),
        })
        .observe(elapsed.as_secs_f64());
    state
        .metrics
        .requests
        .get_or_create(&RequestLabels {
            method,
            route,
            status,
        })
        .inc();
    tracing::info!(
        target: ACCESS_LOG_TARGET,
        method,
        path,
        status,
        latency_ms = (elapsed.as_secs_f64() * 10_000.0).round() / 10.0,
        account = account.0.get().map_or("-", String::as_str),
    );
    response
}
