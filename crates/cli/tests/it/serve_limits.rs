//! `berth serve` under a connection flood (issue 11, `berth serve` 1): with a file-descriptor
//! limit of 256, 500 idle or partial-header connections, and more arriving all the time, no
//! longer starve real clients. The server caps its connections below the limit, gives the place
//! of the quietest connection to a new client, answers the excess 503 at once, and closes slow
//! connections after the (here shortened) header-read timeout.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::berth_bin;

#[test]
#[expect(
    clippy::disallowed_methods,
    reason = "the server's log file of the test"
)]
fn five_hundred_slow_connections_leave_a_real_client_answered() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("serve");
    let script = "ulimit -n 256; exec \"$0\" serve --bind 127.0.0.1:0 --dev --data-dir \"$1\" \
                  --header-read-timeout 1 --idle-timeout 2";
    let mut child = std::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(berth_bin())
        .arg(&data_dir)
        .env_remove("RUST_LOG")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::fs::File::create(dir.path().join("serve.log")).unwrap())
        .spawn()
        .unwrap();
    let api = crate::remote::read_api_url(&mut child);
    let origin = api.trim_end_matches("/backend-api").to_owned();
    let addr = origin.trim_start_matches("http://").to_owned();

    // The attack: half the connections send nothing, half send a request line and stop.
    let mut slow = Vec::new();
    for index in 0..500 {
        let Ok(mut stream) = TcpStream::connect(&addr) else {
            continue;
        };
        if index % 2 == 1 {
            let _ = stream.write_all(b"GET /backend-api/ps/plugins/list HTTP/1.1\r\nHost: x\r\n");
        }
        slow.push(stream);
    }
    assert!(slow.len() >= 400, "only {} connections opened", slow.len());

    // A real client keeps getting answers: 200, or 503 from load shedding.
    let token = berth_auth::test_support::unsigned_jwt(&json!({
        "exp": 4_102_444_800_i64,
        "https://api.openai.com/auth": {"chatgpt_account_id": "acct-1"}
    }));
    // And more keep coming while the client works: a rolling window of 500 slow connections.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flood = {
        let (stop, addr) = (std::sync::Arc::clone(&stop), addr.clone());
        std::thread::spawn(move || {
            let mut window = std::collections::VecDeque::new();
            let mut opened = 0_u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                if let Ok(mut stream) = TcpStream::connect(&addr) {
                    let _ = stream.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n");
                    window.push_back(stream);
                    opened += 1;
                }
                if window.len() > 500 {
                    window.pop_front();
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            opened
        })
    };
    let mut answered_ok = 0;
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(4) {
        let (status, head) = get(&addr, "/backend-api/ps/plugins/list", &token);
        assert!(status == 200 || status == 503, "answered {status}: {head}");
        if status == 503 {
            assert!(head.to_ascii_lowercase().contains("retry-after:"), "{head}");
        } else {
            answered_ok += 1;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(
        flood.join().unwrap() > 300,
        "the flood opened too few connections"
    );
    assert!(
        answered_ok > 0,
        "every request was shed; the slow connections were never closed"
    );

    // The slow connections were closed by the server (end of stream or a 408/503 answer).
    for mut stream in slow {
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut buffer = Vec::new();
        match stream.read_to_end(&mut buffer) {
            Ok(_) => {}
            Err(err) if err.kind() == std::io::ErrorKind::ConnectionReset => {}
            Err(err) => panic!("a slow connection was still open after 5 s: {err}"),
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    // Waiting and shed connections stay within the descriptors kept for them: the server never
    // ran out (it would stop accepting, and real clients would wait in the backlog).
    let log = std::fs::read_to_string(dir.path().join("serve.log")).unwrap();
    assert!(
        !log.contains("Too many open files"),
        "berth serve ran out of file descriptors:\n{log}"
    );
}

/// One request over a fresh connection, as a plain HTTP/1.1 client; returns the status and the
/// response head. Panics when no answer comes within 5 seconds.
fn get(addr: &str, path: &str, token: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         chatgpt-account-id: acct-1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = Vec::new();
    if let Err(err) = stream.read_to_end(&mut response)
        && response.is_empty()
    {
        panic!("a real request got no answer: {err}");
    }
    let text = String::from_utf8_lossy(&response).into_owned();
    let head = text.split("\r\n\r\n").next().unwrap_or_default().to_owned();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {text:?}"));
    (status, head)
}
