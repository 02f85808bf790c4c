//! Throw-away databases on the `PostgreSQL` server of `BERTH_TEST_POSTGRES_URL`, for the
//! server's tests and benchmarks (each includes this file).

#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "test and bench harness: a database that cannot be made fails the run"
)]

use sqlx::Connection as _;

/// Creates the empty database `name` on the server of `base` (dropping one left by an earlier
/// run) and returns its URL.
pub(crate) async fn create_database(base: &str, name: &str) -> String {
    admin(base, &format!("DROP DATABASE IF EXISTS {name}")).await;
    admin(base, &format!("CREATE DATABASE {name}")).await;
    let (prefix, _) = base
        .rsplit_once('/')
        .expect("a database URL ends with /NAME");
    format!("{prefix}/{name}")
}

/// Drops the database `name` from the server of `base`.
#[allow(dead_code, reason = "not every includer cleans up")]
pub(crate) async fn drop_database(base: &str, name: &str) {
    admin(base, &format!("DROP DATABASE IF EXISTS {name}")).await;
}

async fn admin(base: &str, statement: &str) {
    let mut conn = sqlx::PgConnection::connect(base)
        .await
        .expect("connect to the test PostgreSQL server");
    sqlx::query(statement)
        .execute(&mut conn)
        .await
        .unwrap_or_else(|err| panic!("{statement}: {err}"));
    conn.close().await.expect("close the admin connection");
}
