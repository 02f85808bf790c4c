//! Load benchmark of `berth serve`: 10,000 catalog plugins and 1,000 accounts, then requests/s
//! and p99 latency of `GET /ps/plugins/{id}` and `GET /ps/plugins/installed` at 64 concurrent
//! connections on loopback. The load comes from `wrk` (Debian package `wrk`) in its own process
//! when it is installed, rotating over every account's token and over the catalog through a Lua
//! script; otherwise from an in-process tokio generator, which shares the server's cores and so
//! understates the server. `SQLite` always; `PostgreSQL` too when `BERTH_TEST_POSTGRES_URL` names a
//! server (a fresh database is created on it).
//! Then a write burst (issue 11 B): 16 connections posting 1,000-event analytics batches while
//! 16 others read single plugins, both from `wrk`; it reports the reads' p50/p99 during the
//! burst and the events stored per second.
//! Run: `cargo bench -p berth-server --bench serve`.

#![expect(clippy::print_stdout, clippy::unwrap_used, reason = "bench binary")]

#[path = "support/postgres.rs"]
mod postgres;

use std::sync::Arc;
use std::time::{Duration, Instant};

use berth_server::{Db, PluginRecord, ServerConfig};
use berth_service_protocol::{
    AuthenticationPolicy, DirectoryItem, InstallationPolicy, Release, Scope, Status,
};

const PLUGINS: usize = 10_000;
const ACCOUNTS: usize = 1_000;
const CONCURRENCY: usize = 64;
const DURATION: Duration = Duration::from_secs(5);

fn item(index: usize) -> DirectoryItem {
    DirectoryItem {
        id: format!("plugins~Plugin_p{index:05}"),
        name: format!("p{index:05}"),
        scope: Scope::Global,
        discoverability: None,
        creator_account_user_id: None,
        creator_name: None,
        share_url: None,
        share_principals: Vec::new(),
        installation_policy: InstallationPolicy::Available,
        authentication_policy: AuthenticationPolicy::OnUse,
        status: Status::Available,
        release: Release {
            version: Some("1.0.0".to_owned()),
            display_name: format!("Plugin {index}"),
            description: Some("A benchmark plugin with a realistic description.".to_owned()),
            bundle_sha256: Some("a".repeat(64)),
            keywords: vec!["bench".to_owned()],
            ..Release::default()
        },
    }
}

async fn seed(db: &Db) -> Vec<(String, String)> {
    for index in 0..PLUGINS {
        let record = PluginRecord {
            item: item(index),
            owner_account_id: None,
        };
        db.upsert_plugin(&record, &[]).await.unwrap();
    }
    let mut accounts = Vec::new();
    for index in 0..ACCOUNTS {
        let id = format!("acct-{index:04}");
        db.add_account(&id, &id).await.unwrap();
        let token = db.add_token(&id, "bench").await.unwrap();
        for offset in 0..10 {
            let plugin = (index * 7 + offset * 997) % PLUGINS;
            db.install(&id, &format!("plugins~Plugin_p{plugin:05}"))
                .await
                .unwrap();
        }
        accounts.push((id, token));
    }
    accounts
}

