//! Operations endpoints: `/healthz` and `/readyz` answer outside `/backend-api`; `/metrics`
//! counts requests by route template, installs, ingested events and bundle bytes, and never
//! names a plugin or an account; with `metrics_token_required` it answers only to a token with
//! the `admin` scope. (`/readyz` during a database outage: `outage.rs`.)

use berth_server::{PublishOptions, ServerConfig, TokenGrant};
use berth_service_protocol::TokenScope;
use pretty_assertions::assert_eq;
use reqwest::StatusCode;
use serde_json::json;

use crate::support::TestServer;

fn origin(server: &TestServer) -> String {
    server.api.trim_end_matches("/backend-api").to_owned()
}

crate::on_both_backends!(
    health_and_readiness_answer_outside_the_api,
    false,
    |server| {
        for (path, status) in [("/healthz", "ok"), ("/readyz", "ready")] {
            let response = server
                .client
                .get(format!("{}{path}", origin(server)))
                .send()
                .await
                .unwrap();
            let (code, body) = crate::support::decode(response).await;
            assert_eq!(code, StatusCode::OK, "{path}");
            assert_eq!(body, json!({"status": status}), "{path}");
        }
    }
);

/// The value of the counter sample `name{labels}` in a metrics text, or 0 when absent.
fn sample(text: &str, series: &str) -> u64 {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map_or(0, |value| value.trim().parse().unwrap())
}

crate::on_both_backends!(
    metrics_count_by_route_and_never_name_plugins_or_accounts,
    false,
    |server| {
        let published = server
            .publish("secret-plugin", PublishOptions::default())
            .await;
        let id = published.id.clone();
        assert_eq!(
            server.get(&format!("/ps/plugins/{id}")).await.0,
            StatusCode::OK
        );
        assert_eq!(
            server.get(&format!("/ps/plugins/{id}")).await.0,
            StatusCode::OK
        );
        assert_eq!(
            server.get("/ps/plugins/plugins~Plugin_nope").await.0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            server.post(&format!("/ps/plugins/{id}/install")).await.0,
            StatusCode::OK
        );
        let events = server
        .client
        .post(format!("{}/codex/analytics-events/events", server.api))
        .bearer_auth(&server.token)
        .header("chatgpt-account-id", &server.account)
        .json(&json!({"events": [
            {"event_type": "codex_plugin_used", "event_params": {"plugin_id": "secret-plugin@m"}},
            {"event_type": "codex_plugin_used", "event_params": {"plugin_id": "secret-plugin@m"}},
        ]}))
        .send()
        .await
        .unwrap();
        assert_eq!(events.status(), StatusCode::OK);
        let sha = published.release.bundle_sha256.clone().unwrap();
        let bundle = server
            .client
            .get(format!("{}/bundles/{sha}.tar.gz", server.api))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();

        let response = server
            .client
            .get(format!("{}/metrics", origin(server)))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/openmetrics-text")
        );
        let text = response.text().await.unwrap();
        let read = r#"berth_http_requests_total{method="GET",route="/backend-api/ps/plugins/{id}""#;
        assert_eq!(
            sample(&text, &format!(r#"{read},status="200"}}"#)),
            2,
            "{text}"
        );
        assert_eq!(
            sample(&text, &format!(r#"{read},status="404"}}"#)),
            1,
            "{text}"
        );
        assert_eq!(sample(&text, "berth_installs_total"), 1, "{text}");
        assert_eq!(sample(&text, "berth_ingested_events_total"), 2, "{text}");
        assert_eq!(
            sample(&text, "berth_bundle_served_bytes_total"),
            bundle.len() as u64,
            "{text}"
        );
        assert!(
        text.contains(r#"berth_http_request_duration_seconds_count{method="GET",route="/backend-api/ps/plugins/{id}"} 3"#),
        "{text}"
    );
        for private in ["secret-plugin", "plugins~Plugin_", &server.account, &sha] {
            assert!(
                !text.contains(private),
                "the metrics name `{private}`:\n{text}"
            );
        }
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_can_require_an_admin_token() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = ServerConfig::new(dir.path().join("data"));
    config.bind = "127.0.0.1:0".parse().unwrap();
    config.metrics_token_required = true;
    let server = TestServer::start_with(config, dir).await;
    let mint = |scope: TokenScope| {
        let db = server.db.clone();
        async move {
            db.mint_token(&TokenGrant {
                account_id: "acct-1".to_owned(),
                scopes: [scope].into(),
                plugin_ids: None,
                days: None,
                label: String::new(),
            })
            .await
            .unwrap()
            .token
        }
    };
    let url = format!("{}/metrics", origin(&server));
    let get = |token: Option<String>| {
        let request = server.client.get(&url);
        let request = match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        };
        async move { crate::support::decode(request.send().await.unwrap()).await }
    };
    let (status, body) = get(None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("--metrics-token-required"),
        "{body}"
    );
    assert_eq!(
        get(Some("berth_not-a-token".to_owned())).await.0,
        StatusCode::UNAUTHORIZED
    );
    for scope in [TokenScope::Read, TokenScope::Publish] {
        let (status, body) = get(Some(mint(scope).await)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{scope:?}: {body}");
    }
    let allowed = server
        .client
        .get(&url)
        .bearer_auth(mint(TokenScope::Admin).await)
        .send()
        .await
        .unwrap();
    assert_eq!(allowed.status(), StatusCode::OK);
    assert!(
        allowed
            .text()
            .await
            .unwrap()
            .contains("berth_http_requests_total")
    );
    server.shutdown().await;
}
