//! Integration tests of the `berth` binary: one module per area.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a failed step is a failed test"
)]

mod analytics;
mod app_server;
mod codex_compat;
mod crash_sweep;
mod faults;
mod git_faults;
mod git_fixture;
mod git_interop;
mod git_marketplaces;
mod hostile_files;
mod layout;
mod lifecycle;
mod new_user;
mod new_user_remote;
mod remote;
mod remote_codex;
mod serve_admin;
mod serve_durability;
mod serve_limits;
mod serve_ops;
mod serve_postgres;
mod smoke_faults;
mod smokes;
mod team;
mod updates;

use std::path::Path;
use std::process::{Command, Output};

use berth_test_support::TestHome;

/// The `berth` binary under test.
pub(crate) fn berth_bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_berth"))
}

/// `berth <args>` in `home`.
pub(crate) fn berth(home: &TestHome, args: &[&str]) -> Output {
    home.command(berth_bin())
        .args(args)
        .output()
        .expect("run berth")
}

/// `berth <args>` that must succeed; returns stdout.
pub(crate) fn berth_ok(home: &TestHome, args: &[&str]) -> String {
    let output = berth(home, args);
    assert!(
        output.status.success(),
        "berth {args:?} failed with {}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8 stdout")
}

/// Runs a command that must succeed; returns stdout.
pub(crate) fn run_ok(mut command: Command) -> String {
    let output = command.output().expect("spawn");
    assert!(
        output.status.success(),
        "{command:?} failed with {}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8 stdout")
}