async fn load(api: &str, accounts: &[(String, String)], installed: bool) -> (f64, Duration) {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY)
        .build()
        .unwrap();
    let accounts = Arc::new(accounts.to_vec());
    let deadline = Instant::now() + DURATION;
    let mut tasks = Vec::new();
    for worker in 0..CONCURRENCY {
        let client = client.clone();
        let accounts = Arc::clone(&accounts);
        let api = api.to_owned();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut n = worker;
            while Instant::now() < deadline {
                let (account, token) = &accounts[n % accounts.len()];
                let url = if installed {
                    format!("{api}/ps/plugins/installed?limit=200")
                } else {
                    format!("{api}/ps/plugins/plugins~Plugin_p{:05}", (n * 31) % PLUGINS)
                };
                let start = Instant::now();
                let response = client
                    .get(url)
                    .bearer_auth(token)
                    .header("chatgpt-account-id", account)
                    .send()
                    .await
                    .unwrap();
                assert!(response.status().is_success());
                response.bytes().await.unwrap();
                latencies.push(start.elapsed());
                n += CONCURRENCY;
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    all.sort();
    let p99 = all[(all.len() * 99 / 100).min(all.len() - 1)];
    #[expect(clippy::cast_precision_loss, reason = "a rate")]
    let rps = all.len() as f64 / DURATION.as_secs_f64();
    (rps, p99)
}

/// A Lua script for `wrk` that rotates over accounts and plugin ids.
fn wrk_script(accounts: &[(String, String)], installed: bool) -> String {
    use std::fmt::Write as _;
    let mut script = String::from("local accounts = {\n");
    for (account, token) in accounts {
        let _ = writeln!(script, "  {{\"{account}\", \"{token}\"}},");
    }
    let path = if installed {
        "\"/backend-api/ps/plugins/installed?limit=200\"".to_owned()
    } else {
        format!(
            "string.format(\"/backend-api/ps/plugins/plugins~Plugin_p%05d\", (n * 31) % {PLUGINS})"
        )
    };
    let _ = write!(
        script,
        "}}\nlocal n = math.random(0, 1000000)\n\
         request = function()\n\
           n = n + 1\n\
           local a = accounts[(n % #accounts) + 1]\n\
           local headers = {{}}\n\
           headers[\"authorization\"] = \"Bearer \" .. a[2]\n\
           headers[\"chatgpt-account-id\"] = a[1]\n\
           return wrk.format(\"GET\", {path}, headers)\n\
         end\n\
         response = function(status, headers, body)\n\
           if status ~= 200 then error(\"status \" .. status) end\n\
         end\n"
    );
    script
}

/// Runs `wrk` against `origin`; `None` when `wrk` is not installed.
fn load_wrk(origin: &str, accounts: &[(String, String)], installed: bool) -> Option<(f64, String)> {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("load.lua");
    #[expect(clippy::disallowed_methods, reason = "bench scratch file")]
    std::fs::write(&script, wrk_script(accounts, installed)).unwrap();
    let output = std::process::Command::new("wrk")
        .args(["-t2", &format!("-c{CONCURRENCY}"), "--latency"])
        .arg(format!("-d{}s", DURATION.as_secs()))
        .arg("-s")
        .arg(&script)
        .arg(origin)
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "wrk failed: {text}");
    assert!(!text.contains("Non-2xx"), "some requests failed: {text}");
    let rps = text
        .lines()
        .find_map(|line| line.strip_prefix("Requests/sec:"))
        .and_then(|value| value.trim().parse().ok())
        .unwrap();
    let p99 = text
        .lines()
        .find_map(|line| line.trim().strip_prefix("99%"))
        .map(|value| value.trim().to_owned())
        .unwrap();
    Some((rps, p99))
}

async fn run(label: &str, database_url: Option<String>) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = ServerConfig::new(dir.path());
    config.bind = "127.0.0.1:0".parse().unwrap();
    config.database_url = database_url;
    // The burst measures storage, not the per-account quotas.
    config.limits.events_bytes_per_second = u64::MAX / 4;
    config.limits.events_burst_bytes = u64::MAX / 4;
    config.limits.events_daily_bytes = u64::MAX / 4;
    let (db, _) = berth_server::open_storage(&config).await.unwrap();
    let started = Instant::now();
    let accounts = seed(&db).await;
    println!(
        "{label}: seeded {PLUGINS} plugins, {ACCOUNTS} accounts in {:.1?}",
        started.elapsed()
    );
    let server = berth_server::start(config).await.unwrap();
    for (name, installed) in [
        ("GET /ps/plugins/{id}", false),
        ("GET /ps/plugins/installed", true),
    ] {
        let origin = server.api_url.trim_end_matches("/backend-api");
        let (rps, p99, generator) = if let Some((rps, p99)) = load_wrk(origin, &accounts, installed)
        {
            (rps, p99, "wrk")
        } else {
            let (rps, p99) = load(&server.api_url, &accounts, installed).await;
            (rps, format!("{p99:.2?}"), "in-process generator")
        };
        println!(
            "{label}: {name}: {rps:.0} requests/s, p99 {p99} at {CONCURRENCY} connections ({generator})"
        );
    }
    if let Some(report) = burst(server.api_url.trim_end_matches("/backend-api"), &accounts) {
        println!("{label}: {report}");
    }
    server.shutdown().await.unwrap();
    db.close().await;
}

