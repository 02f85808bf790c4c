//! Authentication: registered tokens, the account header, and development-mode test JWTs.

use berth_auth::test_support::unsigned_jwt;
use pretty_assertions::assert_eq;
use reqwest::StatusCode;
use serde_json::json;

use crate::on_both_backends;
use crate::support::{Backend, TestServer};

on_both_backends!(
    missing_unknown_or_mismatched_credentials_are_refused_with_json,
    false,
    |server| {
        let response = server
            .client
            .get(format!("{}/ps/plugins/list", server.api))
            .send()
            .await
            .unwrap();
        let (status, body) = crate::support::decode(response).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["error"]["code"], json!("unauthorized"));
        let (status, body) = server
            .send_as("GET", "/ps/plugins/list", "berth_wrong", "acct-1")
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            body["error"]["message"],
            json!(
                "unknown, expired or revoked token; log in again with `berth login --service URL`"
            )
        );
        let (status, body) = server
            .send_as("GET", "/ps/plugins/list", &server.token, "acct-2")
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(
            body["error"]["message"],
            json!(
                "the token belongs to account `acct-1`, not `acct-2` named in `chatgpt-account-id`"
            )
        );
        let dev = test_jwt("acct-1", 4_000_000_000);
        let (status, _) = server
            .send_as("GET", "/ps/plugins/list", &dev, "acct-1")
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "test tokens need --dev");
    }
);

fn test_jwt(account: &str, exp: i64) -> String {
    unsigned_jwt(&json!({
        "exp": exp,
        "email": "test@example.com",
        "https://api.openai.com/auth": {"chatgpt_account_id": account, "chatgpt_plan_type": "plus"}
    }))
}

#[tokio::test]
async fn development_mode_accepts_unexpired_test_tokens_for_their_own_account() {
    let server = TestServer::start(Backend::Sqlite, true).await.unwrap();
    assert_eq!(server.db.account("acct-dev").await.unwrap(), None);
    let token = test_jwt("acct-dev", 4_000_000_000);
    let (status, body) = server
        .send_as("POST", "/ps/plugins/x/install", &token, "acct-dev")
        .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::NOT_FOUND, json!("not_found"))
    );
    let (status, _) = server
        .send_as("GET", "/ps/plugins/installed", &token, "acct-dev")
        .await;
    assert_eq!(status, StatusCode::OK);
    // The account a valid development token names is created on its first use.
    assert!(server.db.account("acct-dev").await.unwrap().is_some());
    let (status, _) = server
        .send_as("GET", "/ps/plugins/installed", &token, "acct-other")
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let expired = test_jwt("acct-dev", 1);
    let (status, _) = server
        .send_as("GET", "/ps/plugins/installed", &expired, "acct-dev")
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    server.shutdown().await;
}

#[tokio::test]
async fn development_mode_is_refused_on_a_non_loopback_address() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = berth_server::ServerConfig::new(dir.path());
    config.bind = "0.0.0.0:0".parse().unwrap();
    config.dev_mode = true;
    let err = berth_server::start(config).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "--dev accepts unsigned test tokens and is only allowed on a loopback address, not 0.0.0.0:0"
    );
}

#[test]
fn postgres_url_is_required_in_ci() {
    let result = std::panic::catch_unwind(|| {
        crate::support::postgres_base_url(Some("true".to_owned()), None)
    });
    assert!(result.is_err());
    assert_eq!(crate::support::postgres_base_url(None, None), None);
    assert_eq!(
        crate::support::postgres_base_url(None, Some("postgres://x/y".to_owned())),
        Some("postgres://x/y".to_owned())
    );
}
