//! Headers, body and batching of HTTP delivery, from sync and async callers.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use berth_analytics::{AnalyticsClient, BatchLimits};
use berth_plugin::PluginEventSink as _;
use pretty_assertions::assert_eq;
use serde_json::json;

use crate::harness::{
    LONG, TestServer, body_of, home_with_chatgpt_login, installed, installed_json, settings,
};

#[test]
fn a_sync_caller_sends_one_post_with_the_exact_headers_and_body() {
    let server = TestServer::ok();
    let (home, auth) = home_with_chatgpt_login();
    let (client, handle) = AnalyticsClient::start(&settings(home.path(), &server.base_url()));
    client.record(installed("sample"));
    let report = handle.shutdown_blocking(LONG);
    assert!(report.finished);

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/backend-api/codex/analytics-events/events");
    let headers: BTreeMap<&str, &str> = [
        "authorization",
        "chatgpt-account-id",
        "content-type",
        "originator",
        "user-agent",
    ]
    .into_iter()
    .map(|name| {
        (
            name,
            request
                .headers
                .get(name)
                .map_or("<missing>", String::as_str),
        )
    })
    .collect();
    let bearer = format!("Bearer {}", auth.access_token);
    assert_eq!(
        headers,
        BTreeMap::from([
            ("authorization", bearer.as_str()),
            ("chatgpt-account-id", "acct-test"),
            ("content-type", "application/json"),
            ("originator", "codex_cli_rs"),
            ("user-agent", "berth-test/0.1.0"),
        ])
    );
    assert_eq!(request.body, body_of(&[installed_json("sample")]));
    assert_eq!(report.stats.delivered, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_async_caller_sends_raw_events_verbatim_after_the_batch_delay() {
    let server = TestServer::ok();
    let (home, _auth) = home_with_chatgpt_login();
    let (client, handle) = AnalyticsClient::start(&settings(home.path(), &server.base_url()));
    client.track_raw_event(
        json!({"event_type": "codex_turn_event", "event_params": {"b": 1, "a": null}}),
    );
    // No shutdown yet: the 20 ms batch delay alone must send it.
    let requests = tokio::task::spawn_blocking(move || {
        let requests = server.wait_for_requests(1, LONG);
        (server, requests)
    })
    .await
    .unwrap()
    .1;
    assert_eq!(
        requests.iter().map(|r| r.body.as_str()).collect::<Vec<_>>(),
        vec![r#"{"events":[{"event_type":"codex_turn_event","event_params":{"b":1,"a":null}}]}"#]
    );
    let report = handle.shutdown(LONG).await;
    assert!(report.finished);
}

#[test]
fn batches_split_at_the_event_count() {
    let server = TestServer::ok();
    let (home, _auth) = home_with_chatgpt_login();
    let mut settings = settings(home.path(), &server.base_url());
    settings.batch = BatchLimits {
        max_events: 3,
        max_bytes: 1024 * 1024,
        max_delay: Duration::from_secs(60),
    };
    let (client, handle) = AnalyticsClient::start(&settings);
    let names: Vec<String> = (0..7).map(|n| format!("p{n}")).collect();
    for name in &names {
        client.record(installed(name));
    }
    // Two full batches go out without waiting for the delay; the last one at shutdown.
    assert_eq!(server.wait_for_requests(2, LONG).len(), 2);
    handle.shutdown_blocking(LONG);
    let bodies: Vec<String> = server.requests().into_iter().map(|r| r.body).collect();
    let expected: Vec<String> = names
        .chunks(3)
        .map(|chunk| body_of(&chunk.iter().map(|n| installed_json(n)).collect::<Vec<_>>()))
        .collect();
    assert_eq!(bodies, expected);
}

#[test]
fn batches_split_before_the_byte_limit_is_exceeded() {
    let server = TestServer::ok();
    let (home, _auth) = home_with_chatgpt_login();
    let event_len = installed_json("p0").len();
    let mut settings = settings(home.path(), &server.base_url());
    // Room for two events and one byte more, not for three.
    settings.batch = BatchLimits {
        max_events: 100,
        max_bytes: body_of(&[installed_json("p0"), installed_json("p1")]).len() + 1,
        max_delay: Duration::from_secs(60),
    };
    assert!(settings.batch.max_bytes < body_of(&vec![installed_json("p0"); 3]).len());
    assert_eq!(installed_json("p9").len(), event_len);
    let (client, handle) = AnalyticsClient::start(&settings);
    for n in 0..5 {
        client.record(installed(&format!("p{n}")));
    }
    handle.shutdown_blocking(LONG);
    let sizes: Vec<usize> = server
        .requests()
        .iter()
        .map(|r| r.body.matches("codex_plugin_installed").count())
        .collect();
    assert_eq!(sizes, vec![2, 2, 1]);
}

#[test]
fn shutdown_flushes_a_queued_event_at_once_instead_of_waiting_for_the_delay() {
    let server = TestServer::ok();
    let (home, _auth) = home_with_chatgpt_login();
    let mut settings = settings(home.path(), &server.base_url());
    settings.batch.max_delay = Duration::from_secs(60);
    let (client, handle) = AnalyticsClient::start(&settings);
    client.record(installed("sample"));
    let started = Instant::now();
    let report = handle.shutdown_blocking(LONG);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(report.finished);
    assert_eq!(report.stats.delivered, 1);
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn events_offered_after_shutdown_are_dropped_and_counted() {
    let server = TestServer::ok();
    let (home, _auth) = home_with_chatgpt_login();
    let (client, handle) = AnalyticsClient::start(&settings(home.path(), &server.base_url()));
    handle.shutdown_blocking(LONG);
    client.record(installed("late"));
    assert_eq!(client.stats().dropped, 1);
    assert_eq!(server.requests().len(), 0);
}
