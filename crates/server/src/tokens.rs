//! Access tokens a team can manage: minted as JWTs signed with the service's own key (kept in
//! the database, so every instance verifies the same tokens), carrying the claims Codex reads
//! from a `ChatGPT` login, stored only as a SHA-256 hash with their scopes, plugin allowance,
//! expiry and revocation. [`Grant`] is what a verified token allows.

use std::collections::BTreeSet;

use base64::Engine as _;
use berth_auth::OPENAI_AUTH_CLAIM;
use berth_service_protocol::{TokenInfo, TokenScope};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore as _;
use serde::{Deserialize, Serialize};
use sqlx::Row as _;
use sqlx::any::AnyRow;

use crate::db::{Db, hash_token, now_unix, query_error};
use crate::error::StoreError;

/// Days a minted token stays valid unless asked otherwise.
pub const DEFAULT_TOKEN_DAYS: u32 = 90;
/// The longest validity a token may be minted with.
pub const MAX_TOKEN_DAYS: u32 = 3650;
/// The `iss` claim of minted tokens.
const ISSUER: &str = "berth";
/// The plan type put in minted tokens (Codex requires one for a `ChatGPT` login).
const PLAN_TYPE: &str = "team";
const SECONDS_PER_DAY: i64 = 24 * 3600;

/// What a verified token allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The account it acts as.
    pub account_id: String,
    /// Its id (`None` for development test tokens).
    pub token_id: Option<String>,
    /// Its scopes.
    pub scopes: BTreeSet<TokenScope>,
    /// Plugin ids a publish token is limited to.
    pub plugin_ids: Option<Vec<String>>,
    /// Unix seconds after which it is refused.
    pub expires_at: Option<i64>,
}

impl Grant {
    /// Whether the token has `scope` (admin has every scope).
    pub fn allows(&self, scope: TokenScope) -> bool {
        self.scopes.contains(&scope) || self.scopes.contains(&TokenScope::Admin)
    }

    /// Whether the token may publish plugin `id` as far as its allowance goes.
    pub fn allows_plugin(&self, id: &str) -> bool {
        self.scopes.contains(&TokenScope::Admin)
            || self
                .plugin_ids
                .as_ref()
                .is_none_or(|ids| ids.iter().any(|allowed| allowed == id))
    }
}

/// What to mint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenGrant {
    /// The account the token acts as.
    pub account_id: String,
    /// Scopes (empty means `read`).
    pub scopes: BTreeSet<TokenScope>,
    /// Limit a publish token to these plugin ids.
    pub plugin_ids: Option<Vec<String>>,
    /// Days of validity ([`DEFAULT_TOKEN_DAYS`] when `None`).
    pub days: Option<u32>,
    /// A label to recognise it by.
    pub label: String,
}

/// A freshly minted token: the secret (shown once) and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MintedToken {
    /// The JWT to send as `Authorization: Bearer <token>`.
    pub token: String,
    /// Its record.
    pub info: TokenInfo,
}

/// The `https://api.openai.com/auth` claim object Codex reads (its field names are Codex's).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[expect(clippy::struct_field_names, reason = "the claim names are Codex's")]
struct OpenAiAuth {
    chatgpt_account_id: String,
    chatgpt_user_id: String,
    chatgpt_plan_type: String,
}

/// The claims of a minted token.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Claims {
    iss: String,
    sub: String,
    jti: String,
    iat: i64,
    exp: i64,
    email: String,
    scope: String,
    #[serde(rename = "https://api.openai.com/auth")]
    auth: OpenAiAuth,
}

/// The service's signing key.
#[derive(Clone)]
pub(crate) struct SigningKey {
    kid: String,
    secret: Vec<u8>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    fn sign(&self, claims: &Claims) -> Result<String, StoreError> {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &EncodingKey::from_secret(&self.secret))
            .map_err(|source| StoreError::Token { source })
    }

    /// Whether `token` is a JWT this service signed and has not expired.
    pub(crate) fn verifies(&self, token: &str) -> bool {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.leeway = 0;
        jsonwebtoken::decode::<Claims>(token, &DecodingKey::from_secret(&self.secret), &validation)
            .is_ok()
    }
}

