//! The Codex login state in `$CODEX_HOME/auth.json`: [`load_auth`] returns a [`CodexAuth`]
//! (`ChatGPT` tokens or an API key) or an [`AuthError`] that names the file; [`write_login`] and
//! [`remove_login`] make and undo a login to a berth plugin service ([`LoginRecord`]).

mod auth_file;
mod jwt;
mod login;
#[cfg(any(test, feature = "test-support"))]
pub mod test_support;

pub use auth_file::{
    AUTH_FILE_NAME, AuthError, CodexAuth, account_id_claim, auth_file_path, load_auth,
};
pub use jwt::{JsonObject, JwtClaimsError, OPENAI_AUTH_CLAIM, decode_jwt_claims, decode_jwt_parts};
pub use login::{
    AUTH_BACKUP_FILE, LOGIN_RECORD_FILE, LoginError, LoginRecord, PLACEHOLDER_REFRESH_TOKEN,
    now_unix, read_login, remove_login, write_login,
};
