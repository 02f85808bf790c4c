//! Operating a real `berth serve` process: what it prints at start (the database with its
//! password hidden, where bundles live, a warning for plain http off loopback), its request log
//! (method, path, status, latency, account; never a token), SIGTERM (the request in flight
//! completes, new connections are refused, the process exits 0 within the grace period, also
//! when a client never finishes), and `berth serve gc` as a user sees it; what a killed
//! `berth publish` or a server killed during an upload leaves is swept by gc and by the next
//! start (issue 11 D).

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, ChildStderr, Command, Output, Stdio};
use std::time::{Duration, Instant};

use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use crate::berth_bin;
use crate::remote::plugin_source;

/// `berth <args> --data-dir <data_dir>`, which must succeed; returns stdout.
fn admin(data_dir: &Path, args: &[&str]) -> String {
    let output = Command::new(berth_bin())
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    assert!(output.status.success(), "{args:?}: {output:?}");
    String::from_utf8(output.stdout).unwrap()
}

/// A `berth serve` child with its first stdout lines read and stderr kept for the log.
struct Served {
    child: Child,
    startup: Vec<String>,
    address: String,
    stderr: Option<ChildStderr>,
}

impl Served {
    /// Starts `berth serve --data-dir <data_dir> <args>` and reads its three startup lines.
    fn start(data_dir: &Path, args: &[&str]) -> Self {
        let mut child = Command::new(berth_bin())
            .arg("serve")
            .arg("--data-dir")
            .arg(data_dir)
            .args(args)
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let startup: Vec<String> = (0..3)
            .map(|_| {
                let mut line = String::new();
                stdout.read_line(&mut line).unwrap();
                line.trim_end().to_owned()
            })
            .collect();
        let address = startup[0]
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .unwrap_or_else(|| panic!("unexpected banner {startup:?}"))
            .to_owned();
        let stderr = child.stderr.take();
        Self {
            child,
            startup,
            address,
            stderr,
        }
    }

    fn pid(&self) -> String {
        self.child.id().to_string()
    }

