//! Daily analytics rollups (issue 13): ingest keeps them in the transaction of the raw events,
//! keyed by the backend id when an event has one and by the local id otherwise, with uses per
//! model; they survive retention; installs and uninstalls record active-install counts; and the
//! migration that adds them backfills them from the events and installs stored before.

use berth_server::{DayCount, Db, InstallCount, KeyScope, KeyTotals, ModelCount, SECONDS_PER_DAY};
use serde_json::{Value, json};

use crate::analytics::post_events;
use crate::on_both_backends;
use crate::support::{Backend, database_url};

fn event(event_type: &str, params: Value) -> (String, Value) {
    (event_type.to_owned(), params)
}

fn linear(extra: Value) -> Value {
    let mut params = json!({"plugin_id": "linear@openai-curated-remote", "remote_plugin_id": "plugins~Plugin_linear"});
    if let (Some(params), Value::Object(extra)) = (params.as_object_mut(), extra) {
        params.extend(extra);
    }
    params
}

fn day_count(day: i64, event_type: &str, events: i64) -> DayCount {
    DayCount {
        day,
        event_type: event_type.to_owned(),
        events,
    }
}

on_both_backends!(
    rollups_follow_ingest_and_survive_retention,
    false,
    |server| {
        let today = berth_server_now() / SECONDS_PER_DAY;
        // Through the HTTP API, as clients send them.
        let batch = json!({"events": [
            {"event_type": "codex_plugin_installed", "event_params": linear(json!({}))},
            {"event_type": "codex_plugin_used", "event_params": linear(json!({"model_slug": "gpt-5"}))},
            {"event_type": "codex_plugin_used", "event_params": linear(json!({"model_slug": "gpt-5"}))},
            {"event_type": "codex_plugin_used", "event_params": {"plugin_id": "sample@debug", "remote_plugin_id": null, "model_slug": "o3"}},
            {"event_type": "codex_plugin_used", "event_params": {"plugin_id": "sample@debug"}},
            {"event_type": "codex_turn_event", "event_params": {"thread_id": "t"}}
        ]});
        let (status, _) = post_events(server, &batch.to_string()).await;
        assert_eq!(status, 200);
        // Two days earlier, straight into the store.
        let earlier = vec![
            event("codex_plugin_uninstalled", linear(json!({}))),
            event("codex_plugin_used", linear(json!({"model_slug": "gpt-5"}))),
        ];
        let batch = berth_server::IngestBatch {
            account_id: "acct-1",
            batch_key: None,
            events: &earlier,
            bytes: 10,
        };
        server
            .db
            .ingest_events_at(batch, u64::MAX, (today - 2) * SECONDS_PER_DAY + 5)
            .await
            .unwrap();

        let check = |db: Db| async move {
            assert_eq!(
                db.rollup_days(KeyScope::All, today - 6, today + 1)
                    .await
                    .unwrap(),
                vec![
                    day_count(today - 2, "codex_plugin_uninstalled", 1),
                    day_count(today - 2, "codex_plugin_used", 1),
                    day_count(today, "codex_plugin_installed", 1),
                    day_count(today, "codex_plugin_used", 4),
                ]
            );
            let linear_only = ["plugins~Plugin_linear".to_owned()];
            assert_eq!(
                db.rollup_keys(
                    KeyScope::Only(&linear_only),
                    today - 3,
                    today - 1,
                    today + 1
                )
                .await
                .unwrap(),
                vec![
                    KeyTotals {
                        plugin_key: "plugins~Plugin_linear".to_owned(),
                        event_type: "codex_plugin_installed".to_owned(),
                        current: 1,
                        previous: 0,
                    },
                    KeyTotals {
                        plugin_key: "plugins~Plugin_linear".to_owned(),
                        event_type: "codex_plugin_uninstalled".to_owned(),
                        current: 0,
                        previous: 1,
                    },
                    KeyTotals {
                        plugin_key: "plugins~Plugin_linear".to_owned(),
                        event_type: "codex_plugin_used".to_owned(),
                        current: 2,
                        previous: 1,
                    },
                ]
            );
            assert_eq!(
                db.rollup_models(KeyScope::All, today - 6, today + 1)
                    .await
                    .unwrap(),
                vec![
                    ModelCount {
                        model: "gpt-5".to_owned(),
                        uses: 3,
                    },
                    ModelCount {
                        model: String::new(),
                        uses: 1,
                    },
                    ModelCount {
                        model: "o3".to_owned(),
                        uses: 1,
                    },
                ]
            );
            assert!(
                db.rollup_days(KeyScope::Only(&[]), today - 6, today + 1)
                    .await
                    .unwrap()
                    .is_empty()
            );
        };
        check(server.db.clone()).await;
        // Retention removes every raw event; the rollups stay.
        assert_eq!(server.db.prune_events(i64::MAX).await.unwrap(), 8);
        assert!(server.db.events().await.unwrap().is_empty());
        check(server.db.clone()).await;
    }
);

