//! The outbox (issue 15 item 2): with the endpoint down, each short-lived client leaves its
//! batch in the outbox and stops within its deadline; the next client sending to the endpoint
//! delivers them, each under the `Idempotency-Key` it was stored with; a retried request
//! carries the same key; a refused batch is removed; another account's batches are left alone.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failed step is a failed test"
)]

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use berth_analytics::{
    AnalyticsClient, AnalyticsSettings, OUTBOX_DIR, OutboxDropped, OutboxLimits, outbox_dropped,
};
use berth_plugin::PluginEventSink as _;
use pretty_assertions::assert_eq;

use crate::harness::{
    LONG, Reply, TestServer, body_of, home_with_chatgpt_login, installed, installed_json, settings,
};

/// What the CLI waits at exit.
const EXIT_BOUND: Duration = Duration::from_millis(130);

/// Settings like the CLI's: one try per batch, the outbox on.
fn cli_settings(home: &Path, base_url: &str) -> AnalyticsSettings {
    let mut settings = settings(home, base_url);
    settings.retry.max_attempts = 1;
    settings.outbox = Some(OutboxLimits::default());
    settings
}

fn batch_files(home: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(home.join(OUTBOX_DIR))
        .map(|entries| {
            entries
                .flatten()
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .filter(|name| {
                    Path::new(name)
                        .extension()
                        .is_some_and(|ext| ext == "batch")
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// A port nothing listens on (yet).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn base_url(port: u16) -> String {
    format!("http://127.0.0.1:{port}/backend-api")
}

#[test]
fn batches_wait_in_the_outbox_while_the_endpoint_is_down_and_the_next_client_delivers_them() {
    let (home, _auth) = home_with_chatgpt_login();
    let port = free_port();
    for name in ["one", "two", "three"] {
        let (client, handle) = AnalyticsClient::start(&cli_settings(home.path(), &base_url(port)));
        client.record(installed(name));
        let started = Instant::now();
        let report = handle.shutdown_blocking(EXIT_BOUND);
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{:?}",
            started.elapsed()
        );
        assert!(report.finished);
        assert_eq!(
            (
                report.stats.deferred,
                report.stats.failed,
                report.stats.lost_at_shutdown
            ),
            (1, 0, 0)
        );
    }
    let stored = batch_files(home.path());
    assert_eq!(stored.len(), 3);
    #[cfg(unix)]
    for name in &stored {
        use std::os::unix::fs::PermissionsExt as _;
        let path = home.path().join(OUTBOX_DIR).join(name);
        assert_eq!(
            std::fs::metadata(path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    // The endpoint comes back; the next client delivers the outbox beside its own batch.
    let server = TestServer::start_at(port, Vec::new(), Reply::Status(200));
    let (client, handle) = AnalyticsClient::start(&cli_settings(home.path(), &base_url(port)));
    client.record(installed("four"));
    let report = handle.shutdown_blocking(LONG);
    let requests = server.wait_for_requests(4, LONG);
    let mut bodies: Vec<String> = requests
        .iter()
        .map(|request| request.body.clone())
        .collect();
    bodies.sort();
    let mut expected: Vec<String> = ["one", "two", "three", "four"]
        .map(|name| body_of(&[installed_json(name)]))
        .to_vec();
    expected.sort();
    assert_eq!(bodies, expected);
    let keys: BTreeSet<String> = requests
        .iter()
        .map(|request| request.headers["idempotency-key"].clone())
        .collect();
    assert_eq!(keys.len(), 4, "every batch has its own key");
    let stored_keys: BTreeSet<String> = stored
        .iter()
        .map(|name| {
            name.trim_end_matches(".batch")
                .split_once('-')
                .unwrap()
                .1
                .to_owned()
        })
        .collect();
    assert!(
        stored_keys.is_subset(&keys),
        "{stored_keys:?} not in {keys:?}"
    );
    assert_eq!(
        (report.stats.delivered, report.stats.outbox_delivered),
        (1, 3)
    );
    assert_eq!(batch_files(home.path()), Vec::<String>::new());
}

#[test]
fn a_retried_batch_keeps_its_idempotency_key_and_a_refused_one_leaves_the_outbox() {
    let server = TestServer::start(vec![Reply::Status(503)], Reply::Status(200));
    let (home, _auth) = home_with_chatgpt_login();
    let mut settings = cli_settings(home.path(), &server.base_url());
    settings.retry.max_attempts = 2;
    let (client, handle) = AnalyticsClient::start(&settings);
    client.record(installed("sample"));
    let requests = server.wait_for_requests(2, LONG);
    handle.shutdown_blocking(LONG);
    assert_eq!(
        requests[0].headers["idempotency-key"],
        requests[1].headers["idempotency-key"]
    );
    assert!(uuid_v4(&requests[0].headers["idempotency-key"]));
    assert_eq!(batch_files(home.path()), Vec::<String>::new());

    let refusing = TestServer::start(Vec::new(), Reply::Status(400));
    let (client, handle) = AnalyticsClient::start(&cli_settings(home.path(), &refusing.base_url()));
    client.record(installed("sample"));
    let report = handle.shutdown_blocking(LONG);
    assert_eq!((report.stats.failed, report.stats.deferred), (1, 0));
    assert_eq!(batch_files(home.path()), Vec::<String>::new());
}

fn uuid_v4(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.iter().map(|part| part.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
        && parts[2].starts_with('4')
        && text.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
}

#[test]
fn a_hung_endpoint_costs_the_exit_bound_and_keeps_the_batch() {
    let server = TestServer::start(Vec::new(), Reply::Hang);
    let (home, _auth) = home_with_chatgpt_login();
    let (client, handle) = AnalyticsClient::start(&cli_settings(home.path(), &server.base_url()));
    client.record(installed("sample"));
    let started = Instant::now();
    let report = handle.shutdown_blocking(EXIT_BOUND);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        (report.stats.deferred, report.stats.lost_at_shutdown),
        (1, 0)
    );
    assert_eq!(batch_files(home.path()).len(), 1);
}

#[test]
fn the_outbox_bound_drops_the_oldest_batch_and_counts_it() {
    let (home, _auth) = home_with_chatgpt_login();
    let down = base_url(free_port());
    for name in ["one", "two", "three"] {
        let mut settings = cli_settings(home.path(), &down);
        settings.outbox = Some(OutboxLimits {
            max_batches: 2,
            ..OutboxLimits::default()
        });
        let (client, handle) = AnalyticsClient::start(&settings);
        client.record(installed(name));
        handle.shutdown_blocking(EXIT_BOUND);
        std::thread::sleep(Duration::from_millis(2));
    }
    assert_eq!(batch_files(home.path()).len(), 2);
    assert_eq!(
        outbox_dropped(home.path()),
        OutboxDropped {
            batches: 1,
            events: 1
        }
    );
}

#[test]
fn another_accounts_batches_are_left_for_that_account() {
    let (home, _auth) = home_with_chatgpt_login();
    let port = free_port();
    let (client, handle) = AnalyticsClient::start(&cli_settings(home.path(), &base_url(port)));
    client.record(installed("theirs"));
    handle.shutdown_blocking(EXIT_BOUND);
    let server = TestServer::start_at(port, Vec::new(), Reply::Status(200));
    for name in batch_files(home.path()) {
        let path = home.path().join(OUTBOX_DIR).join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        berth_fs::write_atomic(
            &path,
            text.replacen("acct-test", "acct-other", 1).as_bytes(),
        )
        .unwrap();
    }
    let (client, handle) = AnalyticsClient::start(&cli_settings(home.path(), &base_url(port)));
    client.record(installed("mine"));
    handle.shutdown_blocking(LONG);
    let bodies: Vec<String> = server.requests().into_iter().map(|r| r.body).collect();
    assert_eq!(bodies, vec![body_of(&[installed_json("mine")])]);
    assert_eq!(batch_files(home.path()).len(), 1);
}
