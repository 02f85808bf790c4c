//! The debug-only JSONL capture file replaces HTTP; release builds ignore it.

#[cfg(debug_assertions)]
use std::time::Duration;

use berth_analytics::AnalyticsClient;
#[cfg(debug_assertions)]
use berth_analytics::BatchLimits;
use berth_plugin::PluginEventSink as _;
use pretty_assertions::assert_eq;

#[cfg(debug_assertions)]
use crate::harness::body_of;
use crate::harness::{LONG, TestServer, home_with_chatgpt_login, installed, settings};

#[cfg(debug_assertions)]
#[test]
fn capture_file_writes_the_exact_http_body_as_one_line_and_sends_nothing() {
    use std::os::unix::fs::PermissionsExt as _;

    let server = TestServer::ok();
    let (home, _auth) = home_with_chatgpt_login();
    let path = home.path().join("events.jsonl");
    let mut settings = settings(home.path(), &server.base_url());
    settings.capture_file = Some(path.clone());
    let (client, handle) = AnalyticsClient::start(&settings);
    // Created at startup so tools can wait for it.
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "");
    client.record(installed("sample"));
    let report = handle.shutdown_blocking(LONG);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        format!("{}\n", body_of(&[crate::harness::installed_json("sample")]))
    );
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(report.stats.delivered, 1);
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(server.requests().len(), 0);
}

#[cfg(debug_assertions)]
#[test]
fn capture_file_writes_separate_batches_as_separate_lines() {
    let (home, _auth) = home_with_chatgpt_login();
    let path = home.path().join("events.jsonl");
    let mut settings = settings(home.path(), "http://127.0.0.1:9/unused");
    settings.capture_file = Some(path.clone());
    settings.batch = BatchLimits {
        max_events: 2,
        max_bytes: 1024 * 1024,
        max_delay: Duration::from_secs(60),
    };
    let (client, handle) = AnalyticsClient::start(&settings);
    for name in ["a", "b", "c"] {
        client.record(installed(name));
    }
    handle.shutdown_blocking(LONG);
    let json = crate::harness::installed_json;
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        format!(
            "{}\n{}\n",
            body_of(&[json("a"), json("b")]),
            body_of(&[json("c")])
        )
    );
}

#[cfg(debug_assertions)]
#[test]
fn a_capture_write_failure_consumes_the_batch_and_sends_nothing_over_http() {
    let server = TestServer::ok();
    let (home, _auth) = home_with_chatgpt_login();
    let missing = home.path().join("missing");
    let mut settings = settings(home.path(), &server.base_url());
    settings.capture_file = Some(missing.join("events.jsonl"));
    let (client, handle) = AnalyticsClient::start(&settings);
    client.record(installed("sample"));
    let report = handle.shutdown_blocking(LONG);
    assert_eq!((report.stats.delivered, report.stats.failed), (0, 1));
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(server.requests().len(), 0);
    assert!(!missing.exists());
}

#[cfg(debug_assertions)]
#[test]
fn without_a_login_nothing_is_captured() {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("events.jsonl");
    let mut settings = settings(home.path(), "http://127.0.0.1:9/unused");
    settings.capture_file = Some(path.clone());
    let (client, handle) = AnalyticsClient::start(&settings);
    client.record(installed("sample"));
    let report = handle.shutdown_blocking(LONG);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "");
    assert_eq!(report.stats.skipped_without_auth, 1);
}

/// Runs only under `cargo test --release`.
#[cfg(not(debug_assertions))]
#[test]
fn release_builds_ignore_the_capture_file_and_send_over_http() {
    let server = TestServer::ok();
    let (home, _auth) = home_with_chatgpt_login();
    let path = home.path().join("events.jsonl");
    let mut settings = settings(home.path(), &server.base_url());
    settings.capture_file = Some(path.clone());
    let (client, handle) = AnalyticsClient::start(&settings);
    client.record(installed("sample"));
    let report = handle.shutdown_blocking(LONG);
    assert_eq!(report.stats.delivered, 1);
    assert_eq!(server.requests().len(), 1);
    assert!(!path.exists());
}