on_both_backends!(
    installs_and_uninstalls_record_active_install_counts,
    false,
    |server| {
        let item = server
            .publish("tracker", berth_server::PublishOptions::default())
            .await;
        let other = server.add_account("acct-2").await;
        let path = format!("/ps/plugins/{}/install", item.id);
        assert_eq!(server.post(&path).await.0, 200);
        assert_eq!(server.send_as("POST", &path, &other, "acct-2").await.0, 200);
        // Installing again changes nothing.
        assert_eq!(server.post(&path).await.0, 200);
        let today = berth_server_now() / SECONDS_PER_DAY;
        let ids = [item.id.clone()];
        let counts = server.db.install_counts(&ids, today + 1).await.unwrap();
        assert_eq!(
            counts,
            vec![InstallCount {
                plugin_id: item.id.clone(),
                day: today,
                active: 2,
            }]
        );
        let uninstall = format!("/plugins/{}/uninstall", item.id);
        assert_eq!(server.post(&uninstall).await.0, 200);
        let counts = server.db.install_counts(&ids, today + 1).await.unwrap();
        assert_eq!(counts[0].active, 1);
    }
);

fn berth_server_now() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

/// Applies every migration before 0005 with sqlx's own migrator, stores events and installs
/// the way the previous release did, then opens the database with [`Db::connect`], which runs
/// 0005 and its backfill.
async fn backfill_scenario(backend: Backend) {
    let Some(url) = database_url(backend).await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let url =
        url.unwrap_or_else(|| format!("sqlite://{}?mode=rwc", dir.path().join("old.db").display()));
    let folder = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(folder);
    let earlier = dir.path().join("earlier");
    std::fs::create_dir_all(&earlier).unwrap();
    for entry in std::fs::read_dir(&source).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.as_str() < "0005" {
            std::fs::copy(&path, earlier.join(&name)).unwrap();
        }
    }
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    sqlx::migrate::Migrator::new(earlier.as_path())
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    let day = 20_000_i64;
    let rows = [
        (
            day,
            "codex_plugin_used",
            linear(json!({"model_slug": "gpt-5"})),
        ),
        (
            day,
            "codex_plugin_used",
            linear(json!({"model_slug": "gpt-5"})),
        ),
        (
            day + 1,
            "codex_plugin_used",
            json!({"plugin_id": "sample@debug", "remote_plugin_id": ""}),
        ),
        (day + 1, "codex_plugin_installed", linear(json!({}))),
        (day + 1, "codex_turn_event", json!({"thread_id": "t"})),
    ];
    for (row_day, event_type, params) in rows {
        let key = |name: &str| params.get(name).and_then(Value::as_str).map(str::to_owned);
        sqlx::query(
            "INSERT INTO analytics_events \
               (received_at, account_id, event_type, event_params, plugin_id, remote_plugin_id) \
             VALUES ($1, 'acct-1', $2, $3, $4, $5)",
        )
        .bind(row_day * SECONDS_PER_DAY + 60)
        .bind(event_type)
        .bind(params.to_string())
        .bind(key("plugin_id"))
        .bind(key("remote_plugin_id"))
        .execute(&pool)
        .await
        .unwrap();
    }
    for statement in [
        "INSERT INTO plugins (id, name, scope, discoverability, owner_account_id, creator_name, \
           share_url, share_principals, installation_policy, authentication_policy, status, \
           version, bundle_sha256, release_json, updated_at, revision) VALUES \
           ('plugins~Plugin_linear', 'linear', 'GLOBAL', NULL, NULL, NULL, NULL, '[]', 'AVAILABLE', \
            'ON_USE', 'AVAILABLE', '1.0.0', 'abc', '{\"version\":\"1.0.0\",\"display_name\":\"Linear\"}', 5, 2)",
        "INSERT INTO installs (account_id, plugin_id, enabled, disabled_skill_names, installed_at) \
           VALUES ('a', 'plugins~Plugin_linear', 1, '[]', 1728000100)",
        "INSERT INTO installs (account_id, plugin_id, enabled, disabled_skill_names, installed_at) \
           VALUES ('b', 'plugins~Plugin_linear', 1, '[]', 1728086500)",
    ] {
        sqlx::query(statement).execute(&pool).await.unwrap();
    }
    pool.close().await;

    let db = Db::connect(&url).await.unwrap();
    assert_eq!(
        db.rollup_days(KeyScope::All, day, day + 2).await.unwrap(),
        vec![
            day_count(day, "codex_plugin_used", 2),
            day_count(day + 1, "codex_plugin_installed", 1),
            day_count(day + 1, "codex_plugin_used", 1),
        ]
    );
    let sample = ["sample@debug".to_owned()];
    assert_eq!(
        db.rollup_days(KeyScope::Only(&sample), day, day + 2)
            .await
            .unwrap(),
        vec![day_count(day + 1, "codex_plugin_used", 1)]
    );
    assert_eq!(
        db.rollup_models(KeyScope::All, day, day + 2).await.unwrap(),
        vec![
            ModelCount {
                model: "gpt-5".to_owned(),
                uses: 2,
            },
            ModelCount {
                model: String::new(),
                uses: 1,
            },
        ]
    );
    // 1728000100 is day 20000, 1728086500 day 20001: cumulative counts of the installs held.
    let linear_id = ["plugins~Plugin_linear".to_owned()];
    assert_eq!(
        db.install_counts(&linear_id, day + 10).await.unwrap(),
        vec![
            InstallCount {
                plugin_id: "plugins~Plugin_linear".to_owned(),
                day,
                active: 1,
            },
            InstallCount {
                plugin_id: "plugins~Plugin_linear".to_owned(),
                day: day + 1,
                active: 2,
            },
        ]
    );
    // Ingest after the migration adds to the backfilled rows under the same keys.
    let more = vec![event(
        "codex_plugin_used",
        linear(json!({"model_slug": "gpt-5"})),
    )];
    let batch = berth_server::IngestBatch {
        account_id: "acct-1",
        batch_key: None,
        events: &more,
        bytes: 1,
    };
    db.ingest_events_at(batch, u64::MAX, day * SECONDS_PER_DAY + 7)
        .await
        .unwrap();
    assert_eq!(
        db.rollup_days(KeyScope::Only(&linear_id), day, day + 1)
            .await
            .unwrap(),
        vec![day_count(day, "codex_plugin_used", 3)]
    );
    db.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rollup_migration_backfills_earlier_events_and_installs_on_sqlite() {
    backfill_scenario(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rollup_migration_backfills_earlier_events_and_installs_on_postgres() {
    backfill_scenario(Backend::Postgres).await;
}