    /// Sends SIGTERM.
    fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.pid()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for the process to exit, at most `limit`; returns its exit code and how long it
    /// took.
    fn wait_exit(&mut self, limit: Duration) -> (Option<i32>, Duration) {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return (status.code(), started.elapsed());
            }
            if started.elapsed() > limit {
                self.child.kill().unwrap();
                panic!("berth serve was still running {limit:?} after SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Everything it wrote to stderr (after it exited).
    fn stderr(&mut self) -> String {
        let mut text = String::new();
        self.stderr
            .take()
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 request on a new connection; returns the status and body.
fn request(address: &str, head: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(address).unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    read_response(&mut stream)
}

fn read_response(stream: &mut TcpStream) -> (u16, String) {
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP response: {text:?}"));
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn serve_says_what_it_uses_and_logs_requests_without_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("serve");
    admin(&data_dir, &["serve", "account", "add", "acct-1"]);
    let token = admin(&data_dir, &["serve", "token", "add", "acct-1"])
        .trim()
        .to_owned();
    let mut served = Served::start(&data_dir, &["--bind", "127.0.0.1:0"]);
    let data = data_dir.display().to_string();
    insta::assert_snapshot!(
        served
            .startup
            .join("\n")
            .replace(&served.address, "[ADDR]")
            .replace(&data, "[DATA]"),
        @r"
    berth serve listening on http://[ADDR] (API base URL: http://[ADDR]/backend-api)
    database: sqlite://[DATA]/berth.db?mode=rwc
    bundles: the folder `[DATA]/bundles`
    "
    );
    let (status, _) = request(
        &served.address,
        &format!(
            "GET /backend-api/ps/plugins/list?scope=GLOBAL HTTP/1.1\r\nhost: x\r\n\
             authorization: Bearer {token}\r\nconnection: close\r\n\r\n"
        ),
    );
    assert_eq!(status, 200);
    let (status, _) = request(
        &served.address,
        &format!(
            "GET /backend-api/ps/plugins/list HTTP/1.1\r\nhost: x\r\n\
             authorization: Bearer {token}x\r\nconnection: close\r\n\r\n"
        ),
    );
    assert_eq!(status, 401);
    served.terminate();
    assert_eq!(served.wait_exit(Duration::from_secs(10)).0, Some(0));
    let log = served.stderr();
    let lines: Vec<&str> = log
        .lines()
        .filter(|line| line.contains("method="))
        .collect();
    assert_eq!(lines.len(), 2, "{log}");
    for (line, status, account) in [(lines[0], 200, "\"acct-1\""), (lines[1], 401, "\"-\"")] {
        for field in [
            "method=\"GET\"".to_owned(),
            "path=\"/backend-api/ps/plugins/list\"".to_owned(),
            format!("status={status}"),
            "latency_ms=".to_owned(),
            format!("account={account}"),
        ] {
            assert!(line.contains(&field), "no {field} in {line}");
        }
        assert!(line.contains(" INFO "), "{line}");
        assert!(line.starts_with("20"), "no time in {line}");
    }
    assert!(!log.contains(&token), "the token was logged:\n{log}");
    assert!(
        !log.contains("scope=GLOBAL"),
        "a query string was logged:\n{log}"
    );
    assert!(
        !log.contains('\u{1b}'),
        "colours in a log that is not a terminal"
    );
}

#[test]
fn serve_warns_when_plain_http_leaves_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let mut served = Served::start(&dir.path().join("serve"), &["--bind", "0.0.0.0:0"]);
    served.terminate();
    served.wait_exit(Duration::from_secs(10));
    let port = served.address.rsplit(':').next().unwrap().to_owned();
    let warning = served
        .stderr()
        .lines()
        .find(|line| line.starts_with("warning:"))
        .unwrap_or_default()
        .replace(&port, "[PORT]");
    insta::assert_snapshot!(warning, @"warning: serving plain http on 0.0.0.0:[PORT], reachable from other machines: tokens and bundles cross the network unencrypted; pass --tls-cert and --tls-key, or keep this address behind a TLS-terminating proxy");
}

#[test]
fn serve_on_postgres_hides_the_password_and_keeps_bundles_in_the_database() {
    let Some(url) = crate::serve_postgres::postgres_url() else {
        return;
    };
    let database = crate::serve_postgres::fresh_database(&url, "berth_serve_ops");
    let dir = tempfile::tempdir().unwrap();
    let mut served = Served::start(
        &dir.path().join("serve"),
        &["--bind", "127.0.0.1:0", "--database-url", &database],
    );
    let password_free = served.startup[1..].join("\n");
    served.terminate();
    served.wait_exit(Duration::from_secs(10));
    let name = database.rsplit('/').next().unwrap();
    insta::assert_snapshot!(password_free.replace(name, "[DB]"), @r"
    database: postgres://berth:***@127.0.0.1:5432/[DB]
    bundles: the PostgreSQL database, in chunks of 256 KiB
    ");
}

/// Starts a production server with an account and token; returns it and the token.
fn production_server(data_dir: &Path) -> (Served, String) {
    admin(data_dir, &["serve", "account", "add", "acct-1"]);
    let token = admin(data_dir, &["serve", "token", "add", "acct-1"])
        .trim()
        .to_owned();
    (Served::start(data_dir, &["--bind", "127.0.0.1:0"]), token)
}

/// Sends the headers and the first half of an analytics post of two events; returns the
/// connection and the rest of the body.
fn start_slow_post(address: &str, token: &str) -> (TcpStream, Vec<u8>) {
    let body = json!({"events": [
        {"event_type": "codex_plugin_used", "event_params": {"n": 1}},
        {"event_type": "codex_plugin_used", "event_params": {"n": 2}},
    ]})
    .to_string()
    .into_bytes();
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .write_all(
            format!(
                "POST /backend-api/codex/analytics-events/events HTTP/1.1\r\nhost: x\r\n\
                 authorization: Bearer {token}\r\ncontent-type: application/json\r\n\
                 content-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            )
            .as_bytes(),
        )
        .unwrap();
    let half = body.len() / 2;
    stream.write_all(&body[..half]).unwrap();
    (stream, body[half..].to_vec())
}

#[test]
fn sigterm_finishes_the_request_in_flight_and_refuses_new_connections() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("serve");
    let (mut served, token) = production_server(&data_dir);
    let (mut in_flight, rest) = start_slow_post(&served.address, &token);
    // Let the server read the headers and start on the body.
    std::thread::sleep(Duration::from_millis(300));
    served.terminate();
    std::thread::sleep(Duration::from_millis(500));
    let refused = TcpStream::connect(&served.address);
    assert!(
        refused.is_err(),
        "a new connection was accepted after SIGTERM"
    );
    assert!(
        served.child.try_wait().unwrap().is_none(),
        "the server exited with a request in flight"
    );
    in_flight.write_all(&rest).unwrap();
    let (status, body) = read_response(&mut in_flight);
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({"accepted": 2})
    );
    assert_eq!(served.wait_exit(Duration::from_secs(10)).0, Some(0));

    let events: Value =
        serde_json::from_str(&admin(&data_dir, &["serve", "events", "--json"])).unwrap();
    assert_eq!(events.as_array().unwrap().len(), 2, "{events}");
}

#[test]
fn sigterm_stops_within_the_grace_period_when_a_client_never_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let (mut served, token) = production_server(&dir.path().join("serve"));
    let (_stalled, _) = start_slow_post(&served.address, &token);
    std::thread::sleep(Duration::from_millis(300));
    served.terminate();
    let (code, took) = served.wait_exit(Duration::from_secs(15));
    assert_eq!(code, Some(0));
    // The grace period is 5 s; the request timeout (30 s) must not hold the stop.
    assert!(
        took < Duration::from_secs(9),
        "stopping took {took:?} with a stalled client"
    );
}

/// Publishes `source` into `data_dir` with `berth publish`; returns the bundle digest.
fn publish(data_dir: &Path, source: &Path) -> String {
    let output = Command::new(berth_bin())
        .arg("publish")
        .arg(source)
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--json")
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let item: Value = serde_json::from_slice(&output.stdout).unwrap();
    let item = item.get("item").unwrap_or(&item);
    item["release"]["bundle_sha256"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn transcript(data_dir: &Path, args: &[&str], output: &Output, digests: &[&str]) -> String {
    let data = data_dir.display().to_string();
    let clean = |bytes: &[u8]| {
        let mut text = String::from_utf8_lossy(bytes).replace(&data, "[DATA]");
        for (index, digest) in digests.iter().enumerate() {
            text = text.replace(digest, &format!("[SHA{index}]"));
        }
        text
    };
    format!(
        "$ berth {} --data-dir [DATA]\nexit: {}\n--- stdout\n{}--- stderr\n{}",
        args.join(" "),
        output.status.code().unwrap_or(-1),
        clean(&output.stdout),
        clean(&output.stderr)
    )
}

/// Makes the plugin's bundle big enough that publishing it takes a while.
#[expect(clippy::disallowed_methods, reason = "test fixture")]
fn add_payload(source: &Path, bytes: usize) {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let payload: Vec<u8> = (0..bytes)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect();
    std::fs::write(source.join("payload.bin"), payload).unwrap();
}

/// Kills a `berth publish` of `source` while it writes its staged upload into `bundles`;
/// returns the leftover it left.
fn kill_publish_while_staging(data_dir: &Path, source: &Path) -> Option<std::path::PathBuf> {
    let bundles = data_dir.join("bundles");
    let mut publish = Command::new(berth_bin())
        .arg("publish")
        .arg(source)
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    let leftover = loop {
        let staged = std::fs::read_dir(&bundles).ok().and_then(|entries| {
            entries
                .map(|entry| entry.unwrap().path())
                .find(|path| path.to_string_lossy().contains(".berth-upload-"))
        });
        if let Some(staged) = staged {
            break staged;
        }
        if publish.try_wait().unwrap().is_some() {
            // It finished before it could be caught staging (a busy machine).
            return None;
        }
        assert!(Instant::now() < deadline, "berth publish never staged");
        std::thread::sleep(Duration::from_millis(2));
    };
    publish.kill().unwrap();
    publish.wait().unwrap();
    // The publish may have moved its file into place between the look and the kill.
    leftover.exists().then_some(leftover)
}

/// Puts a bundle no release references into the bundle folder, as a replaced release left it
/// before releases were kept; returns its digest.
#[expect(clippy::disallowed_methods, reason = "test fixture")]
fn leave_unreferenced_bundle(data_dir: &Path) -> String {
    let bytes = b"an old bundle nobody references".repeat(100);
    let output = Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            child.stdin.take().unwrap().write_all(&bytes)?;
            child.wait_with_output()
        })
        .unwrap();
    let sha = String::from_utf8(output.stdout).unwrap()[..64].to_owned();
    std::fs::write(data_dir.join(format!("bundles/{sha}.tar.gz")), bytes).unwrap();
    sha
}

#[test]
fn gc_removes_unreferenced_bundles_and_what_a_killed_publish_left() {
    let dir = tempfile::tempdir().unwrap();
    let big = plugin_source(&dir.path().join("big"), "big", "1.0.0", "Large.");
    add_payload(&big, 8 * 1024 * 1024);
    // A kill that lands after the publish finished staging proves nothing: start again on a
    // fresh data folder.
    let (data_dir, old, current, leftover) = (0..5)
        .find_map(|attempt| {
            let data_dir = dir.path().join(format!("serve-{attempt}"));
            let old = publish(
                &data_dir,
                &plugin_source(&dir.path().join("v1"), "linear", "1.0.0", "Say hello."),
            );
            let current = publish(
                &data_dir,
                &plugin_source(
                    &dir.path().join("v2"),
                    "linear",
                    "2.0.0",
                    "Say hello again.",
                ),
            );
            kill_publish_while_staging(&data_dir, &big)
                .map(|leftover| (data_dir, old, current, leftover))
        })
        .expect("berth publish was never killed while staging in five attempts");
    let unreferenced = leave_unreferenced_bundle(&data_dir);

    let mut log = Vec::new();
    for args in [
        &["serve", "gc", "--dry-run"][..],
        &["serve", "gc", "--min-age", "0"],
        &["serve", "gc", "--min-age", "0"],
    ] {
        let output = Command::new(berth_bin())
            .args(args)
            .arg("--data-dir")
            .arg(&data_dir)
            .env_remove("RUST_LOG")
            .output()
            .unwrap();
        log.push(transcript(
            &data_dir,
            args,
            &output,
            &[&old, &current, &unreferenced],
        ));
    }
    // Sizes depend on the packer and on when the publish was killed.
    insta::with_settings!({filters => vec![(r"\d+(\.\d+)? (B|KiB|MiB|GiB)", "[SIZE]")]}, {
        insta::assert_snapshot!(log.join("\n"));
    });
    assert!(
        !leftover.exists(),
        "the killed publish's leftover is still there"
    );
    let mut names: Vec<String> = std::fs::read_dir(data_dir.join("bundles"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    // Both releases stay in the history, so both bundles stay.
    let mut expected = vec![format!("{old}.tar.gz"), format!("{current}.tar.gz")];
    expected.sort();
    assert_eq!(names, expected);
}

#[test]
fn a_server_killed_during_an_upload_leaves_nothing_once_it_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("serve");
    let mut served = Served::start(&data_dir, &["--dev", "--bind", "127.0.0.1:0"]);
    let token = berth_auth::test_support::unsigned_jwt(&json!({
        "exp": 4_102_444_800_u64,
        "https://api.openai.com/auth": {"chatgpt_account_id": "author"},
    }));
    let mut upload = TcpStream::connect(&served.address).unwrap();
    upload
        .write_all(
            format!(
                "POST /berth/v1/plugins HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {token}\r\n\
                 content-type: application/gzip\r\ncontent-length: {}\r\n\r\n",
                8 * 1024 * 1024
            )
            .as_bytes(),
        )
        .unwrap();
    upload.write_all(&vec![0x1f; 1024 * 1024]).unwrap();
    let bundles = data_dir.join("bundles");
    let deadline = Instant::now() + Duration::from_secs(20);
    let staged = loop {
        let found = std::fs::read_dir(&bundles).ok().and_then(|entries| {
            entries
                .map(|entry| entry.unwrap().path())
                .find(|path| path.to_string_lossy().contains(".berth-upload-"))
        });
        if let Some(path) = found
            && std::fs::metadata(&path).is_ok_and(|meta| meta.len() > 0)
        {
            break path;
        }
        assert!(Instant::now() < deadline, "the upload was never staged");
        std::thread::sleep(Duration::from_millis(10));
    };
    served.child.kill().unwrap();
    served.child.wait().unwrap();
    drop(upload);
    assert!(
        staged.exists(),
        "a killed server's upload should still be on disk"
    );

    let report: Value =
        serde_json::from_str(&admin(&data_dir, &["serve", "gc", "--dry-run", "--json"])).unwrap();
    assert_eq!(report["referenced"], 0, "{report}");
    assert_eq!(
        report["stores"][0]["leftovers"][0]["path"],
        staged.to_string_lossy().as_ref(),
        "{report}"
    );

    // A restart sweeps it: its writer is gone.
    let mut restarted = Served::start(&data_dir, &["--dev", "--bind", "127.0.0.1:0"]);
    assert!(
        !staged.exists(),
        "the restarted server left the killed upload"
    );
    restarted.terminate();
    assert_eq!(restarted.wait_exit(Duration::from_secs(10)).0, Some(0));
}
