//! Upgrading a database made before the team features (issue 14): the tokens it holds keep
//! working as `read` + `publish`, and each plugin's release becomes the first entry of its
//! history, skills included.

use berth_server::Db;
use berth_service_protocol::TokenScope;
use pretty_assertions::assert_eq;
use sqlx::Connection as _;

const BEFORE_TEAMS: [&str; 3] = [
    include_str!("../../migrations/sqlite/0001_init.sql"),
    include_str!("../../migrations/sqlite/0002_catalog_revision.sql"),
    include_str!("../../migrations/sqlite/0003_ingest.sql"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_from_before_teams_keeps_its_tokens_and_gains_release_history() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("old.db").display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    // The schema as the previous release left it, with the migrations it recorded.
    sqlx::query(
        "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, \
         installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, success BOOLEAN NOT NULL, \
         checksum BLOB NOT NULL, execution_time BIGINT NOT NULL)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let migrator = sqlx::migrate!("./migrations/sqlite");
    for (script, migration) in BEFORE_TEAMS.iter().zip(migrator.iter()) {
        sqlx::raw_sql(script).execute(&mut conn).await.unwrap();
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES ($1, $2, TRUE, $3, 0)",
        )
        .bind(migration.version)
        .bind(migration.description.as_ref())
        .bind(migration.checksum.as_ref())
        .execute(&mut conn)
        .await
        .unwrap();
    }
    let legacy = "berth_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    let hash = {
        use sha2::Digest as _;
        use std::fmt::Write as _;
        sha2::Sha256::digest(legacy.as_bytes())
            .iter()
            .fold(String::new(), |mut hex, byte| {
                let _ = write!(hex, "{byte:02x}");
                hex
            })
    };
    for statement in [
        "INSERT INTO accounts (id, name, created_at) VALUES ('acct-1', 'One', 1)".to_owned(),
        format!(
            "INSERT INTO tokens (token_sha256, account_id, label, created_at) \
             VALUES ('{hash}', 'acct-1', 'old', 1)"
        ),
        "INSERT INTO plugins (id, name, scope, discoverability, owner_account_id, creator_name, \
           share_url, share_principals, installation_policy, authentication_policy, status, \
           version, bundle_sha256, release_json, updated_at, revision) VALUES \
           ('plugins~Plugin_old', 'old', 'GLOBAL', NULL, NULL, NULL, NULL, '[]', 'AVAILABLE', \
            'ON_USE', 'AVAILABLE', '1.0.0', 'abc', '{\"version\":\"1.0.0\",\"display_name\":\"Old\"}', 5, 2)"
            .to_owned(),
        "INSERT INTO plugin_skills (plugin_id, name, skill_md) VALUES \
           ('plugins~Plugin_old', 'triage', 'Triage.')"
            .to_owned(),
    ] {
        sqlx::query(&statement).execute(&mut conn).await.unwrap();
    }
    conn.close().await.unwrap();

    let db = Db::connect(&url).await.unwrap();
    let grant = db.token_grant(legacy).await.unwrap().unwrap();
    assert_eq!(grant.account_id, "acct-1");
    assert_eq!(
        grant.scopes,
        [TokenScope::Read, TokenScope::Publish]
            .into_iter()
            .collect()
    );
    assert_eq!(grant.token_id.as_deref(), Some(&hash[..16]));
    let releases = db.releases("plugins~Plugin_old").await.unwrap();
    assert_eq!(releases.len(), 1);
    assert_eq!(
        (releases[0].version.as_str(), releases[0].current),
        ("1.0.0", true)
    );
    // A second release without skills, then withdrawn: the first comes back with the skills the
    // upgrade copied into its history.
    let mut record = db.catalog_changes(0).await.unwrap().plugins.remove(0);
    record.item.release.version = Some("2.0.0".to_owned());
    record.item.release.bundle_sha256 = Some("def".to_owned());
    db.upsert_plugin(&record, &[]).await.unwrap();
    assert_eq!(
        db.skill_md("plugins~Plugin_old", "triage").await.unwrap(),
        None
    );
    db.withdraw_release("plugins~Plugin_old", "2.0.0")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        db.skill_md("plugins~Plugin_old", "triage")
            .await
            .unwrap()
            .as_deref(),
        Some("Triage.")
    );
    db.close().await;
}
