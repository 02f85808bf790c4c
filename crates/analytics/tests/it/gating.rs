//! Opt-out and auth gating: nothing leaves without consent and a `ChatGPT` login.

use std::time::Duration;

use berth_analytics::AnalyticsClient;
use berth_plugin::PluginEventSink as _;
use pretty_assertions::assert_eq;

use crate::harness::{LONG, TestServer, home_with_chatgpt_login, installed, settings};

#[test]
fn analytics_enabled_false_yields_a_disabled_client_that_sends_nothing() {
    let server = TestServer::ok();
    let (home, _auth) = home_with_chatgpt_login();
    let mut settings = settings(home.path(), &server.base_url());
    settings.enabled = Some(false);
    settings.capture_file = Some(home.path().join("events.jsonl"));
    let (client, handle) = AnalyticsClient::start(&settings);
    assert!(!client.is_enabled());
    client.record(installed("sample"));
    let report = handle.shutdown_blocking(LONG);
    assert!(report.finished);
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(server.requests().len(), 0);
    assert!(!home.path().join("events.jsonl").exists());
}

#[test]
fn do_not_track_yields_a_disabled_client_that_sends_nothing() {
    let server = TestServer::ok();
    let (home, _auth) = home_with_chatgpt_login();
    let mut settings = settings(home.path(), &server.base_url());
    settings.enabled = Some(true);
    settings.do_not_track = true;
    let (client, handle) = AnalyticsClient::start(&settings);
    assert!(!client.is_enabled());
    client.record(installed("sample"));
    handle.shutdown_blocking(LONG);
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(server.requests().len(), 0);
}

#[test]
fn without_a_login_nothing_is_sent() {
    let server = TestServer::ok();
    let home = tempfile::tempdir().unwrap();
    let (client, handle) = AnalyticsClient::start(&settings(home.path(), &server.base_url()));
    assert!(client.is_enabled());
    client.record(installed("sample"));
    let report = handle.shutdown_blocking(LONG);
    assert_eq!(server.requests().len(), 0);
    assert_eq!(report.stats.skipped_without_auth, 1);
}

#[test]
fn api_key_auth_sends_nothing() {
    let server = TestServer::ok();
    let home = tempfile::tempdir().unwrap();
    berth_auth::test_support::write_api_key_test_auth(home.path(), "sk-test").unwrap();
    let (client, handle) = AnalyticsClient::start(&settings(home.path(), &server.base_url()));
    client.record(installed("sample"));
    let report = handle.shutdown_blocking(LONG);
    assert_eq!(server.requests().len(), 0);
    assert_eq!(report.stats.skipped_without_auth, 1);
}

#[test]
fn the_login_is_read_when_sending_so_a_later_login_is_used() {
    let server = TestServer::ok();
    let home = tempfile::tempdir().unwrap();
    let (client, handle) = AnalyticsClient::start(&settings(home.path(), &server.base_url()));
    let auth = berth_auth::test_support::write_chatgpt_test_auth(home.path()).unwrap();
    client.record(installed("sample"));
    handle.shutdown_blocking(LONG);
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].headers["authorization"],
        format!("Bearer {}", auth.access_token)
    );
}
