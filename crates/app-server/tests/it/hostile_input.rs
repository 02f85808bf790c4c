//! Issue 11 items 14-16: a client that sends a line larger than the message cap, lines the
//! parser cannot read, or closes stdin while a request hangs on a silent service.

use std::io::Write;
use std::net::TcpListener;
use std::time::{Duration, Instant};

use berth_test_support::TestHome;
use pretty_assertions::assert_eq;
use serde_json::json;

use crate::harness::{Server, berth_bin};

/// The peak resident memory of process `pid`, from `/proc`.
fn peak_rss_bytes(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status
        .lines()
        .find(|line| line.starts_with("VmHWM:"))
        .unwrap();
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

/// Issue 11 item 14: a 1 GiB line took 1.06 GB of RSS and kept it. A line over the cap (16
/// MiB by default) is answered -32700 with a null id, the rest of it is discarded as it
/// arrives, and the server goes on serving.
#[test]
fn a_line_over_the_message_cap_is_answered_and_discarded_without_buffering_it() {
    let home = TestHome::new();
    let mut server = Server::spawn(berth_bin(), &home, &[], &[]);
    server.initialize("test_client");
    let chunk = vec![b'x'; 1024 * 1024];
    {
        let stdin = server.stdin();
        stdin
            .write_all(b"{\"id\": 1, \"method\": \"plugin/list\", \"params\": \"")
            .unwrap();
        for _ in 0..96 {
            stdin.write_all(&chunk).unwrap();
        }
    }
    server.send_raw(b"\"}");
    assert_eq!(
        server.answer_without_id(),
        json!({"id": null, "error": {
            "code": -32700,
            "message": "Parse error: message larger than 16777216 bytes (set BERTH_APP_SERVER_MAX_MESSAGE_BYTES to raise it); the rest of the line was discarded"
        }})
    );
    assert_eq!(
        server.call("plugin/list", json!({}))["marketplaces"],
        json!([])
    );
    let peak = peak_rss_bytes(server.pid());
    assert!(
        peak < 64 * 1024 * 1024,
        "peak RSS {peak} bytes after a 96 MiB line"
    );
    assert!(server.shutdown());
}

/// Issue 11 item 15: invalid UTF-8 and nesting deeper than the parser allows got no reply.
#[test]
fn unparseable_lines_are_answered_32700_with_a_null_id() {
    let home = TestHome::new();
    let mut server = Server::spawn(berth_bin(), &home, &[], &[]);
    server.send_raw(b"{\"id\": 1, \"method\": \"plugin/list\xff\"}");
    let error = server.answer_without_id();
    assert_eq!(error["error"]["code"], json!(-32700), "{error}");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Parse error: invalid unicode code point"),
        "{error}"
    );
    server.send_raw(format!("{}{}", "[".repeat(300), "]".repeat(300)).as_bytes());
    let error = server.answer_without_id();
    assert_eq!(
        error,
        json!({"id": null, "error": {"code": -32700, "message": "Parse error: recursion limit exceeded at line 1 column 128"}})
    );
    server.initialize("test_client");
    assert!(server.shutdown());
}

/// Issue 11 item 16: at end of input the server waited for every task, so a request hung on
/// a silent service (here: one that accepts and never answers, for the client's 30 s
/// timeout) kept the process alive. The wait is bounded
/// (`BERTH_APP_SERVER_EOF_WAIT_SECONDS`, set to 1 here).
#[test]
fn end_of_input_waits_a_bounded_time_for_hung_requests() {
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let holder = std::thread::spawn(move || {
        // Accept and hold connections without ever answering.
        let mut held = Vec::new();
        for stream in silent.incoming().take(4) {
            held.push(stream);
        }
        std::thread::sleep(Duration::from_secs(60));
    });
    let home = TestHome::new();
    berth_auth::test_support::write_chatgpt_test_auth(&home.codex_home()).unwrap();
    berth_test_support::write(
        &home.config_path(),
        &format!("chatgpt_base_url = \"http://127.0.0.1:{port}/backend-api\"\n"),
    );
    let mut server = Server::spawn(
        berth_bin(),
        &home,
        &[],
        &[("BERTH_APP_SERVER_EOF_WAIT_SECONDS", "1")],
    );
    server.initialize("test_client");
    server.request(
        "plugin/read",
        json!({"remoteMarketplaceName": "openai-curated-remote", "pluginName": "linear"}),
    );
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    assert!(server.shutdown());
    let waited = started.elapsed();
    assert!(
        waited < Duration::from_secs(15),
        "the server took {waited:?} to exit after EOF"
    );
    drop(holder);
}

/// Issue 11 items 12 and 13 through `plugin/install`: a plugin source that links outside the
/// marketplace is refused (nothing is copied), and a marketplace path that is a FIFO is
/// reported at once instead of hanging the request.
#[test]
fn plugin_install_refuses_linked_sources_and_fifo_marketplaces() {
    let home = TestHome::new();
    let outside = home.root().join("outside");
    berth_test_support::write(
        &outside.join(".codex-plugin/plugin.json"),
        r#"{"name":"evil"}"#,
    );
    berth_test_support::write(&outside.join("id_rsa"), "PRIVATE KEY");
    let market = berth_test_support::MarketplaceFixture::new(home.root().join("market"), "debug")
        .entry(json!({"name": "evil", "source": "./plugins/evil"}));
    std::fs::create_dir_all(market.root().join("plugins")).unwrap();
    std::os::unix::fs::symlink(&outside, market.root().join("plugins/evil")).unwrap();
    let file = market.root().join(".agents/plugins/marketplace.json");
    let mut server = Server::spawn(berth_bin(), &home, &[], &[]);
    server.initialize("test_client");
    let error = server.call_error(
        "plugin/install",
        json!({"marketplacePath": file, "pluginName": "evil"}),
    );
    assert_eq!(error["code"], json!(-32600), "{error}");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("is a symlink; berth never installs a plugin source through a link"),
        "{error}"
    );
    assert!(!home.codex_home().join("plugins/cache/debug/evil").exists());

    let fifo = home.root().join("fifo-marketplace.json");
    berth_test_support::mkfifo(&fifo);
    let error = server.call_error(
        "plugin/install",
        json!({"marketplacePath": fifo, "pluginName": "evil"}),
    );
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("is a FIFO, not a regular file"),
        "{error}"
    );
    assert!(server.shutdown());
}
