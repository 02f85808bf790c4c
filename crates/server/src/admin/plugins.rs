//! `/berth/v1/plugins`: the admin listing, a plugin's release history (any reader who may see
//! the plugin), and admin changes: status, withdrawing a release, rolling back to one.

use axum::Json;
use axum::extract::{Path, State};
use berth_service_protocol::{
    AdminPluginsResponse, ChangedResponse, CurrentReleaseRequest, ReleasesResponse, StatusRequest,
    TokenScope,
};

use crate::admin::resolve_plugin;
use crate::auth::{Authenticated, Caller};
use crate::error::ApiError;
use crate::releases::{ReleaseChangeError, WithdrawOutcome};
use crate::routes::{AppState, clip};

pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Authenticated,
) -> Result<Json<AdminPluginsResponse>, ApiError> {
    caller.require(TokenScope::Admin)?;
    Ok(Json(AdminPluginsResponse {
        plugins: state.db.admin_plugins().await?,
    }))
}

pub(crate) async fn releases(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ReleasesResponse>, ApiError> {
    let id = resolve_plugin(&state, &id).await?;
    let admin = caller.grant.allows(TokenScope::Admin);
    let visible = state
        .catalog
        .current()
        .await?
        .visible(&caller.account_id, &id)
        .is_some();
    let publisher = state.db.publishers(&id).await?.contains(&caller.account_id);
    if !(admin || visible || publisher) {
        return Err(ApiError::NotFound(format!(
            "plugin `{}` does not exist or is not visible to this account",
            clip(&id)
        )));
    }
    let releases = state.db.releases(&id).await?;
    Ok(Json(ReleasesResponse { id, releases }))
}

pub(crate) async fn status(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
    Json(request): Json<StatusRequest>,
) -> Result<Json<ChangedResponse>, ApiError> {
    caller.require(TokenScope::Admin)?;
    let id = resolve_plugin(&state, &id).await?;
    let changed = state.db.set_plugin_status(&id, request.status).await?;
    Ok(Json(ChangedResponse { changed }))
}

fn release_error(error: &ReleaseChangeError) -> ApiError {
    match error {
        ReleaseChangeError::UnknownRelease { .. } => ApiError::NotFound(error.to_string()),
        ReleaseChangeError::Withdrawn { .. } => ApiError::Conflict(error.to_string()),
    }
}

pub(crate) async fn withdraw(
    State(state): State<AppState>,
    caller: Authenticated,
    Path((id, version)): Path<(String, String)>,
) -> Result<Json<ChangedResponse>, ApiError> {
    caller.require(TokenScope::Admin)?;
    let id = resolve_plugin(&state, &id).await?;
    let outcome = state
        .db
        .withdraw_release(&id, &version)
        .await?
        .map_err(|error| release_error(&error))?;
    Ok(Json(ChangedResponse {
        changed: outcome != WithdrawOutcome::AlreadyWithdrawn,
    }))
}

pub(crate) async fn rollback(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
    Json(request): Json<CurrentReleaseRequest>,
) -> Result<Json<ChangedResponse>, ApiError> {
    caller.require(TokenScope::Admin)?;
    let id = resolve_plugin(&state, &id).await?;
    state
        .db
        .set_current_release(&id, &request.version)
        .await?
        .map_err(|error| release_error(&error))?;
    Ok(Json(ChangedResponse { changed: true }))
}
