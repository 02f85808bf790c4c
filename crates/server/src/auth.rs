//! Request authentication: a bearer token the service minted or registered (stored hashed; a
//! JWT's signature is checked first) plus the `chatgpt-account-id` header, or, in development
//! mode only, Codex's unsigned test JWTs. [`Authenticated`] is any valid token; [`Caller`], which
//! every route of Codex's API takes, is one that may read.

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use berth_auth::{account_id_claim, decode_jwt_parts};
use berth_service_protocol::TokenScope;
use berth_service_protocol::query::ACCOUNT_HEADER;

use crate::db::now_unix;
use crate::error::ApiError;
use crate::routes::{AppState, clip};
use crate::tokens::Grant;

/// A request with a valid token, whatever its scopes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authenticated(pub Grant);

impl Authenticated {
    /// Refuses (403) unless the token has `scope`.
    pub fn require(&self, scope: TokenScope) -> Result<&Grant, ApiError> {
        if self.0.allows(scope) {
            Ok(&self.0)
        } else {
            let scopes: Vec<&str> = self.0.scopes.iter().map(|scope| scope.as_str()).collect();
            Err(ApiError::Forbidden {
                code: "insufficient_scope",
                message: format!(
                    "this token has scopes [{}] and needs `{}`; ask an admin for one with \
                     `berth serve token add {} --scope {}`",
                    scopes.join(", "),
                    scope.as_str(),
                    self.0.account_id,
                    scope.as_str()
                ),
            })
        }
    }
}

/// The authenticated account of a request whose token may read (scope `read` or `admin`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// Account id.
    pub account_id: String,
    /// What the token allows.
    pub grant: Grant,
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
fn bearer_token(authorization: &str) -> Option<&str> {
    let (scheme, token) = authorization.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let authorization = header(&parts.headers, "authorization")?.ok_or_else(|| {
            ApiError::Unauthorized(
                "missing `Authorization: Bearer <token>`; log in with `berth login --service URL`"
                    .to_owned(),
            )
        })?;
        let token = bearer_token(authorization).ok_or_else(|| {
            ApiError::Unauthorized("the `Authorization` header must be `Bearer <token>`".to_owned())
        })?;
        let claimed = header(&parts.headers, ACCOUNT_HEADER)?.map(str::to_owned);
        let grant = match state.token_grant(token).await? {
            Some(grant) => grant,
            None if state.dev_mode && is_jwt_shaped(token) => {
                let account_id = dev_token_account(token)?;
                state.ensure_dev_account(&account_id).await?;
                Grant {
                    account_id,
                    token_id: None,
                    scopes: [TokenScope::Read, TokenScope::Publish].into(),
                    plugin_ids: None,
                    expires_at: None,
                }
            }
            None => {
                return Err(ApiError::Unauthorized(
                    "unknown, expired or revoked token; log in again with `berth login --service URL`"
                        .to_owned(),
                ));
            }
        };
        if let Some(claimed) = claimed
            && claimed != grant.account_id
        {
            return Err(ApiError::Forbidden {
                code: "forbidden",
                message: format!(
                    "the token belongs to account `{}`, not `{}` named in `{ACCOUNT_HEADER}`",
                    grant.account_id,
                    clip(&claimed)
                ),
            });
        }
        Ok(Authenticated(grant))
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let authenticated = Authenticated::from_request_parts(parts, state).await?;
        authenticated.require(TokenScope::Read)?;
        let Authenticated(grant) = authenticated;
        Ok(Caller {
            account_id: grant.account_id.clone(),
            grant,
        })
    }
}

#[cfg(test)]
#[path = "auth_tests.rs"]
mod tests;
