use pretty_assertions::assert_eq;
use serde_json::json;

use super::*;
use crate::test_support::unsigned_jwt;

fn token(account: &str) -> String {
    unsigned_jwt(&json!({
        "exp": 4_102_444_800_i64,
        "https://api.openai.com/auth": {"chatgpt_account_id": account}
    }))
}

fn record(service: &str, set_base_url: bool, previous: Option<&str>) -> LoginRecord {
    LoginRecord {
        service: service.to_owned(),
        account_id: String::new(),
        expires_at: Some(4_102_444_800),
        logged_in_at: 1_796_115_600,
        had_auth: false,
        set_base_url,
        previous_base_url: previous.map(str::to_owned),
    }
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn rfc3339_formats_known_instants() {
    assert_eq!(rfc3339_utc(0), "1970-01-01T00:00:00Z");
    assert_eq!(rfc3339_utc(951_782_400), "2000-02-29T00:00:00Z");
    assert_eq!(rfc3339_utc(1_782_000_000), "2026-06-21T00:00:00Z");
}

#[test]
fn a_login_keeps_the_first_auth_json_and_logging_out_puts_it_back() {
    let home = tempfile::tempdir().unwrap();
    let auth = home.path().join("auth.json");
    let original = b"{\"auth_mode\":\"apikey\",\"OPENAI_API_KEY\":\"sk-mine\"}";
    berth_fs::write_atomic(&auth, original).unwrap();

    let first = write_login(
        home.path(),
        &token("acct-1"),
        record("https://a", true, Some("https://chatgpt.com/backend-api")),
    )
    .unwrap();
    assert!(first.had_auth);
    assert_eq!(first.account_id, "acct-1");
    assert_eq!(
        (mode(&auth), mode(&home.path().join(LOGIN_RECORD_FILE))),
        (0o600, 0o600)
    );
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&auth).unwrap()).unwrap();
    assert_eq!(written["tokens"]["access_token"], json!(token("acct-1")));
    assert_eq!(written["tokens"]["id_token"], json!(token("acct-1")));
    assert_eq!(written["tokens"]["account_id"], json!("acct-1"));
    assert_eq!(written["last_refresh"], json!("2026-12-01T09:00:00Z"));
    // Codex and berth read it as a ChatGPT login.
    let loaded = crate::load_auth(home.path()).unwrap().unwrap();
    assert_eq!(loaded.account_id(), Some("acct-1"));

    // Logging in again (another account, no base URL change asked) keeps the first backup and
    // what the first login changed.
    let second = write_login(
        home.path(),
        &token("acct-2"),
        record("https://b", false, None),
    )
    .unwrap();
    assert!(second.had_auth && second.set_base_url);
    assert_eq!(
        second.previous_base_url.as_deref(),
        Some("https://chatgpt.com/backend-api")
    );

    let removed = remove_login(home.path()).unwrap().unwrap();
    assert_eq!(removed.service, "https://b");
    assert_eq!(std::fs::read(&auth).unwrap(), original);
    assert!(!home.path().join(LOGIN_RECORD_FILE).exists());
    assert!(!home.path().join(AUTH_BACKUP_FILE).exists());
    assert_eq!(remove_login(home.path()).unwrap(), None);
}

#[test]
fn without_an_earlier_auth_json_logging_out_removes_it() {
    let home = tempfile::tempdir().unwrap();
    write_login(
        home.path(),
        &token("acct-1"),
        record("https://a", true, None),
    )
    .unwrap();
    remove_login(home.path()).unwrap();
    assert!(!home.path().join("auth.json").exists());
}

#[test]
fn an_opaque_token_is_refused_and_changes_nothing() {
    let home = tempfile::tempdir().unwrap();
    let err = write_login(home.path(), "berth_0123", record("https://a", true, None)).unwrap_err();
    assert!(matches!(err, LoginError::NotAJwt), "{err}");
    assert_eq!(std::fs::read_dir(home.path()).unwrap().count(), 0);
}
