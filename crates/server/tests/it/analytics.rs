//! Analytics ingest: valid batches are stored with the sending account; invalid ones are refused.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::TestServer;

async fn post_events(server: &TestServer, body: &str) -> (StatusCode, Value) {
    let response = server
        .client
        .post(format!("{}/codex/analytics-events/events", server.api))
        .bearer_auth(&server.token)
        .header("chatgpt-account-id", &server.account)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    crate::support::decode(response).await
}

on_both_backends!(
    analytics_events_are_validated_and_stored_per_account,
    false,
    |server| {
        let batch = json!({"events": [
            {"event_type": "codex_plugin_installed", "event_params": {"plugin_id": "linear@openai-curated-remote", "remote_plugin_id": "plugins~Plugin_linear"}},
            {"event_type": "codex_plugin_used", "event_params": {"plugin_id": "linear@openai-curated-remote"}}
        ]});
        let (status, body) = post_events(server, &batch.to_string()).await;
        assert_eq!((status, body), (StatusCode::OK, json!({"accepted": 2})));
        for bad in [
            "not json",
            r#"{"events": [{"event_type": "Bad Type", "event_params": {}}]}"#,
            r#"{"events": [{"event_type": "ok", "event_params": [1]}]}"#,
            r#"{"nothing": []}"#,
        ] {
            let (status, body) = post_events(server, bad).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        }
        let stored: Vec<_> = server
            .db
            .events()
            .await
            .unwrap()
            .into_iter()
            .map(|event| (event.account_id, event.event_type, event.event_params))
            .collect();
        assert_eq!(
            stored,
            vec![
                (
                    "acct-1".to_owned(),
                    "codex_plugin_installed".to_owned(),
                    batch["events"][0]["event_params"].clone()
                ),
                (
                    "acct-1".to_owned(),
                    "codex_plugin_used".to_owned(),
                    batch["events"][1]["event_params"].clone()
                ),
            ]
        );
    }
);
