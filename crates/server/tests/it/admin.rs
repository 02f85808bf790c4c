//! berth's own API (`/berth/v1`) and the team features behind it: minted tokens with scopes,
//! allowances, expiry and revocation; immutable releases with history, withdrawal and roll
//! back; admin changes by plugin name. On both backends.

use berth_server::{PublishOptions, TokenGrant};
use berth_service_protocol::TokenScope;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::{TestServer, write_file, write_plugin};

/// `method origin+path` with `token`, optional JSON body; the status and JSON answer.
async fn call(
    server: &TestServer,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let origin = server.api.trim_end_matches("/backend-api");
    let mut request = server
        .client
        .request(method.parse().unwrap(), format!("{origin}{path}"))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    crate::support::decode(request.send().await.unwrap()).await
}

async fn mint(server: &TestServer, account: &str, scopes: &[TokenScope]) -> String {
    server
        .db
        .mint_token(&TokenGrant {
            account_id: account.to_owned(),
            scopes: scopes.iter().copied().collect(),
            plugin_ids: None,
            days: None,
            label: "test".to_owned(),
        })
        .await
        .unwrap()
        .token
}

on_both_backends!(scopes_decide_what_a_minted_token_may_do, false, |server| {
    let admin = mint(server, "acct-1", &[TokenScope::Admin]).await;
    let reader = mint(server, "acct-1", &[TokenScope::Read]).await;
    let publisher = mint(server, "acct-1", &[TokenScope::Publish]).await;
    // A minted token is a JWT carrying the claims Codex reads.
    let claims = berth_auth::decode_jwt_claims(&reader).unwrap();
    assert_eq!(
        claims["https://api.openai.com/auth"]["chatgpt_account_id"],
        json!("acct-1")
    );
    assert!(claims["exp"].as_i64().unwrap() > claims["iat"].as_i64().unwrap());

    let (status, whoami) = call(server, "GET", "/berth/v1/whoami", &publisher, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(whoami["account_id"], json!("acct-1"));
    assert_eq!(whoami["scopes"], json!(["publish"]));

    let list = "/backend-api/ps/plugins/list";
    assert_eq!(
        call(server, "GET", list, &reader, None).await.0,
        StatusCode::OK
    );
    assert_eq!(
        call(server, "GET", list, &admin, None).await.0,
        StatusCode::OK
    );
    let (status, body) = call(server, "GET", list, &publisher, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], json!("insufficient_scope"));
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("needs `read`"),
        "{body}"
    );
    for token in [&reader, &publisher] {
        let (status, _) = call(server, "GET", "/berth/v1/accounts", token, None).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    let (status, accounts) = call(server, "GET", "/berth/v1/accounts", &admin, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(accounts["accounts"][0]["id"], json!("acct-1"));

    // Admins mint over HTTP; the secret comes back once, the listing never shows it.
    let (status, minted) = call(
        server,
        "POST",
        "/berth/v1/tokens",
        &admin,
        Some(json!({"account_id": "acct-1", "scopes": ["read"], "label": "ci"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{minted}");
    let (_, tokens) = call(server, "GET", "/berth/v1/tokens", &admin, None).await;
    assert!(
        !tokens
            .to_string()
            .contains(minted["token"].as_str().unwrap())
    );
    let ids: Vec<&str> = tokens["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|token| token["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&minted["info"]["id"].as_str().unwrap()));

    // Revoked: refused at once by this instance.
    let fresh = minted["token"].as_str().unwrap().to_owned();
    assert_eq!(
        call(server, "GET", list, &fresh, None).await.0,
        StatusCode::OK
    );
    let path = format!(
        "/berth/v1/tokens/{}",
        minted["info"]["id"].as_str().unwrap()
    );
    let (status, changed) = call(server, "DELETE", &path, &admin, None).await;
    assert_eq!(
        (status, changed),
        (StatusCode::OK, json!({"changed": true}))
    );
    assert_eq!(
        call(server, "GET", list, &fresh, None).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (_, again) = call(server, "DELETE", &path, &admin, None).await;
    assert_eq!(again, json!({"changed": false}));

    // Tokens of a removed account stop working.
    let other = server.add_account("acct-2").await;
    let (status, _) = call(server, "DELETE", "/berth/v1/accounts/acct-2", &admin, None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = server
        .send_as("GET", "/ps/plugins/list", &other, "acct-2")
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
});

on_both_backends!(forged_and_expired_tokens_are_refused, false, |server| {
    let reader = mint(server, "acct-1", &[TokenScope::Read]).await;
    let list = "/backend-api/ps/plugins/list";
    // The same claims signed with another key.
    let (header, rest) = reader.split_once('.').unwrap();
    let (claims, _) = rest.split_once('.').unwrap();
    let forged = format!("{header}.{claims}.c2lnbmVkIGJ5IHNvbWVvbmUgZWxzZQ");
    assert_eq!(
        call(server, "GET", list, &forged, None).await.0,
        StatusCode::UNAUTHORIZED
    );
    // Unsigned test tokens are for --dev only.
    let unsigned = berth_auth::test_support::unsigned_jwt(&json!({
        "exp": 4_102_444_800_i64,
        "https://api.openai.com/auth": {"chatgpt_account_id": "acct-1"}
    }));
    assert_eq!(
        call(server, "GET", list, &unsigned, None).await.0,
        StatusCode::UNAUTHORIZED
    );
});

on_both_backends!(
    releases_are_immutable_with_history_withdrawal_and_roll_back,
    false,
    |server| {
        let admin = mint(server, "acct-1", &[TokenScope::Admin]).await;
        let parent = server.dir.path().join("sources");
        let publish = |version: &str, body: &str| {
            let root = write_plugin(&parent.join(version), "tracker", version);
            write_file(
                &root.join("skills/triage/SKILL.md"),
                &format!("---\nname: triage\ndescription: d\n---\n{body}\n"),
            );
            let db = server.db.clone();
            let bundles = std::sync::Arc::clone(&server.bundles);
            async move {
                berth_server::publish_plugin(
                    &db,
                    bundles,
                    &root,
                    PublishOptions {
                        published_by: Some("acct-1".to_owned()),
                        ..PublishOptions::default()
                    },
                )
                .await
            }
        };
        assert!(publish("1.0.0", "one").await.unwrap().created);
        assert!(publish("2.0.0", "two").await.unwrap().created);
        // The same version again: unchanged with the same bytes, refused with others.
        assert!(!publish("2.0.0", "two").await.unwrap().created);
        let conflict = publish("2.0.0", "changed").await.unwrap_err().to_string();
        assert!(conflict.contains("versions are immutable"), "{conflict}");

        let id = "plugins~Plugin_tracker";
        let history = format!("/berth/v1/plugins/{id}/releases");
        let versions = |body: &Value| -> Vec<(String, bool)> {
            body["releases"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    (
                        r["version"].as_str().unwrap().to_owned(),
                        r["current"].as_bool().unwrap(),
                    )
                })
                .collect()
        };
        let (status, releases) = call(server, "GET", &history, &server.token, None).await;
        assert_eq!(status, StatusCode::OK, "{releases}");
        assert_eq!(
            versions(&releases),
            [("2.0.0".to_owned(), true), ("1.0.0".to_owned(), false)]
        );
        assert_eq!(releases["releases"][0]["published_by"], json!("acct-1"));
        assert_eq!(server.db.publishers(id).await.unwrap(), ["acct-1"]);
        let skill_path = format!("/ps/plugins/{id}/skills/triage");
        assert!(
            server.get(&skill_path).await.1["skill_md_contents"]
                .as_str()
                .unwrap()
                .contains("two")
        );

        // Withdrawing the current release falls back to the newest one left, skills included.
        let withdraw =
            |version: &str| format!("/berth/v1/plugins/tracker/releases/{version}/withdraw");
        let (status, _) = call(server, "POST", &withdraw("2.0.0"), &admin, None).await;
        assert_eq!(status, StatusCode::OK);
        let (_, item) = server.get(&format!("/ps/plugins/{id}")).await;
        assert_eq!(item["release"]["version"], json!("1.0.0"));
        assert!(
            server.get(&skill_path).await.1["skill_md_contents"]
                .as_str()
                .unwrap()
                .contains("one")
        );
        // A withdrawn release cannot be made current again; another can.
        let current = format!("/berth/v1/plugins/{id}/current");
        let (status, _) = call(
            server,
            "POST",
            &current,
            &admin,
            Some(json!({"version": "2.0.0"})),
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(publish("3.0.0", "three").await.unwrap().created);
        let (status, _) = call(
            server,
            "POST",
            &current,
            &admin,
            Some(json!({"version": "1.0.0"})),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let (_, item) = server.get(&format!("/ps/plugins/{id}")).await;
        assert_eq!(item["release"]["version"], json!("1.0.0"));

        // With every release withdrawn the plugin is no longer offered.
        for version in ["1.0.0", "3.0.0"] {
            call(server, "POST", &withdraw(version), &admin, None).await;
        }
        let (status, _) = server.get(&format!("/ps/plugins/{id}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, listing) = call(server, "GET", "/berth/v1/plugins", &admin, None).await;
        assert_eq!(listing["plugins"][0]["current_version"], Value::Null);
        assert_eq!(listing["plugins"][0]["releases"], json!(3));
        let referenced = server.db.referenced_bundles().await.unwrap();
        assert_eq!(referenced.len(), 3, "withdrawn releases keep their bundles");

        // Admin changes name plugins by name or id; a reader may not make them.
        let status_path = "/berth/v1/plugins/tracker/status";
        let body = json!({"status": "DISABLED_BY_ADMIN"});
        assert_eq!(
            call(
                server,
                "PUT",
                status_path,
                &server.token,
                Some(body.clone())
            )
            .await
            .0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            call(server, "PUT", status_path, &admin, Some(body)).await.0,
            StatusCode::OK
        );
        let (status, body) = call(
            server,
            "PUT",
            "/berth/v1/plugins/nothing/status",
            &admin,
            Some(json!({"status": "AVAILABLE"})),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_token_is_refused() {
    use sqlx::Connection as _;
    let server = TestServer::start(crate::support::Backend::Sqlite, false)
        .await
        .unwrap();
    let reader = mint(&server, "acct-1", &[TokenScope::Read]).await;
    let list = "/backend-api/ps/plugins/list";
    // Not used before, so not cached: its expiry is read from the database.
    let path = server.dir.path().join("data/berth.db");
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    sqlx::query("UPDATE tokens SET expires_at = 1 WHERE scopes = 'read'")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    assert_eq!(
        call(&server, "GET", list, &reader, None).await.0,
        StatusCode::UNAUTHORIZED
    );
    server.shutdown().await;
}