fn scopes_text(scopes: &BTreeSet<TokenScope>) -> String {
    scopes
        .iter()
        .map(|scope| scope.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

fn parse_scopes(text: &str) -> BTreeSet<TokenScope> {
    text.split_whitespace()
        .filter_map(TokenScope::parse)
        .collect()
}

fn random_hex(bytes: usize) -> String {
    use std::fmt::Write as _;
    let mut raw = vec![0_u8; bytes];
    rand::rng().fill_bytes(&mut raw);
    raw.iter().fold(String::new(), |mut out, byte| {
        let _ = write!(out, "{byte:02x}");
        out
    })
}

fn decode_token_info(row: &AnyRow) -> Result<TokenInfo, StoreError> {
    let action = "listing tokens";
    let get = |column: &str| -> Result<Option<String>, StoreError> {
        row.try_get(column).map_err(query_error(action))
    };
    let plugin_ids = get("plugin_ids")?
        .map(|text| serde_json::from_str(&text))
        .transpose()
        .map_err(|source| StoreError::Corrupt {
            id: "token".to_owned(),
            what: "plugin_ids",
            source,
        })?;
    Ok(TokenInfo {
        id: get("id")?.unwrap_or_default(),
        account_id: get("account_id")?.unwrap_or_default(),
        label: get("label")?.unwrap_or_default(),
        scopes: parse_scopes(&get("scopes")?.unwrap_or_default())
            .into_iter()
            .collect(),
        plugin_ids,
        created_at: row.try_get("created_at").map_err(query_error(action))?,
        expires_at: row.try_get("expires_at").map_err(query_error(action))?,
        revoked_at: row.try_get("revoked_at").map_err(query_error(action))?,
    })
}

const TOKEN_COLUMNS: &str =
    "id, account_id, label, scopes, plugin_ids, created_at, expires_at, revoked_at";

impl Db {
    /// The service's signing key, created on first use (by whichever instance gets there
    /// first; the others read the same one).
    pub(crate) async fn signing_key(&self) -> Result<SigningKey, StoreError> {
        let action = "reading the signing key";
        let secret = base64::engine::general_purpose::STANDARD.encode({
            let mut raw = [0_u8; 32];
            rand::rng().fill_bytes(&mut raw);
            raw
        });
        self.execute_write(
            action,
            sqlx::query(
                "INSERT INTO signing_keys (id, secret, created_at) VALUES ('primary', $1, $2) \
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(secret)
            .bind(now_unix()),
        )
        .await?;
        let row = sqlx::query("SELECT id, secret FROM signing_keys WHERE id = 'primary'")
            .fetch_one(&self.reads)
            .await
            .map_err(query_error(action))?;
        let kid: String = row.try_get("id").map_err(query_error(action))?;
        let encoded: String = row.try_get("secret").map_err(query_error(action))?;
        let secret = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|_| StoreError::CorruptKey)?;
        Ok(SigningKey { kid, secret })
    }

    /// Mints a token for an existing account; only its hash is stored.
    pub async fn mint_token(&self, grant: &TokenGrant) -> Result<MintedToken, StoreError> {
        let account =
            self.account(&grant.account_id)
                .await?
                .ok_or_else(|| StoreError::UnknownAccount {
                    id: grant.account_id.clone(),
                })?;
        let key = self.signing_key().await?;
        let days = grant
            .days
            .unwrap_or(DEFAULT_TOKEN_DAYS)
            .clamp(1, MAX_TOKEN_DAYS);
        let mut scopes = grant.scopes.clone();
        if scopes.is_empty() {
            scopes.insert(TokenScope::Read);
        }
        let now = now_unix();
        let expires_at = now + i64::from(days) * SECONDS_PER_DAY;
        let id = random_hex(8);
        let claims = Claims {
            iss: ISSUER.to_owned(),
            sub: account.id.clone(),
            jti: id.clone(),
            iat: now,
            exp: expires_at,
            email: account
                .email
                .clone()
                .unwrap_or_else(|| format!("{}@berth.invalid", account.id)),
            scope: scopes_text(&scopes),
            auth: OpenAiAuth {
                chatgpt_account_id: account.id.clone(),
                chatgpt_user_id: format!("user-{}", account.id),
                chatgpt_plan_type: PLAN_TYPE.to_owned(),
            },
        };
        debug_assert_eq!(OPENAI_AUTH_CLAIM, "https://api.openai.com/auth");
        let token = key.sign(&claims)?;
        let plugin_ids = grant
            .plugin_ids
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(|source| StoreError::Corrupt {
                id: id.clone(),
                what: "plugin_ids",
                source,
            })?;
        self.execute_write(
            "adding a token",
            sqlx::query(
                "INSERT INTO tokens (token_sha256, account_id, label, created_at, id, scopes, \
                   plugin_ids, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(hash_token(&token))
            .bind(account.id.as_str())
            .bind(grant.label.as_str())
            .bind(now)
            .bind(id.as_str())
            .bind(scopes_text(&scopes))
            .bind(plugin_ids)
            .bind(expires_at),
        )
        .await?;
        Ok(MintedToken {
            token,
            info: TokenInfo {
                id,
                account_id: account.id,
                label: grant.label.clone(),
                scopes: scopes.into_iter().collect(),
                plugin_ids: grant.plugin_ids.clone(),
                created_at: now,
                expires_at: Some(expires_at),
                revoked_at: None,
            },
        })
    }

    /// What `token` allows, if it is registered, not revoked and not expired.
    pub async fn token_grant(&self, token: &str) -> Result<Option<Grant>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {TOKEN_COLUMNS} FROM tokens WHERE token_sha256 = $1"
        ))
        .bind(hash_token(token))
        .fetch_optional(&self.reads)
        .await
        .map_err(query_error("checking a token"))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let info = decode_token_info(&row)?;
        let now = now_unix();
        if info.revoked_at.is_some() || info.expires_at.is_some_and(|at| at <= now) {
            return Ok(None);
        }
        Ok(Some(Grant {
            account_id: info.account_id,
            token_id: Some(info.id),
            scopes: info.scopes.into_iter().collect(),
            plugin_ids: info.plugin_ids,
            expires_at: info.expires_at,
        }))
    }

    /// Tokens, newest first, of `account` or of everyone.
    pub async fn tokens(&self, account: Option<&str>) -> Result<Vec<TokenInfo>, StoreError> {
        let rows = match account {
            Some(account) => {
                sqlx::query(&format!(
                    "SELECT {TOKEN_COLUMNS} FROM tokens WHERE account_id = $1 \
                 ORDER BY created_at DESC, id"
                ))
                .bind(account)
                .fetch_all(&self.reads)
                .await
            }
            None => {
                sqlx::query(&format!(
                    "SELECT {TOKEN_COLUMNS} FROM tokens ORDER BY created_at DESC, id"
                ))
                .fetch_all(&self.reads)
                .await
            }
        }
        .map_err(query_error("listing tokens"))?;
        rows.iter().map(decode_token_info).collect()
    }

    /// Revokes token `id`; `false` if there is no such token or it was revoked already.
    pub async fn revoke_token(&self, id: &str) -> Result<bool, StoreError> {
        let result = self
            .execute_write(
                "revoking a token",
                sqlx::query(
                    "UPDATE tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
                )
                .bind(now_unix())
                .bind(id),
            )
            .await?;
        Ok(result.rows_affected() > 0)
    }
}

#[cfg(test)]
#[path = "tokens_tests.rs"]
mod tests;
