//! Analytics ingest: valid batches are stored with the sending account; invalid ones are refused.

use reqwest::StatusCode;
use serde_json::{Value, json};

use berth_server::{EventFilter, Limits, ServerConfig};

use crate::on_both_backends;
use crate::support::{Backend, TestServer, database_url};

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

async fn post_keyed(server: &TestServer, body: &str, key: Option<&str>) -> reqwest::Response {
    let mut request = server
        .client
        .post(format!("{}/codex/analytics-events/events", server.api))
        .bearer_auth(&server.token)
        .header("chatgpt-account-id", &server.account)
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    request.send().await.unwrap()
}

fn batch_of(count: usize, pad: usize) -> String {
    let events: Vec<Value> = (0..count)
        .map(|n| json!({"event_type": "codex_plugin_used", "event_params": {"n": n, "pad": "x".repeat(pad)}}))
        .collect();
    json!({ "events": events }).to_string()
}

/// A server with `limits` applied on top of the defaults.
async fn server_with(backend: Backend, limits: impl FnOnce(&mut Limits)) -> Option<TestServer> {
    let database_url = database_url(backend).await?;
    let dir = tempfile::tempdir().unwrap();
    let mut config = ServerConfig::new(dir.path().join("data"));
    config.bind = "127.0.0.1:0".parse().unwrap();
    config.database_url = database_url;
    limits(&mut config.limits);
    Some(TestServer::start_with(config, dir).await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resent_batch_is_stored_once_per_account() {
    let server = server_with(Backend::Sqlite, |_| {}).await.unwrap();
    let body = batch_of(3, 0);
    for _ in 0..3 {
        let response = post_keyed(&server, &body, Some("batch-1")).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.json::<Value>().await.unwrap(),
            json!({"accepted": 3})
        );
    }
    // Another account may use the same key for its own batch.
    let other = server.add_account("acct-2").await;
    let response = server
        .client
        .post(format!("{}/codex/analytics-events/events", server.api))
        .bearer_auth(&other)
        .header("chatgpt-account-id", "acct-2")
        .header("idempotency-key", "batch-1")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    // A batch without a key is stored each time.
    post_keyed(&server, &body, None).await;
    let stored = server.db.events().await.unwrap();
    assert_eq!(stored.len(), 3 + 3 + 3);
    let bad = post_keyed(&server, &body, Some(&"k".repeat(200))).await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_past_its_rate_gets_429_with_retry_after_and_nothing_stored() {
    let server = server_with(Backend::Sqlite, |limits| {
        limits.events_bytes_per_second = 1000;
        limits.events_burst_bytes = 20_000;
    })
    .await
    .unwrap();
    let body = batch_of(10, 1000); // about 10 KB
    assert_eq!(
        post_keyed(&server, &body, None).await.status(),
        StatusCode::OK
    );
    let refused = post_keyed(&server, &body, None).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=11).contains(&retry_after), "Retry-After {retry_after}");
    let message = refused.json::<Value>().await.unwrap()["error"]["message"].clone();
    assert!(
        message
            .as_str()
            .unwrap()
            .contains("faster than 1000 bytes/s"),
        "{message}"
    );
    assert_eq!(server.db.events().await.unwrap().len(), 10);
    server.shutdown().await;
}

