//! Request authentication: a bearer token registered by an admin (stored hashed) plus the
//! `chatgpt-account-id` header, or, in development mode only, Codex's unsigned test JWTs.

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use berth_auth::{account_id_claim, decode_jwt_claims};
use berth_service_protocol::query::ACCOUNT_HEADER;

use crate::db::now_unix;
use crate::error::ApiError;
use crate::routes::AppState;

/// The authenticated account of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// Account id.
    pub account_id: String,
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Result<Option<&'a str>, ApiError> {
    headers
        .get(name)
        .map(|value| {
            value
                .to_str()
                .map_err(|_| ApiError::BadRequest(format!("header `{name}` is not visible ASCII")))
        })
        .transpose()
}

/// The account id carried by an unsigned test JWT, if it is one and has not expired.
fn dev_token_account(token: &str) -> Option<String> {
    let claims = decode_jwt_claims(token).ok()?;
    if let Some(exp) = claims.get("exp").and_then(serde_json::Value::as_i64)
        && exp <= now_unix()
    {
        return None;
    }
    account_id_claim(&claims)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let authorization = header(&parts.headers, "authorization")?.ok_or_else(|| {
            ApiError::Unauthorized(
                "missing `Authorization: Bearer <token>`; create a token with `berth serve token add ACCOUNT`"
                    .to_owned(),
            )
        })?;
        let token = authorization
            .strip_prefix("Bearer ")
            .or_else(|| authorization.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|token| !token.is_empty())
            .ok_or_else(|| {
                ApiError::Unauthorized(
                    "the `Authorization` header must be `Bearer <token>`".to_owned(),
                )
            })?;
        let claimed = header(&parts.headers, ACCOUNT_HEADER)?.map(str::to_owned);
        let account_id = match state.token_account(token).await? {
            Some(account_id) => account_id,
            None => match state.dev_mode.then(|| dev_token_account(token)).flatten() {
                Some(account_id) => account_id,
                None => {
                    return Err(ApiError::Unauthorized(
                        "unknown or expired token; create one with `berth serve token add ACCOUNT`"
                            .to_owned(),
                    ));
                }
            },
        };
        if let Some(claimed) = claimed
            && claimed != account_id
        {
            return Err(ApiError::Forbidden {
                code: "forbidden",
                message: format!(
                    "the token belongs to account `{account_id}`, not `{claimed}` named in `{ACCOUNT_HEADER}`"
                ),
            });
        }
        Ok(Caller { account_id })
    }
}
