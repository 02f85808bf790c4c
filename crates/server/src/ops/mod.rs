//! Operations endpoints outside `/backend-api`: `/healthz` (the process answers), `/readyz`
//! (the database answers, else 503) and `/metrics` (Prometheus, optionally only for an admin
//! token); the request log and request metrics ([`request_log`]); the [`Metrics`] themselves.

mod metrics;
pub(crate) mod request_log;

use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use berth_service_protocol::TokenScope;

use crate::error::ApiError;
use crate::routes::AppState;

pub use metrics::Metrics;
pub use request_log::ACCESS_LOG_TARGET;

/// How long `/readyz` waits for the database before answering 503.
pub const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// The operations routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

async fn healthz() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

async fn readyz(State(state): State<AppState>) -> Response {
    let ping = sqlx::query("SELECT 1").execute(&state.db.reads);
    let failure = match tokio::time::timeout(READY_TIMEOUT, ping).await {
        Ok(Ok(_)) => return Json(json!({"status": "ready"})).into_response(),
        Ok(Err(err)) => format!("the database did not answer: {err}"),
        Err(_) => format!(
            "the database did not answer within {}s",
            READY_TIMEOUT.as_secs()
        ),
    };
    tracing::warn!("{failure}; /readyz answered 503");
    let body = berth_service_protocol::ErrorBody::new("unavailable", failure);
    (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
}

async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if state.metrics_token_required
        && let Err(err) = state.authorize_metrics(&headers).await
    {
        return err.into_response();
    }
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
        )],
        state.metrics.render(),
    )
        .into_response()
}

impl AppState {
    /// Lets `/metrics` through only for a token with the `admin` scope.
    async fn authorize_metrics(&self, headers: &HeaderMap) -> Result<(), ApiError> {
        let refused = || {
            ApiError::Unauthorized(
                "`/metrics` needs `Authorization: Bearer <admin token>` on this server \
                 (`--metrics-token-required`); create one with `berth serve token add ACCOUNT --scope admin`"
                    .to_owned(),
            )
        };
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(crate::auth::bearer_token)
            .ok_or_else(refused)?;
        match self.token_grant(token).await? {
            None => Err(refused()),
            Some(grant) if grant.allows(TokenScope::Admin) => Ok(()),
            Some(_) => Err(ApiError::Forbidden {
                code: "forbidden",
                message: "`/metrics` needs a token with the `admin` scope".to_owned(),
            }),
        }
    }
}
