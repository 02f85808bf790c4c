//! `/berth/v1/whoami` (any token) and `/berth/v1/tokens`: list, mint and revoke tokens (admin).

use axum::Json;
use axum::extract::{Path, Query, State};
use berth_service_protocol::{
    ChangedResponse, MintedTokenResponse, TokenRequest, TokenScope, TokensResponse, WhoAmIResponse,
};
use serde::Deserialize;

use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::routes::AppState;
use crate::tokens::TokenGrant;

pub(crate) async fn whoami(Authenticated(grant): Authenticated) -> Json<WhoAmIResponse> {
    Json(WhoAmIResponse {
        account_id: grant.account_id,
        token_id: grant.token_id,
        scopes: grant.scopes.into_iter().collect(),
        plugin_ids: grant.plugin_ids,
        expires_at: grant.expires_at,
    })
}

#[derive(Debug, Deserialize)]
pub(crate) struct TokensQuery {
    account: Option<String>,
}

pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Authenticated,
    Query(query): Query<TokensQuery>,
) -> Result<Json<TokensResponse>, ApiError> {
    caller.require(TokenScope::Admin)?;
    let tokens = state.db.tokens(query.account.as_deref()).await?;
    Ok(Json(TokensResponse { tokens }))
}

pub(crate) async fn mint(
    State(state): State<AppState>,
    caller: Authenticated,
    Json(request): Json<TokenRequest>,
) -> Result<Json<MintedTokenResponse>, ApiError> {
    caller.require(TokenScope::Admin)?;
    let grant = TokenGrant {
        account_id: request.account_id,
        scopes: request.scopes.into_iter().collect(),
        plugin_ids: request.plugin_ids,
        days: request.expires_in_days,
        label: request.label,
    };
    let minted = state.db.mint_token(&grant).await.map_err(|err| match err {
        crate::error::StoreError::UnknownAccount { .. } => ApiError::NotFound(err.to_string()),
        other => other.into(),
    })?;
    Ok(Json(MintedTokenResponse {
        token: minted.token,
        info: minted.info,
    }))
}

pub(crate) async fn revoke(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<ChangedResponse>, ApiError> {
    caller.require(TokenScope::Admin)?;
    let changed = state.db.revoke_token(&id).await?;
    state.forget_tokens();
    Ok(Json(ChangedResponse { changed }))
}
