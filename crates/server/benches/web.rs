//! Benchmark of `berth serve`'s web pages (issue 13), with the load from `wrk` (Debian package
//! `wrk`) in its own process over a signed-in session:
//! - the catalog page at 10,000 plugins (pages rotating over the whole catalog) and a search
//!   over them (terms rotating, each matching about 1% of the plugins), at 64 connections;
//! - `/insights` for an admin (every plugin) and for a publisher over 1,000,000 ingested events,
//!   one connection, p50/p99 (the aim is a p50 under 50 ms, which the daily rollups make
//!   possible);
//! - ingest throughput of those 1,000,000 events with their rollups, 1,000-event batches from
//!   one writer (each batch from one client: 10 plugins, 90 days spread).
//!
//! `SQLite` always; `PostgreSQL` too when `BERTH_TEST_POSTGRES_URL` names a server (a fresh
//! database is created on it). Run: `cargo bench -p berth-server --bench web`.

#![expect(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "bench binary"
)]

#[path = "support/postgres.rs"]
mod postgres;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use berth_server::{Db, IngestBatch, PluginRecord, SECONDS_PER_DAY, ServerConfig, TokenGrant};
use berth_service_protocol::{
    AuthenticationPolicy, DirectoryItem, InstallationPolicy, Release, ReleaseInterface, Scope,
    Status, TokenScope,
};
use serde_json::json;

const PLUGINS: usize = 10_000;
const EVENT_PLUGINS: usize = 500;
const EVENTS: usize = 1_000_000;
const BATCH: usize = 1_000;
const DAYS: usize = 90;
const CONCURRENCY: usize = 64;
const DURATION: Duration = Duration::from_secs(5);
const CATEGORIES: [&str; 5] = [
    "Productivity",
    "Developer tools",
    "Design",
    "Data",
    "Security",
];
const MODELS: [&str; 4] = ["gpt-5", "gpt-5-codex", "o3", "gpt-4.1"];

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
            description: Some(format!(
                "A benchmark plugin about topic-{} with a realistic description of what it does.",
                index % 100
            )),
            bundle_sha256: Some("a".repeat(64)),
            keywords: vec!["bench".to_owned(), format!("kw{}", index % 37)],
            interface: ReleaseInterface {
                short_description: Some(format!("Does useful thing number {index}")),
                developer_name: Some(format!("Developer {}", index % 50)),
                category: Some(CATEGORIES[index % CATEGORIES.len()].to_owned()),
                brand_color: Some("#3366cc".to_owned()),
                ..ReleaseInterface::default()
            },
            ..Release::default()
        },
    }
}

/// One client's batch: 1,000 events about 10 plugins on one day.
fn batch(index: usize) -> Vec<(String, serde_json::Value)> {
    (0..BATCH)
        .map(|n| {
            let plugin = (index * 7 + n / 100) % EVENT_PLUGINS;
            let event_type = match n % 10 {
                0..=5 => "codex_plugin_used",
                6 => "codex_plugin_installed",
                7 => "codex_plugin_uninstalled",
                8 => "codex_plugin_enabled",
                _ => "codex_plugin_disabled",
            };
            (
                event_type.to_owned(),
                json!({"plugin_id": format!("p{plugin:05}@openai-curated-remote"),
                       "remote_plugin_id": format!("plugins~Plugin_p{plugin:05}"),
                       "model_slug": MODELS[n % MODELS.len()], "thread_id": "t", "turn_id": "u"}),
            )
        })
        .collect()
}

async fn seed_catalog(db: &Db) {
    for index in 0..PLUGINS {
        let mut record = PluginRecord {
            item: item(index),
            owner_account_id: None,
        };
        if index < 20 {
            // The publisher's plugins.
            record.item.scope = Scope::User;
            record.owner_account_id = Some("publisher".to_owned());
        }
        db.upsert_plugin(&record, &[]).await.unwrap();
    }
}

/// Ingests the events; returns events per second.
async fn ingest(db: &Db) -> f64 {
    let today = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
        / SECONDS_PER_DAY;
    let started = Instant::now();
    for index in 0..EVENTS / BATCH {
        let events = batch(index);
        let day = today - i64::try_from(index % DAYS).unwrap();
        let batch = IngestBatch {
            account_id: "publisher",
            batch_key: None,
            events: &events,
            bytes: 0,
        };
        db.ingest_events_at(batch, u64::MAX, day * SECONDS_PER_DAY + 100)
            .await
            .unwrap();
    }
    #[expect(clippy::cast_precision_loss, reason = "a rate")]
    let rate = EVENTS as f64 / started.elapsed().as_secs_f64();
    rate
}

