//! The CLI's plugin commands deliver their analytics events to a real HTTP endpoint on
//! loopback (`chatgpt_base_url` from config.toml, `ChatGPT` auth from `auth.json`), honour the
//! opt-outs, and in debug builds write them to the capture file instead of the network.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use berth_test_support::{MarketplaceFixture, TestHome, write};
use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use crate::berth_bin;
use crate::remote::{Serve, wait_for_events};
use crate::smoke_faults::{Fault, FaultProxy};

/// One request the collector received.
#[derive(Debug, Clone)]
struct Received {
    request_line: String,
    headers: Vec<(String, String)>,
    body: Value,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// A minimal HTTP/1.1 collector on 127.0.0.1 that answers 200 to every request.
struct Collector {
    base_url: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Collector {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base_url = format!("http://{}/backend-api", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&received);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                if let Some(request) = serve(stream) {
                    sink.lock().unwrap().push(request);
                }
            }
        });
        Self { base_url, received }
    }

    fn events(&self) -> Vec<Value> {
        self.received
            .lock()
            .unwrap()
            .iter()
            .flat_map(|request| {
                request.body["events"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .collect()
    }
}

fn serve(mut stream: TcpStream) -> Option<Received> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).ok()?;
    let mut headers = Vec::new();
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (key, value) = line.split_once(':')?;
        if key.eq_ignore_ascii_case("content-length") {
            length = value.trim().parse().ok()?;
        }
        headers.push((key.to_owned(), value.trim().to_owned()));
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    stream
        .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{}")
        .ok()?;
    Some(Received {
        request_line: request_line.trim_end().to_owned(),
        headers,
        body: serde_json::from_slice(&body).ok()?,
    })
}

fn setup(collector: &Collector, extra_config: &str) -> TestHome {
    let home = TestHome::new();
    let market = MarketplaceFixture::new(home.root().join("market"), "debug").plugin(
        "sample",
        Some("1.2.0"),
        3,
    );
    berth_auth::test_support::write_chatgpt_test_auth(&home.codex_home()).unwrap();
    write(
        &home.config_path(),
        &format!(
            "chatgpt_base_url = \"{}\"\n{extra_config}\n[marketplaces.debug]\nsource_type = \"local\"\nsource = \"{}\"\n",
            collector.base_url,
            market.root().display()
        ),
    );
    home
}