async fn daily_volume_is_enforced_in_the_database(backend: Backend) {
    let Some(server) = server_with(backend, |limits| limits.events_daily_bytes = 25_000).await
    else {
        return;
    };
    let body = batch_of(10, 1000);
    assert_eq!(
        post_keyed(&server, &body, None).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        post_keyed(&server, &body, None).await.status(),
        StatusCode::OK
    );
    let refused = post_keyed(&server, &body, None).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (1..=86_400).contains(&retry_after),
        "Retry-After {retry_after}"
    );
    // The refused batch counted nothing: a small one still fits today.
    assert_eq!(
        post_keyed(&server, &batch_of(1, 10), None).await.status(),
        StatusCode::OK
    );
    assert_eq!(server.db.events().await.unwrap().len(), 21);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn daily_volume_is_enforced_on_sqlite() {
    daily_volume_is_enforced_in_the_database(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn daily_volume_is_enforced_on_postgres() {
    daily_volume_is_enforced_in_the_database(Backend::Postgres).await;
}

on_both_backends!(
    stored_events_page_and_filter_by_time_type_plugin_and_account,
    false,
    |server| {
        let events = vec![
            (
                "codex_plugin_installed".to_owned(),
                json!({"plugin_id": "linear@openai-curated-remote", "remote_plugin_id": "plugins~Plugin_linear"}),
            ),
            (
                "codex_plugin_used".to_owned(),
                json!({"plugin_id": "linear@openai-curated-remote", "remote_plugin_id": "plugins~Plugin_linear"}),
            ),
            (
                "codex_plugin_used".to_owned(),
                json!({"plugin_id": "sample@debug", "remote_plugin_id": null}),
            ),
        ];
        server.db.insert_events("acct-1", &events).await.unwrap();
        server
            .db
            .insert_events("acct-2", &events[..1])
            .await
            .unwrap();
        let ids = |page: Vec<berth_server::StoredEvent>| -> Vec<(String, String)> {
            page.into_iter()
                .map(|e| (e.account_id, e.event_type))
                .collect()
        };
        let all = EventFilter::default();
        assert_eq!(server.db.events_page(&all, 0, 100).await.unwrap().len(), 4);
        let first_two = server.db.events_page(&all, 0, 2).await.unwrap();
        let next = server
            .db
            .events_page(&all, first_two[1].id, 100)
            .await
            .unwrap();
        assert_eq!(next.len(), 2);
        let by_remote = EventFilter {
            plugin: Some("plugins~Plugin_linear".to_owned()),
            ..EventFilter::default()
        };
        assert_eq!(
            server
                .db
                .events_page(&by_remote, 0, 100)
                .await
                .unwrap()
                .len(),
            3
        );
        let by_local = EventFilter {
            plugin: Some("sample@debug".to_owned()),
            ..EventFilter::default()
        };
        assert_eq!(
            ids(server.db.events_page(&by_local, 0, 100).await.unwrap()),
            vec![("acct-1".to_owned(), "codex_plugin_used".to_owned())]
        );
        let used_by_1 = EventFilter {
            event_type: Some("codex_plugin_installed".to_owned()),
            account: Some("acct-2".to_owned()),
            ..EventFilter::default()
        };
        assert_eq!(
            ids(server.db.events_page(&used_by_1, 0, 100).await.unwrap()),
            vec![("acct-2".to_owned(), "codex_plugin_installed".to_owned())]
        );
        let future = EventFilter {
            since: Some(4_102_444_800),
            ..EventFilter::default()
        };
        assert_eq!(
            server.db.events_page(&future, 0, 100).await.unwrap().len(),
            0
        );
        let past = EventFilter {
            since: Some(1),
            ..EventFilter::default()
        };
        assert_eq!(server.db.events_page(&past, 0, 100).await.unwrap().len(), 4);
    }
);

on_both_backends!(retention_prunes_in_bounded_batches, false, |server| {
    let events: Vec<(String, Value)> = (0..12_000)
        .map(|n| ("codex_plugin_used".to_owned(), json!({"n": n})))
        .collect();
    server.db.insert_events("acct-1", &events).await.unwrap();
    // Nothing is older than a day yet.
    assert_eq!(berth_server::prune_events(&server.db, 1).await.unwrap(), 0);
    // Everything received before a cutoff in the future goes, a bounded batch at a time.
    let cutoff = 4_102_444_800;
    let batches = [
        server.db.prune_events(cutoff).await.unwrap(),
        server.db.prune_events(cutoff).await.unwrap(),
        server.db.prune_events(cutoff).await.unwrap(),
    ];
    assert_eq!(batches, [5_000, 5_000, 2_000]);
    assert!(server.db.events().await.unwrap().is_empty());
});
