//! Nothing acknowledged is lost (issue 11, A and B): when the database cannot grow, writes are
//! answered 503 with `Retry-After`, never 200, and every write answered 200 is stored; once space
//! returns, the same running server works again. `SQLITE_FULL` is forced by capping every pooled
//! connection's page count through a test hook, which fails writes as a full disk does.

use std::collections::BTreeSet;
use std::sync::Arc;

use berth_server::{PublishOptions, ServerConfig, SqlitePageLimit};
use pretty_assertions::assert_eq;
use reqwest::StatusCode;
use serde_json::json;

use crate::support::{Backend, TestServer, database_url};

/// What the server answered to one request.
#[derive(Debug)]
enum Answer {
    Stored,
    Refused,
}

async fn post_batch(server: &TestServer, first: u64, count: u64) -> Answer {
    let events: Vec<_> = (first..first + count)
        .map(|n| json!({"event_type": "codex_plugin_used", "event_params": {"n": n}}))
        .collect();
    let response = server
        .client
        .post(format!("{}/codex/analytics-events/events", server.api))
        .bearer_auth(&server.token)
        .header("chatgpt-account-id", &server.account)
        .json(&json!({ "events": events }))
        .send()
        .await
        .unwrap();
    classify(&response)
}

fn classify(response: &reqwest::Response) -> Answer {
    match response.status() {
        StatusCode::OK => Answer::Stored,
        StatusCode::SERVICE_UNAVAILABLE => {
            let retry_after = response.headers().get("retry-after");
            assert!(retry_after.is_some(), "503 without Retry-After");
            Answer::Refused
        }
        other => panic!("a write failed with {other}, not 200 or 503"),
    }
}

async fn toggle_install(server: &TestServer, id: &str, install: bool) -> Answer {
    let path = if install {
        format!("{}/ps/plugins/{id}/install", server.api)
    } else {
        format!("{}/plugins/{id}/uninstall", server.api)
    };
    let response = server
        .client
        .post(path)
        .bearer_auth(&server.token)
        .header("chatgpt-account-id", &server.account)
        .send()
        .await
        .unwrap();
    classify(&response)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_database_answers_503_and_loses_no_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = ServerConfig::new(dir.path().join("data"));
    config.bind = "127.0.0.1:0".parse().unwrap();
    let limit = SqlitePageLimit::default();
    config.sqlite_page_limit = Some(limit.clone());
    let server = Arc::new(TestServer::start_with(config, dir).await);
    let plugins: Vec<String> = (0..4).map(|index| format!("p{index}")).collect();
    for name in &plugins {
        server.publish(name, PublishOptions::default()).await;
    }
    // No growth from here on: a page limit below the file's size pins it at its size.
    limit.set(1);

    let mut tasks = Vec::new();
    for worker in 0..8_u64 {
        let server = Arc::clone(&server);
        tasks.push(tokio::spawn(async move {
            let mut stored = Vec::new();
            let mut refused = 0;
            for round in 0..40_u64 {
                let first = (worker * 1000 + round) * 100;
                match post_batch(&server, first, 100).await {
                    Answer::Stored => stored.extend(first..first + 100),
                    Answer::Refused => refused += 1,
                }
            }
            (stored, refused)
        }));
    }
    // Installs and uninstalls alongside: the last acknowledged answer per plugin is its state.
    let mut toggles = Vec::new();
    for name in &plugins {
        let server = Arc::clone(&server);
        let id = format!("plugins~Plugin_{name}");
        toggles.push(tokio::spawn(async move {
            let mut state = None;
            for round in 0..30 {
                let install = round % 2 == 0;
                if let Answer::Stored = toggle_install(&server, &id, install).await {
                    state = Some(install);
                }
            }
            (id, state)
        }));
    }
    let mut acknowledged = BTreeSet::new();
    let mut refused = 0;
    for task in tasks {
        let (stored, refusals) = task.await.unwrap();
        acknowledged.extend(stored);
        refused += refusals;
    }
    let mut expected_installs = Vec::new();
    for task in toggles {
        let (id, state) = task.await.unwrap();
        expected_installs.push((id, state));
    }
    assert!(refused > 0, "the page limit never refused a write");

    // Space returns: the same server takes writes again, without a restart.
    limit.set(1 << 30);
    for round in 0..5 {
        let first = 10_000_000 + round * 10;
        assert!(matches!(
            post_batch(&server, first, 10).await,
            Answer::Stored
        ));
        acknowledged.extend(first..first + 10);
    }
    for (id, state) in &mut expected_installs {
        assert!(matches!(
            toggle_install(&server, id, true).await,
            Answer::Stored
        ));
        *state = Some(true);
    }

    let server = Arc::into_inner(server).unwrap();
    let stored: Vec<u64> = server
        .db
        .events()
        .await
        .unwrap()
        .iter()
        .map(|event| event.event_params["n"].as_u64().unwrap())
        .collect();
    let unique: BTreeSet<u64> = stored.iter().copied().collect();
    assert_eq!(unique.len(), stored.len(), "an event was stored twice");
    let lost: Vec<_> = acknowledged.difference(&unique).collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged events were lost",
        lost.len()
    );
    let installs = server.db.installs_of(&server.account).await.unwrap();
    let mut installed: Vec<String> = installs.into_iter().map(|i| i.plugin_id).collect();
    installed.sort();
    let expected: Vec<String> = expected_installs
        .iter()
        .filter(|(_, state)| *state == Some(true))
        .map(|(id, _)| id.clone())
        .collect();
    assert_eq!(installed, expected);
    server.shutdown().await;
}

