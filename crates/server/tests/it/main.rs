//! Integration tests of `berth serve`: the real server on 127.0.0.1 with a real HTTP client,
//! over `SQLite` always and `PostgreSQL` when `BERTH_TEST_POSTGRES_URL` is set (required in CI).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines,
    reason = "test helpers and scenarios outside #[test] functions fail loudly"
)]

mod admin;
mod analytics;
mod api;
mod auth;
mod browser;
mod bundles;
mod codex_interop;
mod durability;
mod freshness;
mod gc;
mod instances;
mod migrations;
mod ops;
mod outage;
mod policies;
mod publish_http;
mod rollups;
mod support;
mod tls;
mod web;