/// A Lua script for `wrk` posting one 1,000-event analytics batch per request, rotating accounts.
fn burst_script(accounts: &[(String, String)]) -> String {
    use std::fmt::Write as _;
    let events: Vec<serde_json::Value> = (0..1000)
        .map(|n| serde_json::json!({"event_type": "codex_plugin_used", "event_params": {"plugin_id": "linear@openai-curated-remote", "remote_plugin_id": "plugins~Plugin_linear", "n": n}}))
        .collect();
    let body = serde_json::json!({ "events": events }).to_string();
    let mut script = String::from("local accounts = {\n");
    for (account, token) in accounts.iter().take(64) {
        let _ = writeln!(script, "  {{\"{account}\", \"{token}\"}},");
    }
    let _ = write!(
        script,
        "}}\nlocal n = 0\nwrk.method = \"POST\"\nwrk.body = [[{body}]]\n\
         request = function()\n\
           n = n + 1\n\
           local a = accounts[(n % #accounts) + 1]\n\
           local headers = {{}}\n\
           headers[\"authorization\"] = \"Bearer \" .. a[2]\n\
           headers[\"chatgpt-account-id\"] = a[1]\n\
           headers[\"content-type\"] = \"application/json\"\n\
           return wrk.format(nil, \"/backend-api/codex/analytics-events/events\", headers)\n\
         end\n\
         response = function(status, headers, body)\n\
           if status ~= 200 then error(\"status \" .. status) end\n\
         end\n"
    );
    script
}

/// Runs the write burst and the reads beside it; `None` without `wrk`.
fn burst(origin: &str, accounts: &[(String, String)]) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let writes = dir.path().join("burst.lua");
    let reads = dir.path().join("reads.lua");
    #[expect(clippy::disallowed_methods, reason = "bench scratch files")]
    {
        std::fs::write(&writes, burst_script(accounts)).unwrap();
        std::fs::write(&reads, wrk_script(accounts, false)).unwrap();
    }
    let spawn = |script: &std::path::Path| {
        std::process::Command::new("wrk")
            .args(["-t1", "-c16", "--latency"])
            .arg(format!("-d{}s", DURATION.as_secs()))
            .arg("-s")
            .arg(script)
            .arg(origin)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .ok()
    };
    let posting = spawn(&writes)?;
    let reading = spawn(&reads)?;
    let writes = String::from_utf8_lossy(&posting.wait_with_output().unwrap().stdout).into_owned();
    let reads = String::from_utf8_lossy(&reading.wait_with_output().unwrap().stdout).into_owned();
    assert!(!writes.contains("Non-2xx"), "some writes failed: {writes}");
    assert!(!reads.contains("Non-2xx"), "some reads failed: {reads}");
    let field = |text: &str, prefix: &str| {
        text.lines()
            .find_map(|line| line.trim().strip_prefix(prefix))
            .map(|value| value.trim().to_owned())
            .unwrap_or_default()
    };
    let posts: f64 = field(&writes, "Requests/sec:").parse().unwrap_or(0.0);
    Some(format!(
        "write burst (16 connections x 1,000-event posts): {:.0} events/s stored, post p99 {}; \
         reads beside it (16 connections): {} requests/s, p50 {}, p99 {}",
        posts * 1000.0,
        field(&writes, "99%"),
        field(&reads, "Requests/sec:"),
        field(&reads, "50%"),
        field(&reads, "99%"),
    ))
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        run("sqlite", None).await;
        if let Ok(base) = std::env::var("BERTH_TEST_POSTGRES_URL") {
            let name = format!("berth_bench_{}", std::process::id());
            let url = postgres::create_database(&base, &name).await;
            run("postgres", Some(url)).await;
        }
    });
}
