//! Reads the Codex login state from `$CODEX_HOME/auth.json`: [`load_auth`] returns a
//! [`CodexAuth`] (`ChatGPT` tokens or an API key) or an [`AuthError`] that names the file.

mod auth_file;
mod jwt;
#[cfg(any(test, feature = "test-support"))]
pub mod test_support;

pub use auth_file::{
    AUTH_FILE_NAME, AuthError, CodexAuth, account_id_claim, auth_file_path, load_auth,
};
pub use jwt::{JsonObject, JwtClaimsError, OPENAI_AUTH_CLAIM, decode_jwt_claims, decode_jwt_parts};
