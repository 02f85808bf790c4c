//! Writes `auth.json` files for tests, in the shape Codex 0.169.0 accepts on loopback: a
//! `ChatGPT` login whose tokens are unsigned (`alg: none`) JWTs, or an API key. Compiled only
//! with the `test-support` feature (and in this crate's own tests).

use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::json;

use crate::auth_file_path;
use crate::jwt::{OPENAI_AUTH_CLAIM, encode_segment};

/// How long the test tokens stay valid.
const TEST_TOKEN_LIFETIME: Duration = Duration::from_secs(10 * 365 * 24 * 60 * 60);

/// What the test `ChatGPT` login claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestChatGptAuth {
    /// `chatgpt_account_id` claim and, if `account_id_in_tokens`, `tokens.account_id`.
    pub account_id: String,
    /// `email` claim.
    pub email: String,
    /// `chatgpt_plan_type` claim.
    pub plan_type: String,
    /// `chatgpt_user_id` claim.
    pub user_id: String,
    /// Whether `tokens.account_id` is written (otherwise only the JWT claim carries it).
    pub account_id_in_tokens: bool,
}

impl Default for TestChatGptAuth {
    fn default() -> Self {
        Self {
            account_id: "acct-test".to_owned(),
            email: "test@example.com".to_owned(),
            plan_type: "plus".to_owned(),
            user_id: "user-test".to_owned(),
            account_id_in_tokens: true,
        }
    }
}

/// A test login that was written, with the values a test asserts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenChatGptAuth {
    /// The `auth.json` file.
    pub path: PathBuf,
    /// The access token, as sent in `Authorization: Bearer …`.
    pub access_token: String,
    /// The id token.
    pub id_token: String,
    /// The account id, as sent in `chatgpt-account-id`.
    pub account_id: String,
}

/// Writes a `ChatGPT` `auth.json` with the default [`TestChatGptAuth`] into `codex_home`.
pub fn write_chatgpt_test_auth(codex_home: &Path) -> io::Result<WrittenChatGptAuth> {
    write_chatgpt_auth(codex_home, &TestChatGptAuth::default())
}

/// Writes a `ChatGPT` `auth.json` into `codex_home` (which must exist), replacing any.
pub fn write_chatgpt_auth(
    codex_home: &Path,
    auth: &TestChatGptAuth,
) -> io::Result<WrittenChatGptAuth> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let claims = json!({
        "email": auth.email,
        "email_verified": true,
        "iat": now.as_secs(),
        "exp": (now + TEST_TOKEN_LIFETIME).as_secs(),
        "sub": auth.user_id,
        OPENAI_AUTH_CLAIM: {
            "chatgpt_plan_type": auth.plan_type,
            "chatgpt_account_id": auth.account_id,
            "chatgpt_user_id": auth.user_id,
        },
    });
    let id_token = unsigned_jwt(&claims);
    let access_token = unsigned_jwt(&claims);
    let mut tokens = json!({
        "id_token": id_token,
        "access_token": access_token,
        "refresh_token": "refresh-test",
    });
    if auth.account_id_in_tokens {
        tokens["account_id"] = json!(auth.account_id);
    }
    let file = json!({
        "auth_mode": "chatgpt",
        "OPENAI_API_KEY": null,
        "tokens": tokens,
        "last_refresh": crate::login::rfc3339_utc(i64::try_from(now.as_secs()).unwrap_or(i64::MAX)),
    });
    let path = write_auth_file(codex_home, &file)?;
    Ok(WrittenChatGptAuth {
        path,
        access_token,
        id_token,
        account_id: auth.account_id.clone(),
    })
}

/// Writes an API-key `auth.json` (`{"auth_mode":"apikey","OPENAI_API_KEY":…}`) into
/// `codex_home`.
pub fn write_api_key_test_auth(codex_home: &Path, api_key: &str) -> io::Result<PathBuf> {
    write_auth_file(
        codex_home,
        &json!({"auth_mode": "apikey", "OPENAI_API_KEY": api_key}),
    )
}

/// An unsigned JWT (`{"alg":"none","typ":"JWT"}`) carrying `claims`; its signature segment
/// holds a fixed placeholder, never a real signature.
pub fn unsigned_jwt(claims: &serde_json::Value) -> String {
    let header = encode_segment(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = encode_segment(claims.to_string().as_bytes());
    // Codex 0.169.0 refuses a token whose signature segment is empty, though it never checks
    // the signature itself; a constant placeholder keeps the token unsigned in effect.
    format!("{header}.{payload}.{}", encode_segment(b"unsigned"))
}

fn write_auth_file(codex_home: &Path, contents: &serde_json::Value) -> io::Result<PathBuf> {
    let path = auth_file_path(codex_home);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&path)?;
    let mut bytes = serde_json::to_vec_pretty(contents).map_err(io::Error::other)?;
    bytes.push(b'\n');
    file.write_all(&bytes)?;
    Ok(path)
}

#[cfg(test)]
#[path = "test_support_tests.rs"]
mod tests;
