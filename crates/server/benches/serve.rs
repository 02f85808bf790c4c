//! Load benchmark of `berth serve`: 10,000 catalog plugins and 1,000 accounts, then requests/s
//! and p99 latency of `GET /ps/plugins/{id}` and `GET /ps/plugins/installed` at 64 concurrent
//! connections on loopback, with an in-process tokio load generator. `SQLite` always; `PostgreSQL`
//! too when `BERTH_TEST_POSTGRES_URL` names a server (a fresh database is created on it).
//! Run: `cargo bench -p berth-server --bench serve`.

#![expect(clippy::print_stdout, clippy::unwrap_used, reason = "bench binary")]

use std::sync::Arc;
use std::time::{Duration, Instant};

use berth_server::{Db, PluginRecord, ServerConfig};
use berth_service_protocol::{
    AuthenticationPolicy, DirectoryItem, InstallationPolicy, Release, Scope, Status,
};
use sqlx::Connection as _;

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

async fn run(label: &str, database_url: Option<String>) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = ServerConfig::new(dir.path());
    config.bind = "127.0.0.1:0".parse().unwrap();
    config.database_url = database_url;
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
        let (rps, p99) = load(&server.api_url, &accounts, installed).await;
        println!(
            "{label}: {name}: {rps:.0} requests/s, p99 {p99:.2?} at {CONCURRENCY} connections"
        );
    }
    server.shutdown().await.unwrap();
    db.close().await;
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
            let mut conn = sqlx::PgConnection::connect(&base).await.unwrap();
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .unwrap();
            conn.close().await.unwrap();
            let (prefix, _) = base.rsplit_once('/').unwrap();
            run("postgres", Some(format!("{prefix}/{name}"))).await;
        }
    });
}
