//! A login to a berth plugin service, kept in the Codex home so both berth and Codex use it:
//! `auth.json` carries the service's token as a `ChatGPT` login (the minted JWT as both id and
//! access token), the previous `auth.json` is kept as a backup, and a record says what logging
//! out must put back. Written atomically, `0600`, in an order that a crash cannot turn into a
//! lost login: backup, record, then `auth.json`.

use std::io;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::auth_file::auth_file_path;
use crate::jwt::decode_jwt_claims;

/// The record of a berth login, beside `auth.json`.
pub const LOGIN_RECORD_FILE: &str = ".berth-login.json";
/// The `auth.json` that was there before the first berth login.
pub const AUTH_BACKUP_FILE: &str = "auth.json.berth-backup";
/// The refresh token a berth login carries: the service mints long-lived tokens instead, so
/// there is nothing to refresh with (see the README on token expiry).
pub const PLACEHOLDER_REFRESH_TOKEN: &str = "berth-login-has-no-refresh-token";

/// What a login changed and what logging out puts back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRecord {
    /// The service's origin, e.g. `https://plugins.example.com`.
    pub service: String,
    /// The account the token acts as.
    pub account_id: String,
    /// Unix seconds when the token expires.
    #[serde(default)]
    pub expires_at: Option<i64>,
    /// Unix seconds of the login.
    pub logged_in_at: i64,
    /// Whether an `auth.json` existed before the first berth login (it is in the backup).
    pub had_auth: bool,
    /// Whether the login set `chatgpt_base_url` in `config.toml`.
    pub set_base_url: bool,
    /// The `chatgpt_base_url` before the first berth login, to put back.
    #[serde(default)]
    pub previous_base_url: Option<String>,
}

/// Why a login could not be written or undone.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// The token is not a JWT carrying an account, so Codex could not use it.
    #[error(
        "the token is not a JWT with a `chatgpt_account_id` claim, so Codex cannot use it; ask an admin for a token minted by `berth serve token add`"
    )]
    NotAJwt,
    /// A file of the login could not be read or written.
    #[error("could not update `{}`", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The login record is not what berth writes.
    #[error("`{}` is not a berth login record; delete it to log out by hand", path.display())]
    CorruptRecord {
        /// The file.
        path: PathBuf,
        /// The decode error.
        #[source]
        source: serde_json::Error,
    },
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> LoginError + '_ {
    move |source| LoginError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Unix seconds now.
pub fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
        })
}

/// The berth login of `codex_home`, if there is one.
pub fn read_login(codex_home: &Path) -> Result<Option<LoginRecord>, LoginError> {
    let path = codex_home.join(LOGIN_RECORD_FILE);
    let bytes = match berth_fs::read_bounded(&path, berth_fs::FileKind::Auth) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(LoginError::Io { path, source }),
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|source| LoginError::CorruptRecord { path, source })
}

/// Writes the login of `token` (a JWT minted by the service) into `codex_home`. The first
/// login keeps the `auth.json` it replaces as [`AUTH_BACKUP_FILE`]; a login over a berth login
/// keeps that first backup and the first record's `previous_base_url`, so logging out always
/// returns to the state before berth. `record` says what the caller changes in `config.toml`.
pub fn write_login(
    codex_home: &Path,
    token: &str,
    mut record: LoginRecord,
) -> Result<LoginRecord, LoginError> {
    let claims = decode_jwt_claims(token).map_err(|_| LoginError::NotAJwt)?;
    let account_id = crate::account_id_claim(&claims).ok_or(LoginError::NotAJwt)?;
    let auth_path = auth_file_path(codex_home);
    let backup_path = codex_home.join(AUTH_BACKUP_FILE);
    let record_path = codex_home.join(LOGIN_RECORD_FILE);
    std::fs::create_dir_all(codex_home).map_err(io_error(codex_home))?;
    match read_login(codex_home)? {
        Some(earlier) => {
            record.had_auth = earlier.had_auth;
            record.set_base_url = earlier.set_base_url || record.set_base_url;
            record.previous_base_url = earlier.previous_base_url;
        }
        None => match berth_fs::read_bounded(&auth_path, berth_fs::FileKind::Auth) {
            Ok(previous) => {
                berth_fs::write_atomic_with_mode(&backup_path, &previous, 0o600)
                    .map_err(io_error(&backup_path))?;
                record.had_auth = true;
            }
            Err(err) if err.kind() == io::ErrorKind::NotFound => record.had_auth = false,
            Err(source) => {
                return Err(LoginError::Io {
                    path: auth_path,
                    source,
                });
            }
        },
    }
    record.account_id.clone_from(&account_id);
    let record_bytes =
        serde_json::to_vec_pretty(&record).map_err(|source| LoginError::CorruptRecord {
            path: record_path.clone(),
            source,
        })?;
    berth_fs::write_atomic_with_mode(&record_path, &record_bytes, 0o600)
        .map_err(io_error(&record_path))?;
    let auth = json!({
        "auth_mode": "chatgpt",
        "OPENAI_API_KEY": null,
        "tokens": {
            "id_token": token,
            "access_token": token,
            "refresh_token": PLACEHOLDER_REFRESH_TOKEN,
            "account_id": account_id,
        },
        "last_refresh": rfc3339_utc(record.logged_in_at),
    });
    let mut auth_bytes = serde_json::to_vec_pretty(&auth).unwrap_or_default();
    auth_bytes.push(b'\n');
    berth_fs::write_atomic_with_mode(&auth_path, &auth_bytes, 0o600)
        .map_err(io_error(&auth_path))?;
    Ok(record)
}

/// Undoes the berth login of `codex_home`: the backed-up `auth.json` comes back (or, if there
/// was none, `auth.json` goes) and the record goes. Returns the record, `None` when berth had
/// no login here. The caller puts `config.toml` back from the record first.
pub fn remove_login(codex_home: &Path) -> Result<Option<LoginRecord>, LoginError> {
    let Some(record) = read_login(codex_home)? else {
        return Ok(None);
    };
    let auth_path = auth_file_path(codex_home);
    let backup_path = codex_home.join(AUTH_BACKUP_FILE);
    if record.had_auth && backup_path.is_file() {
        berth_fs::rename(&backup_path, &auth_path).map_err(io_error(&auth_path))?;
    } else {
        match std::fs::remove_file(&auth_path) {
            Ok(()) => {}
            Err(err) if err.kind() == io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(LoginError::Io {
                    path: auth_path,
                    source,
                });
            }
        }
    }
    let record_path = codex_home.join(LOGIN_RECORD_FILE);
    std::fs::remove_file(&record_path).map_err(io_error(&record_path))?;
    Ok(Some(record))
}

/// Unix seconds as an RFC 3339 UTC time (`2026-12-04T01:25:36Z`), as `last_refresh` is written.
pub(crate) fn rfc3339_utc(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|at| {
            at.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

#[cfg(test)]
#[path = "login_tests.rs"]
mod tests;