/// 16 clients each post 1,000-event batches while others install and uninstall: writers wait
/// for each other instead of failing (no 500 and no 503), and every acknowledged event is stored
/// exactly once, resent batches (same `Idempotency-Key`) included.
async fn burst_of_writers_stores_every_event_once(backend: Backend) {
    let Some(database_url) = database_url(backend).await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut config = ServerConfig::new(dir.path().join("data"));
    config.bind = "127.0.0.1:0".parse().unwrap();
    config.database_url = database_url;
    config.limits.events_burst_bytes = 1 << 30;
    let server = Arc::new(TestServer::start_with(config, dir).await);
    for index in 0..4 {
        server
            .publish(&format!("p{index}"), PublishOptions::default())
            .await;
    }
    let mut tasks = Vec::new();
    for worker in 0..16_u64 {
        let server = Arc::clone(&server);
        tasks.push(tokio::spawn(async move {
            let mut stored = Vec::new();
            for round in 0..4_u64 {
                let first = (worker * 100 + round) * 1000;
                let key = format!("batch-{worker}-{round}");
                // Every fourth batch is sent twice, as a client does when an answer is lost.
                let sends = if round == 3 { 2 } else { 1 };
                for _ in 0..sends {
                    let events: Vec<_> = (first..first + 1000)
                        .map(|n| json!({"event_type": "codex_plugin_used", "event_params": {"n": n, "plugin_id": "p@m"}}))
                        .collect();
                    let response = server
                        .client
                        .post(format!("{}/codex/analytics-events/events", server.api))
                        .bearer_auth(&server.token)
                        .header("chatgpt-account-id", &server.account)
                        .header("idempotency-key", &key)
                        .json(&json!({ "events": events }))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(response.status(), StatusCode::OK);
                }
                stored.extend(first..first + 1000);
            }
            stored
        }));
    }
    let mut toggles = Vec::new();
    for index in 0..4 {
        let server = Arc::clone(&server);
        toggles.push(tokio::spawn(async move {
            let id = format!("plugins~Plugin_p{index}");
            for round in 0..10 {
                let answer = toggle_install(&server, &id, round % 2 == 0).await;
                assert!(matches!(answer, Answer::Stored), "{answer:?}");
            }
        }));
    }
    let mut acknowledged = Vec::new();
    for task in tasks {
        acknowledged.extend(task.await.unwrap());
    }
    for task in toggles {
        task.await.unwrap();
    }
    let server = Arc::into_inner(server).unwrap();
    let mut stored: Vec<u64> = server
        .db
        .events()
        .await
        .unwrap()
        .iter()
        .map(|event| event.event_params["n"].as_u64().unwrap())
        .collect();
    stored.sort_unstable();
    acknowledged.sort_unstable();
    assert_eq!(stored.len(), acknowledged.len());
    assert!(
        stored == acknowledged,
        "stored events differ from those acknowledged"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_writers_stores_every_event_once_on_sqlite() {
    burst_of_writers_stores_every_event_once(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_writers_stores_every_event_once_on_postgres() {
    burst_of_writers_stores_every_event_once(Backend::Postgres).await;
}
