//! berth's own HTTP API under `/berth/v1`, beside Codex's `/backend-api`: who a token is,
//! publishing, release history, and what admins do (accounts, tokens, plugin status,
//! withdrawing and rolling back releases). Every admin command of the CLI works through it
//! with an admin token as well as on the database directly.

mod accounts;
mod plugins;
mod tokens;

use axum::Router;
use axum::routing::{delete, get, post, put};

use crate::error::ApiError;
use crate::routes::{AppState, clip};

/// The `/berth/v1` routes.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/whoami", get(tokens::whoami))
        .route("/tokens", get(tokens::list).post(tokens::mint))
        .route("/tokens/{id}", delete(tokens::revoke))
        .route("/accounts", get(accounts::list).post(accounts::add))
        .route("/accounts/{id}", delete(accounts::remove))
        .route("/plugins", get(plugins::list))
        .route("/plugins/{id}/releases", get(plugins::releases))
        .route("/plugins/{id}/status", put(plugins::status))
        .route(
            "/plugins/{id}/releases/{version}/withdraw",
            post(plugins::withdraw),
        )
        .route("/plugins/{id}/current", post(plugins::rollback))
}

/// Resolves a plugin named by backend id or by name to its backend id.
pub(crate) async fn resolve_plugin(state: &AppState, name_or_id: &str) -> Result<String, ApiError> {
    match state.db.resolve_plugin(name_or_id).await? {
        crate::catalog::Resolved::Found(id) => Ok(id),
        crate::catalog::Resolved::Missing => Err(ApiError::NotFound(format!(
            "no plugin with id or name `{}`; list them with `berth serve plugin list`",
            clip(name_or_id)
        ))),
        crate::catalog::Resolved::Ambiguous(ids) => Err(ApiError::BadRequest(format!(
            "several plugins are named `{}` ({}); pass the backend id",
            clip(name_or_id),
            ids.join(", ")
        ))),
    }
}
