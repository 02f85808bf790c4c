//! Request authentication: a bearer token registered by an admin (stored hashed) plus the
//! `chatgpt-account-id` header, or, in development mode only, Codex's unsigned test JWTs.

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use berth_auth::{account_id_claim, decode_jwt_parts};
use berth_service_protocol::query::ACCOUNT_HEADER;

use crate::db::now_unix;
use crate::error::ApiError;
use crate::routes::{AppState, clip};

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

/// Whether a token looks like a JWT (three dot-separated segments), to choose the message.
fn is_jwt_shaped(token: &str) -> bool {
    token.split('.').count() == 3
}

/// The account id carried by a development test JWT: unsigned (`alg: none`), with a numeric
/// `exp` in the future when it has one, and a `chatgpt_account_id` claim.
fn dev_token_account(token: &str) -> Result<String, ApiError> {
    let refuse = |why: &str| {
        ApiError::Unauthorized(format!(
            "development token refused: {why}; tokens from `berth serve token add ACCOUNT` always work"
        ))
    };
    let (header, claims) =
        decode_jwt_parts(token).map_err(|_| refuse("not a JWT with JSON header and claims"))?;
    if header.get("alg").and_then(serde_json::Value::as_str) != Some("none") {
        return Err(refuse(
            "only unsigned tokens (`alg: none`) are development tokens",
        ));
    }
    match claims.get("exp") {
        None => {}
        Some(exp) => match exp.as_f64() {
            #[expect(
                clippy::cast_precision_loss,
                reason = "Unix seconds are far below 2^52"
            )]
            Some(exp) if exp <= now_unix() as f64 => return Err(refuse("it has expired")),
            Some(_) => {}
            None => return Err(refuse("`exp` must be a number of seconds")),
        },
    }
    account_id_claim(&claims).ok_or_else(|| refuse("it carries no `chatgpt_account_id` claim"))
}

/// The token of an `Authorization: Bearer <token>` header (the scheme in any case).
pub(crate) fn bearer_token(authorization: &str) -> Option<&str> {
    let (scheme, token) = authorization.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
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
        let token = bearer_token(authorization).ok_or_else(|| {
            ApiError::Unauthorized("the `Authorization` header must be `Bearer <token>`".to_owned())
        })?;
        let claimed = header(&parts.headers, ACCOUNT_HEADER)?.map(str::to_owned);
        let account_id = match state.token_account(token).await? {
            Some(account_id) => account_id,
            None if state.dev_mode && is_jwt_shaped(token) => {
                let account_id = dev_token_account(token)?;
                state.ensure_dev_account(&account_id).await?;
                account_id
            }
            None => {
                return Err(ApiError::Unauthorized(
                    "unknown or expired token; create one with `berth serve token add ACCOUNT`"
                        .to_owned(),
                ));
            }
        };
        if let Some(claimed) = claimed
            && claimed != account_id
        {
            return Err(ApiError::Forbidden {
                code: "forbidden",
                message: format!(
                    "the token belongs to account `{account_id}`, not `{}` named in `{ACCOUNT_HEADER}`",
                    clip(&claimed)
                ),
            });
        }
        if let Some(logged) = parts
            .extensions
            .get::<crate::ops::request_log::RequestAccount>()
        {
            logged.set(&account_id);
        }
        Ok(Caller { account_id })
    }
}

#[cfg(test)]
#[path = "auth_tests.rs"]
mod tests;
