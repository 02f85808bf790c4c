//! `/berth/v1/accounts`: list, add and remove accounts (admin).

use axum::Json;
use axum::extract::{Path, State};
use berth_plugin::is_valid_remote_plugin_id;
use berth_service_protocol::{
    AccountInfo, AccountRequest, AccountResponse, AccountsResponse, ChangedResponse, TokenScope,
};

use crate::auth::Authenticated;
use crate::db::Account;
use crate::error::ApiError;
use crate::routes::{AppState, clip};

pub(crate) fn info(account: Account) -> AccountInfo {
    AccountInfo {
        id: account.id,
        name: account.name,
        email: account.email,
    }
}

pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Authenticated,
) -> Result<Json<AccountsResponse>, ApiError> {
    caller.require(TokenScope::Admin)?;
    let accounts = state.db.accounts().await?;
    Ok(Json(AccountsResponse {
        accounts: accounts.into_iter().map(info).collect(),
    }))
}

pub(crate) async fn add(
    State(state): State<AppState>,
    caller: Authenticated,
    Json(request): Json<AccountRequest>,
) -> Result<Json<AccountResponse>, ApiError> {
    caller.require(TokenScope::Admin)?;
    if !is_valid_remote_plugin_id(&request.id) {
        return Err(ApiError::BadRequest(format!(
            "invalid account id `{}`: use ASCII letters, digits, `_`, `-` and `~`",
            clip(&request.id)
        )));
    }
    if let Some(account) = state.db.account(&request.id).await? {
        return Ok(Json(AccountResponse {
            account: info(account),
            created: false,
        }));
    }
    let name = request.name.as_deref().unwrap_or(&request.id);
    let account = state
        .db
        .add_account_with_email(&request.id, name, request.email.as_deref())
        .await?;
    Ok(Json(AccountResponse {
        account: info(account),
        created: true,
    }))
}

pub(crate) async fn remove(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<ChangedResponse>, ApiError> {
    caller.require(TokenScope::Admin)?;
    let changed = state.db.remove_account(&id).await?;
    state.forget_tokens();
    Ok(Json(ChangedResponse { changed }))
}
