use std::io::Write as _;

use pretty_assertions::assert_eq;
use serde_json::json;

use super::*;
use crate::test_support::{
    TestChatGptAuth, unsigned_jwt, write_api_key_test_auth, write_chatgpt_auth,
};

fn write_raw(home: &Path, contents: &str) {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(auth_file_path(home))
        .unwrap();
    file.write_all(contents.as_bytes()).unwrap();
}

#[test]
fn a_missing_file_means_not_signed_in() {
    let home = tempfile::tempdir().unwrap();
    assert_eq!(load_auth(home.path()).unwrap(), None);
}

#[test]
fn account_id_falls_back_to_the_id_token_claim() {
    let home = tempfile::tempdir().unwrap();
    let written = write_chatgpt_auth(
        home.path(),
        &TestChatGptAuth {
            account_id: "acct-from-claim".to_owned(),
            account_id_in_tokens: false,
            ..TestChatGptAuth::default()
        },
    )
    .unwrap();
    let auth = load_auth(home.path()).unwrap().unwrap();
    assert_eq!(auth.account_id(), Some("acct-from-claim"));
    assert_eq!(auth.access_token(), Some(written.access_token.as_str()));
}

#[test]
fn tokens_account_id_wins_over_the_claim() {
    let home = tempfile::tempdir().unwrap();
    let claims = json!({"https://api.openai.com/auth": {"chatgpt_account_id": "acct-claim"}});
    let file = json!({
        "auth_mode": "chatgpt",
        "OPENAI_API_KEY": null,
        "tokens": {
            "id_token": unsigned_jwt(&claims),
            "access_token": "opaque-access",
            "refresh_token": "r",
            "account_id": "acct-tokens",
        },
        "last_refresh": "2026-01-01T00:00:00Z",
    });
    write_raw(home.path(), &file.to_string());
    let auth = load_auth(home.path()).unwrap();
    assert_eq!(
        auth,
        Some(CodexAuth::ChatGpt {
            access_token: "opaque-access".to_owned(),
            account_id: Some("acct-tokens".to_owned()),
            email: None,
        })
    );
}

#[test]
fn api_key_auth_is_read_with_or_without_auth_mode() {
    let home = tempfile::tempdir().unwrap();
    write_api_key_test_auth(home.path(), "sk-test").unwrap();
    let expected = Some(CodexAuth::ApiKey {
        api_key: "sk-test".to_owned(),
    });
    assert_eq!(load_auth(home.path()).unwrap(), expected);

    let bare = tempfile::tempdir().unwrap();
    write_raw(bare.path(), r#"{"OPENAI_API_KEY":"sk-test"}"#);
    assert_eq!(load_auth(bare.path()).unwrap(), expected);
}

#[test]
fn debug_output_never_shows_tokens_or_keys() {
    let chatgpt = CodexAuth::ChatGpt {
        access_token: "secret-access".to_owned(),
        account_id: Some("acct-test".to_owned()),
        email: None,
    };
    let api_key = CodexAuth::ApiKey {
        api_key: "sk-secret".to_owned(),
    };
    assert_eq!(
        format!("{chatgpt:?}"),
        r#"ChatGpt { access_token: "<redacted>", account_id: Some("acct-test"), email: None }"#
    );
    assert_eq!(
        format!("{api_key:?}"),
        r#"ApiKey { api_key: "<redacted>" }"#
    );
}

#[test]
fn invalid_json_names_the_file() {
    let home = tempfile::tempdir().unwrap();
    write_raw(home.path(), "{not json");
    let err = load_auth(home.path()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "the Codex login file `{}` is not valid; run `codex login` to write it again",
            home.path().join("auth.json").display()
        )
    );
}

#[test]
fn chatgpt_mode_without_tokens_is_an_error() {
    let home = tempfile::tempdir().unwrap();
    write_raw(
        home.path(),
        r#"{"auth_mode":"chatgpt","OPENAI_API_KEY":null}"#,
    );
    let err = load_auth(home.path()).unwrap_err();
    assert!(matches!(err, AuthError::MissingTokens { .. }), "{err:?}");
}

#[test]
fn apikey_mode_without_a_key_is_an_error() {
    let home = tempfile::tempdir().unwrap();
    write_raw(home.path(), r#"{"auth_mode":"apikey","OPENAI_API_KEY":""}"#);
    let err = load_auth(home.path()).unwrap_err();
    assert!(matches!(err, AuthError::MissingApiKey { .. }), "{err:?}");
}

#[test]
fn a_file_with_no_credentials_and_no_mode_means_not_signed_in() {
    let home = tempfile::tempdir().unwrap();
    write_raw(home.path(), r#"{"OPENAI_API_KEY":null}"#);
    assert_eq!(load_auth(home.path()).unwrap(), None);
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_is_a_read_error_naming_the_file() {
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir(auth_file_path(home.path())).unwrap();
    let err = load_auth(home.path()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "could not read the Codex login file `{}`",
            home.path().join("auth.json").display()
        )
    );
}
