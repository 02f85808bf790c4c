//! Two `berth serve` processes on one `PostgreSQL` database (how a team runs several instances):
//! many accounts installing and uninstalling through both at once end with both instances
//! reporting the same, expected installed state. Needs `BERTH_TEST_POSTGRES_URL` (CI sets it;
//! there the test fails rather than skips without it).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;

use serde_json::{Value, json};

use crate::berth_bin;
use crate::remote::{Serve, plugin_source};

const ACCOUNTS: usize = 8;
const ROUNDS: usize = 6;

pub(crate) fn postgres_url() -> Option<String> {
    let url = std::env::var("BERTH_TEST_POSTGRES_URL")
        .ok()
        .filter(|url| !url.is_empty());
    assert!(
        url.is_some() || std::env::var_os("CI").is_none(),
        "BERTH_TEST_POSTGRES_URL must be set in CI (.ci/run starts PostgreSQL)"
    );
    url
}

/// Creates an empty database `<prefix>_<pid>` next to the one `url` names and returns its URL.
pub(crate) fn fresh_database(url: &str, prefix: &str) -> String {
    let name = format!("{prefix}_{}", std::process::id());
    let output = Command::new("psql")
        .arg(url)
        .args([
            "-qc",
            &format!("DROP DATABASE IF EXISTS {name}"),
            "-c",
            &format!("CREATE DATABASE {name}"),
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "psql: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let base = url.rsplit_once('/').unwrap().0;
    format!("{base}/{name}")
}

fn token(account: &str) -> String {
    berth_auth::test_support::unsigned_jwt(&json!({
        "exp": 4_102_444_800_u64,
        "https://api.openai.com/auth": {"chatgpt_account_id": account},
    }))
}

/// One HTTP/1.1 request with `Connection: close`; returns the status and the JSON body.
fn call(address: &str, method: &str, path: &str, account: &str) -> (u16, Value) {
    let mut stream = TcpStream::connect(address).unwrap();
    write!(
        stream,
        "{method} /backend-api{path} HTTP/1.1\r\nhost: {address}\r\nauthorization: Bearer {}\r\nchatgpt-account-id: {account}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
        token(account)
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer.split_whitespace().nth(1).unwrap().parse().unwrap();
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

#[test]
fn two_serve_processes_on_one_postgres_database_stay_consistent() {
    let Some(url) = postgres_url() else {
        eprintln!("skipping: BERTH_TEST_POSTGRES_URL is not set");
        return;
    };
    let database = fresh_database(&url, "berth_two_processes");
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("serve");
    let source = plugin_source(dir.path(), "shared", "1.0.0", "Shared.");
    let published = Command::new(berth_bin())
        .arg("publish")
        .arg(&source)
        .args(["--database-url", &database, "--data-dir"])
        .arg(&data_dir)
        .output()
        .unwrap();
    assert!(published.status.success(), "{published:?}");
    let instances = [
        Serve::start_on(&database, &data_dir),
        Serve::start_on(&database, &data_dir),
    ];
    let addresses: Vec<String> = instances
        .iter()
        .map(|instance| {
            let url = instance.api_url.trim_start_matches("http://");
            url.trim_end_matches("/backend-api").to_owned()
        })
        .collect();
    let workers: Vec<_> = (0..ACCOUNTS)
        .map(|index| {
            let addresses = addresses.clone();
            std::thread::spawn(move || {
                let account = format!("acct-{index}");
                // Install through one instance and uninstall through the other, over and over;
                // even accounts end installed.
                let last = if index % 2 == 0 {
                    ROUNDS * 2 + 1
                } else {
                    ROUNDS * 2
                };
                for step in 0..last {
                    let address = &addresses[(step + index) % 2];
                    let (method, path) = if step % 2 == 0 {
                        ("POST", "/ps/plugins/plugins~Plugin_shared/install")
                    } else {
                        ("POST", "/plugins/plugins~Plugin_shared/uninstall")
                    };
                    let (status, body) = call(address, method, path, &account);
                    assert_eq!(status, 200, "{method} {path} as {account}: {body}");
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    for index in 0..ACCOUNTS {
        let account = format!("acct-{index}");
        let views: Vec<Vec<Value>> = addresses
            .iter()
            .map(|address| {
                let (status, body) = call(address, "GET", "/ps/plugins/installed", &account);
                assert_eq!(status, 200, "{body}");
                body["plugins"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|item| item["id"].clone())
                    .collect()
            })
            .collect();
        assert_eq!(views[0], views[1], "the instances disagree for {account}");
        let expected: Vec<Value> = if index % 2 == 0 {
            vec![json!("plugins~Plugin_shared")]
        } else {
            Vec::new()
        };
        assert_eq!(views[0], expected, "{account}");
    }
}
