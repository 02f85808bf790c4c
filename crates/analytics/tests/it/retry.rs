//! Retries: 429 and 5xx with backoff that honours `Retry-After`, nothing else, bounded.

use std::time::Duration;

use berth_analytics::AnalyticsClient;
use berth_plugin::PluginEventSink as _;
use pretty_assertions::assert_eq;

use crate::harness::{LONG, Reply, TestServer, home_with_chatgpt_login, installed, settings};

#[test]
fn a_503_with_retry_after_is_retried_after_that_many_seconds() {
    let server = TestServer::start(
        vec![Reply::StatusWithRetryAfter(503, 1)],
        Reply::Status(200),
    );
    let (home, _auth) = home_with_chatgpt_login();
    let (client, handle) = AnalyticsClient::start(&settings(home.path(), &server.base_url()));
    client.record(installed("sample"));
    let requests = server.wait_for_requests(2, LONG);
    let report = handle.shutdown_blocking(LONG);
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].body, requests[1].body);
    let gap = requests[1].at - requests[0].at;
    assert!(gap >= Duration::from_secs(1), "retried after {gap:?}");
    assert!(gap < Duration::from_secs(3), "retried after {gap:?}");
    assert_eq!((report.stats.delivered, report.stats.failed), (1, 0));
}

#[test]
fn a_429_is_retried() {
    let server = TestServer::start(vec![Reply::Status(429)], Reply::Status(200));
    let (home, _auth) = home_with_chatgpt_login();
    let (client, handle) = AnalyticsClient::start(&settings(home.path(), &server.base_url()));
    client.record(installed("sample"));
    server.wait_for_requests(2, LONG);
    let report = handle.shutdown_blocking(LONG);
    assert_eq!(server.requests().len(), 2);
    assert_eq!(report.stats.delivered, 1);
}

#[test]
fn a_400_is_not_retried() {
    let server = TestServer::start(vec![Reply::Status(400)], Reply::Status(200));
    let (home, _auth) = home_with_chatgpt_login();
    let (client, handle) = AnalyticsClient::start(&settings(home.path(), &server.base_url()));
    client.record(installed("sample"));
    server.wait_for_requests(1, LONG);
    // Longer than any backoff of the test policy for a first retry.
    std::thread::sleep(Duration::from_millis(300));
    let report = handle.shutdown_blocking(LONG);
    assert_eq!(server.requests().len(), 1);
    assert_eq!((report.stats.delivered, report.stats.failed), (0, 1));
}

#[test]
fn persistent_5xx_gives_up_after_the_attempt_limit() {
    let server = TestServer::start(Vec::new(), Reply::Status(500));
    let (home, _auth) = home_with_chatgpt_login();
    let mut settings = settings(home.path(), &server.base_url());
    settings.retry.max_attempts = 3;
    let (client, handle) = AnalyticsClient::start(&settings);
    client.record(installed("sample"));
    server.wait_for_requests(3, LONG);
    std::thread::sleep(Duration::from_millis(300));
    let report = handle.shutdown_blocking(LONG);
    assert_eq!(server.requests().len(), 3);
    assert_eq!(report.stats.failed, 1);
}

#[test]
fn transport_errors_are_retried_within_the_bound_and_shutdown_still_ends_on_time() {
    // A port nothing listens on: every connect is refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (home, _auth) = home_with_chatgpt_login();
    let mut settings = settings(home.path(), &format!("http://127.0.0.1:{port}/backend-api"));
    settings.retry.max_attempts = 3;
    let (client, handle) = AnalyticsClient::start(&settings);
    client.record(installed("sample"));
    let started = std::time::Instant::now();
    let report = handle.shutdown_blocking(Duration::from_secs(5));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(report.finished);
    assert_eq!(report.stats.failed, 1);
}
