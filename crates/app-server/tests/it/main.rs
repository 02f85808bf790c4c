//! Integration tests: the `berth-app-server` binary (the same `run_stdio` as `berth
//! app-server`) driven over pipes, against loopback model providers and analytics collectors,
//! and side by side with the real Codex 0.169.0 `codex app-server`.

#![expect(
    clippy::disallowed_methods,
    reason = "tests write fixture files directly"
)]
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a failed step is a failed test"
)]

mod conformance;
mod deltas;
mod git;
mod harness;
mod hostile_input;
mod loopback;
mod overload;
mod protocol;
mod remote;
mod service;
mod turns;
