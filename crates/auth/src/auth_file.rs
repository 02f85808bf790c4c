//! The `auth.json` file Codex writes at login, and the credentials berth takes from it.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::jwt::{OPENAI_AUTH_CLAIM, decode_jwt_claims};

/// File name of the login state inside `$CODEX_HOME`.
pub const AUTH_FILE_NAME: &str = "auth.json";

/// Where the login state of `codex_home` lives.
pub fn auth_file_path(codex_home: &Path) -> PathBuf {
    codex_home.join(AUTH_FILE_NAME)
}

/// Credentials found in `auth.json`.
///
/// `Debug` never shows a token or key.
#[derive(Clone, PartialEq, Eq)]
pub enum CodexAuth {
    /// Signed in with a `ChatGPT` account.
    ChatGpt {
        /// Bearer token for the `ChatGPT` backend.
        access_token: String,
        /// `ChatGPT` account id: `tokens.account_id`, else the `chatgpt_account_id` claim of
        /// the id token (or of the access token).
        account_id: Option<String>,
        /// The `email` claim of the id token, when present.
        email: Option<String>,
    },
    /// Signed in with an `OpenAI` API key.
    ApiKey {
        /// The key (`sk-…`).
        api_key: String,
    },
}

impl CodexAuth {
    /// Whether this is `ChatGPT` account auth (the only kind analytics and remote plugins use).
    pub fn is_chatgpt(&self) -> bool {
        matches!(self, Self::ChatGpt { .. })
    }

    /// The `ChatGPT` access token, if this is `ChatGPT` auth.
    pub fn access_token(&self) -> Option<&str> {
        match self {
            Self::ChatGpt { access_token, .. } => Some(access_token),
            Self::ApiKey { .. } => None,
        }
    }

    /// The `ChatGPT` account id, if known.
    pub fn account_id(&self) -> Option<&str> {
        match self {
            Self::ChatGpt { account_id, .. } => account_id.as_deref(),
            Self::ApiKey { .. } => None,
        }
    }
}

impl fmt::Debug for CodexAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ChatGpt {
                access_token: _,
                account_id,
                email,
            } => f
                .debug_struct("ChatGpt")
                .field("access_token", &"<redacted>")
                .field("account_id", account_id)
                .field("email", email)
                .finish(),
            Self::ApiKey { api_key: _ } => f
                .debug_struct("ApiKey")
                .field("api_key", &"<redacted>")
                .finish(),
        }
    }
}

/// Why `auth.json` could not be used.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The file exists but could not be read.
    #[error("could not read the Codex login file `{}`", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O failure.
        #[source]
        source: io::Error,
    },
    /// The file is not the JSON Codex writes.
    #[error(
        "the Codex login file `{}` is not valid; run `codex login` to write it again",
        path.display()
    )]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parse failure.
        #[source]
        source: serde_json::Error,
    },
    /// `ChatGPT` auth without tokens.
    #[error(
        "the Codex login file `{}` selects ChatGPT auth but holds no tokens; run `codex login` again",
        path.display()
    )]
    MissingTokens {
        /// The file.
        path: PathBuf,
    },
    /// API-key auth without a key.
    #[error(
        "the Codex login file `{}` selects API-key auth but holds no OPENAI_API_KEY; run `codex login --with-api-key` again",
        path.display()
    )]
    MissingApiKey {
        /// The file.
        path: PathBuf,
    },
}

/// `auth.json` as Codex writes it. Unknown fields are ignored.
#[derive(Deserialize)]
struct AuthDotJson {
    #[serde(default)]
    auth_mode: Option<String>,
    #[serde(rename = "OPENAI_API_KEY", default)]
    openai_api_key: Option<String>,
    #[serde(default)]
    tokens: Option<TokenData>,
}

#[derive(Deserialize)]
struct TokenData {
    #[serde(default)]
    id_token: Option<String>,
    access_token: String,
    #[serde(default)]
    account_id: Option<String>,
}

/// Reads `$CODEX_HOME/auth.json`. A missing file (or one with no credentials and no auth
/// mode) means "not signed in" and gives `Ok(None)`.
pub fn load_auth(codex_home: &Path) -> Result<Option<CodexAuth>, AuthError> {
    let path = auth_file_path(codex_home);
    let bytes = match berth_fs::read_bounded(&path, berth_fs::FileKind::Auth) {
        Ok(bytes) => bytes,
        Err(source) if source.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(AuthError::Read { path, source }),
    };
    let file: AuthDotJson = match serde_json::from_slice(&bytes) {
        Ok(file) => file,
        Err(source) => return Err(AuthError::Parse { path, source }),
    };
    let api_key = file.openai_api_key.filter(|key| !key.is_empty());
    match (file.auth_mode.as_deref(), file.tokens, api_key) {
        (Some("apikey"), _, Some(api_key)) | (None, None, Some(api_key)) => {
            Ok(Some(CodexAuth::ApiKey { api_key }))
        }
        (Some("apikey"), _, None) => Err(AuthError::MissingApiKey { path }),
        (_, Some(tokens), _) => Ok(Some(chatgpt_auth(tokens))),
        (None, None, None) => Ok(None),
        (Some(_), None, _) => Err(AuthError::MissingTokens { path }),
    }
}

fn chatgpt_auth(tokens: TokenData) -> CodexAuth {
    let id_claims = tokens
        .id_token
        .as_deref()
        .and_then(|token| decode_jwt_claims(token).ok());
    let email = id_claims
        .as_ref()
        .and_then(|claims| claims.get("email"))
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned);
    let account_id = tokens
        .account_id
        .filter(|id| !id.is_empty())
        .or_else(|| id_claims.as_ref().and_then(account_id_claim))
        .or_else(|| {
            decode_jwt_claims(&tokens.access_token)
                .ok()
                .as_ref()
                .and_then(account_id_claim)
        });
    CodexAuth::ChatGpt {
        access_token: tokens.access_token,
        account_id,
        email,
    }
}

/// The non-empty `chatgpt_account_id` under the `OPENAI_AUTH_CLAIM` claim of decoded JWT `claims`.
pub fn account_id_claim(claims: &serde_json::Map<String, serde_json::Value>) -> Option<String> {
    claims
        .get(OPENAI_AUTH_CLAIM)?
        .get("chatgpt_account_id")?
        .as_str()
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
#[path = "auth_file_tests.rs"]
mod tests;
