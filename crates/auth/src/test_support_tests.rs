use pretty_assertions::assert_eq;

use super::*;
use crate::{CodexAuth, decode_jwt_claims, load_auth};

#[test]
fn the_default_test_login_loads_as_chatgpt_auth_for_acct_test() {
    let home = tempfile::tempdir().unwrap();
    let written = write_chatgpt_test_auth(home.path()).unwrap();
    let auth = load_auth(home.path()).unwrap();
    assert_eq!(
        auth,
        Some(CodexAuth::ChatGpt {
            access_token: written.access_token,
            account_id: Some("acct-test".to_owned()),
            email: Some("test@example.com".to_owned()),
        })
    );
}

#[test]
fn the_test_jwt_carries_the_claims_codex_checks() {
    let home = tempfile::tempdir().unwrap();
    let written = write_chatgpt_test_auth(home.path()).unwrap();
    let claims = decode_jwt_claims(&written.id_token).unwrap();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(claims["exp"].as_u64().unwrap() > now + 3600);
    assert_eq!(
        claims[OPENAI_AUTH_CLAIM],
        serde_json::json!({
            "chatgpt_plan_type": "plus",
            "chatgpt_account_id": "acct-test",
            "chatgpt_user_id": "user-test",
        })
    );
    let header = written.id_token.split('.').next().unwrap();
    assert_eq!(header, encode_segment(br#"{"alg":"none","typ":"JWT"}"#));
}

#[cfg(unix)]
#[test]
fn the_test_login_file_is_private_to_the_user() {
    use std::os::unix::fs::PermissionsExt as _;
    let home = tempfile::tempdir().unwrap();
    let written = write_chatgpt_test_auth(home.path()).unwrap();
    let mode = std::fs::metadata(written.path)
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}