/// Signs in through the form; returns the session cookie.
async fn session_cookie(origin: &str, token: &str) -> String {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let form = client
        .get(format!("{origin}/sign-in"))
        .send()
        .await
        .unwrap();
    let cookie = form.headers()["set-cookie"].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let body = form.text().await.unwrap();
    let start = body.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = body[start..].split('"').next().unwrap();
    let answer = client
        .post(format!("{origin}/sign-in"))
        .header("cookie", cookie)
        .form(&[("token", token), ("csrf", csrf), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 303, "sign-in failed");
    answer
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap())
        .find(|value| value.starts_with("berth_session="))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

/// `wrk` over `paths` (rotating) with `cookie`: requests/s, p50, p99.
fn wrk(origin: &str, cookie: &str, paths: &[String], connections: usize) -> (f64, String, String) {
    use std::fmt::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("pages.lua");
    let mut lua = String::from("local paths = {\n");
    for path in paths {
        let _ = writeln!(lua, "  \"{path}\",");
    }
    let _ = write!(
        lua,
        "}}\nlocal n = math.random(0, 1000)\n\
         request = function()\n\
           n = n + 1\n\
           return wrk.format(\"GET\", paths[(n % #paths) + 1], {{[\"cookie\"] = \"{cookie}\"}})\n\
         end\n\
         response = function(status, headers, body)\n\
           if status ~= 200 then error(\"status \" .. status) end\n\
         end\n"
    );
    #[expect(clippy::disallowed_methods, reason = "bench scratch file")]
    std::fs::write(&script, lua).unwrap();
    let threads = connections.min(2);
    let output = std::process::Command::new("wrk")
        .arg(format!("-t{threads}"))
        .arg(format!("-c{connections}"))
        .arg(format!("-d{}s", DURATION.as_secs()))
        .arg("--latency")
        .arg("-s")
        .arg(&script)
        .arg(origin)
        .output()
        .expect("wrk is installed (Debian package `wrk`)");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "wrk failed: {text}");
    assert!(!text.contains("Non-2xx"), "some requests failed: {text}");
    let field = |prefix: &str| {
        text.lines()
            .find_map(|line| line.trim().strip_prefix(prefix))
            .map(|value| value.trim().to_owned())
            .unwrap()
    };
    (
        field("Requests/sec:").parse().unwrap(),
        field("50%"),
        field("99%"),
    )
}

async fn run(label: &str, database_url: Option<String>) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = ServerConfig::new(dir.path());
    config.bind = "127.0.0.1:0".parse().unwrap();
    config.database_url = database_url;
    let (db, _) = berth_server::open_storage(&config).await.unwrap();
    let started = Instant::now();
    seed_catalog(&db).await;
    println!(
        "{label}: seeded {PLUGINS} plugins in {:.1?}",
        started.elapsed()
    );
    let rate = ingest(&db).await;
    println!(
        "{label}: ingested {EVENTS} events with their daily rollups: {rate:.0} events/s \
         ({BATCH}-event batches, one writer)"
    );
    for account in ["admin", "publisher"] {
        db.add_account(account, account).await.unwrap();
    }
    let mint = |account: &str, scope: TokenScope| TokenGrant {
        account_id: account.to_owned(),
        scopes: BTreeSet::from([scope]),
        plugin_ids: None,
        days: None,
        label: "bench".to_owned(),
    };
    let admin = db
        .mint_token(&mint("admin", TokenScope::Admin))
        .await
        .unwrap();
    let publisher = db
        .mint_token(&mint("publisher", TokenScope::Read))
        .await
        .unwrap();
    let server = berth_server::start(config).await.unwrap();
    let origin = server.api_url.trim_end_matches("/backend-api").to_owned();
    let admin = session_cookie(&origin, &admin.token).await;
    let publisher = session_cookie(&origin, &publisher.token).await;

    let pages: Vec<String> = (1..=PLUGINS.div_ceil(24))
        .map(|page| format!("/?page={page}"))
        .collect();
    let searches: Vec<String> = (0..100)
        .map(|n| format!("/?q=topic-{n}+realistic"))
        .collect();
    for (name, paths) in [
        ("catalog page (pages 1..417 of 10,000 plugins)", &pages),
        ("catalog search (100 terms, ~1% of plugins each)", &searches),
    ] {
        let (rps, p50, p99) = wrk(&origin, &admin, paths, CONCURRENCY);
        println!(
            "{label}: {name}: {rps:.0} requests/s, p50 {p50}, p99 {p99} at {CONCURRENCY} connections"
        );
    }
    for (name, cookie, path) in [
        ("admin, every plugin, 30 days", &admin, "/insights?days=30"),
        (
            "admin, every plugin, 365 days",
            &admin,
            "/insights?days=365",
        ),
        (
            "publisher (20 plugins), 30 days",
            &publisher,
            "/insights?days=30",
        ),
    ] {
        let (rps, p50, p99) = wrk(&origin, cookie, &[path.to_owned()], 1);
        println!(
            "{label}: /insights over {EVENTS} events, {name}: p50 {p50}, p99 {p99} ({rps:.0} requests/s, one connection)"
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
            let name = format!("berth_web_bench_{}", std::process::id());
            let url = postgres::create_database(&base, &name).await;
            run("postgres", Some(url)).await;
            postgres::drop_database(&base, &name).await;
        }
    });
}
