//! Nothing acknowledged is lost when the disk fills during a commit or a checkpoint (issue 11 A):
//! `berth serve` runs under a file-size limit (`ulimit -f`, with `SIGXFSZ` ignored so a write past
//! it fails with `EFBIG`, as on a full disk), which in write-ahead-log mode fails the commit that
//! appends to the log and the checkpoint that grows the database. Every write answered 200 must be
//! in the database afterwards, and every failure must be a 503 with `Retry-After`.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};

use pretty_assertions::assert_eq;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::berth_bin;

fn admin(data_dir: &Path, args: &[&str]) -> String {
    let output = Command::new(berth_bin())
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// Bytes used by the database files (main file, log and shared memory).
fn database_bytes(data_dir: &Path) -> u64 {
    ["berth.db", "berth.db-wal", "berth.db-shm"]
        .iter()
        .filter_map(|name| std::fs::metadata(data_dir.join(name)).ok())
        .map(|meta| meta.len())
        .max()
        .unwrap_or(0)
}

#[test]
fn a_disk_that_fills_during_commits_loses_no_acknowledged_event() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("serve");
    admin(&data_dir, &["serve", "account", "add", "acct-1"]);
    let token = admin(&data_dir, &["serve", "token", "add", "acct-1"]);
    // Room for a few hundred kilobytes of growth past the largest file, in 512-byte blocks.
    let blocks = database_bytes(&data_dir) / 512 + 600;
    let script = format!(
        "trap '' XFSZ; ulimit -f {blocks}; exec \"$0\" serve --bind 127.0.0.1:0 --data-dir \"$1\""
    );
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(berth_bin())
        .arg(&data_dir)
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let api = crate::remote::read_api_url(&mut child);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (acknowledged, refused) = runtime.block_on(async {
        let client = reqwest::Client::new();
        let mut tasks = Vec::new();
        for worker in 0..8_u64 {
            let client = client.clone();
            let api = api.clone();
            let token = token.clone();
            tasks.push(tokio::spawn(async move {
                let mut stored = Vec::new();
                let mut refused = 0;
                for round in 0..60_u64 {
                    let first = (worker * 1000 + round) * 50;
                    let events: Vec<Value> = (first..first + 50)
                        .map(|n| json!({"event_type": "codex_plugin_used", "event_params": {"n": n, "pad": "x".repeat(200)}}))
                        .collect();
                    let response = client
                        .post(format!("{api}/codex/analytics-events/events"))
                        .bearer_auth(&token)
                        .header("chatgpt-account-id", "acct-1")
                        .json(&json!({ "events": events }))
                        .send()
                        .await
                        .unwrap();
                    match response.status() {
                        StatusCode::OK => stored.extend(first..first + 50),
                        StatusCode::SERVICE_UNAVAILABLE => {
                            assert!(response.headers().contains_key("retry-after"));
                            refused += 1;
                        }
                        other => panic!("a write failed with {other}, not 200 or 503"),
                    }
                }
                (stored, refused)
            }));
        }
        let mut acknowledged = BTreeSet::new();
        let mut refused = 0;
        for task in tasks {
            let (stored, refusals) = task.await.unwrap();
            acknowledged.extend(stored);
            refused += refusals;
        }
        (acknowledged, refused)
    });
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(refused > 0, "the file-size limit never refused a write");
    assert!(!acknowledged.is_empty(), "no write succeeded at all");

    // A fresh process, without the limit, reads what was committed.
    let output = Command::new(berth_bin())
        .args(["serve", "events", "--json", "--data-dir"])
        .arg(&data_dir)
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let events: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    let stored: Vec<u64> = events
        .iter()
        .map(|event| event["event_params"]["n"].as_u64().unwrap())
        .collect();
    let unique: BTreeSet<u64> = stored.iter().copied().collect();
    assert_eq!(unique.len(), stored.len(), "an event was stored twice");
    let lost = acknowledged.difference(&unique).count();
    assert_eq!(lost, 0, "acknowledged events were lost");
}