fn run_lifecycle(home: &TestHome, env: &[(&str, &str)]) {
    for args in [
        ["plugin", "add", "sample@debug"],
        ["plugin", "disable", "sample@debug"],
        ["plugin", "enable", "sample@debug"],
        ["plugin", "remove", "sample@debug"],
    ] {
        let mut command = home.command(berth_bin());
        command.args(args).env_remove("DO_NOT_TRACK");
        for (key, value) in env {
            command.env(key, value);
        }
        let output = command.output().unwrap();
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

fn expected_event(event_type: &str) -> Value {
    json!({
        "event_type": event_type,
        "event_params": {
            "plugin_id": "sample@debug",
            "remote_plugin_id": null,
            "plugin_name": "sample",
            "marketplace_name": "debug",
            "has_skills": true,
            "mcp_server_count": 0,
            "connector_ids": [],
            "product_client_id": "berth_cli",
        }
    })
}

fn expected_lifecycle() -> Vec<Value> {
    [
        "codex_plugin_installed",
        "codex_plugin_disabled",
        "codex_plugin_enabled",
        "codex_plugin_uninstalled",
    ]
    .into_iter()
    .map(expected_event)
    .collect()
}

#[test]
fn plugin_commands_deliver_their_events_to_the_configured_endpoint() {
    let collector = Collector::start();
    let home = setup(&collector, "");
    run_lifecycle(&home, &[]);
    assert_eq!(collector.events(), expected_lifecycle());
    let requests = collector.received.lock().unwrap().clone();
    for request in &requests {
        assert_eq!(
            request.request_line,
            "POST /backend-api/codex/analytics-events/events HTTP/1.1"
        );
        assert!(
            request
                .header("authorization")
                .is_some_and(|value| value.starts_with("Bearer ey")),
            "{request:?}"
        );
        assert_eq!(request.header("chatgpt-account-id"), Some("acct-test"));
        assert_eq!(request.header("originator"), Some("berth_cli"));
        assert_eq!(request.header("content-type"), Some("application/json"));
        assert!(
            request
                .header("user-agent")
                .is_some_and(|agent| agent.starts_with("berth_cli/"))
        );
    }
}

#[test]
fn opting_out_sends_nothing_and_changes_nothing_else() {
    let collector = Collector::start();
    let home = setup(&collector, "[analytics]\nenabled = false\n");
    run_lifecycle(&home, &[]);
    let opted_out = setup(&collector, "");
    run_lifecycle(&opted_out, &[("DO_NOT_TRACK", "1")]);
    assert_eq!(collector.events(), Vec::<Value>::new());
    assert!(
        !home
            .codex_home()
            .join("plugins/cache/debug/sample")
            .exists()
    );
}

#[cfg(debug_assertions)]
#[test]
fn debug_builds_write_events_to_the_capture_file_instead_of_the_network() {
    let collector = Collector::start();
    let home = setup(&collector, "");
    let capture = home.root().join("events.jsonl");
    run_lifecycle(
        &home,
        &[(
            "CODEX_ANALYTICS_EVENTS_CAPTURE_FILE",
            capture.to_str().unwrap(),
        )],
    );
    assert_eq!(collector.events(), Vec::<Value>::new());
    let captured: Vec<Value> = std::fs::read_to_string(&capture)
        .unwrap()
        .lines()
        .flat_map(|line| {
            serde_json::from_str::<Value>(line).unwrap()["events"]
                .as_array()
                .cloned()
                .unwrap()
        })
        .collect();
    assert_eq!(captured, expected_lifecycle());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&capture).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}

/// Issue 15 item 2: with the endpoint down for ten commands, each command still ends within
/// the exit bound and leaves its batch in the outbox. Then the endpoint comes back through a
/// proxy that first loses the answers after `berth serve` stored the batches, then hangs,
/// then lets everything through: the following commands deliver the outbox in the
/// background, and `berth serve` stores every event exactly once (it keeps each batch's
/// `Idempotency-Key`).
#[test]
fn r15_2_an_endpoint_down_for_ten_commands_then_back_stores_every_event_exactly_once() {
    let serve = Serve::start();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let home = TestHome::new();
    let market = MarketplaceFixture::new(home.root().join("market"), "debug").plugin(
        "sample",
        Some("1.2.0"),
        3,
    );
    berth_auth::test_support::write_chatgpt_test_auth(&home.codex_home()).unwrap();
    write(
        &home.config_path(),
        &format!(
            "chatgpt_base_url = \"http://127.0.0.1:{port}/backend-api\"\n[marketplaces.debug]\nsource_type = \"local\"\nsource = \"{}\"\n",
            market.root().display()
        ),
    );
    let outbox = home.codex_home().join(berth_analytics::OUTBOX_DIR);
    let pending = || {
        std::fs::read_dir(&outbox).map_or(0, |entries| {
            entries
                .flatten()
                .filter(|entry| entry.file_name().to_string_lossy().ends_with(".batch"))
                .count()
        })
    };
    let mut expected = Vec::new();
    let mut enabled = true;
    let command = |args: &[&str]| {
        let started = Instant::now();
        let output = home.command(berth_bin()).args(args).output().unwrap();
        let took = started.elapsed();
        assert!(output.status.success(), "{args:?}: {output:?}");
        // No warning about the endpoint: delivery failures are debug lines.
        assert_eq!(String::from_utf8_lossy(&output.stderr), "", "{args:?}");
        // The exit bound is ~150 ms; the old pipeline waited 2.4-3 s here.
        assert!(took < Duration::from_secs(2), "{args:?} took {took:?}");
    };
    let mut toggle = |expected: &mut Vec<&str>| {
        let (verb, event) = if enabled {
            ("disable", "codex_plugin_disabled")
        } else {
            ("enable", "codex_plugin_enabled")
        };
        enabled = !enabled;
        command(&["plugin", verb, "sample@debug"]);
        expected.push(event);
    };

    // Nothing listens on the port.
    command(&["plugin", "add", "sample@debug"]);
    expected.push("codex_plugin_installed");
    for _ in 0..9 {
        toggle(&mut expected);
    }
    assert_eq!(pending(), 10);

    // Back, but every answer is lost after the service stored the batch.
    let proxy = FaultProxy::start_at(port, &serve.api_url, Fault::LoseAnalyticsAnswer);
    toggle(&mut expected);
    // Then hung.
    proxy.set(Fault::HangAnalytics);
    toggle(&mut expected);
    // Then healthy: the next commands deliver what waits, in the background.
    proxy.set(Fault::None);
    for _ in 0..20 {
        if pending() == 0 {
            break;
        }
        toggle(&mut expected);
    }
    assert_eq!(pending(), 0, "the outbox was not delivered");

    let stored = wait_for_events(&serve, expected.len());
    let mut stored: Vec<String> = stored
        .into_iter()
        .map(|(kind, params)| {
            assert_eq!(params["plugin_id"], "sample@debug");
            kind
        })
        .collect();
    let mut expected: Vec<String> = expected.into_iter().map(str::to_owned).collect();
    stored.sort();
    expected.sort();
    assert_eq!(stored, expected);
}
