//! `berth smoke ...`: the smoke workflows of `berth-test-client`, run against this binary's
//! own app server unless `--server-bin` names another (e.g. Codex). The global `-c key=value`
//! overrides are forwarded to the server.

use std::process::ExitCode;

use anyhow::Context as _;

use crate::cli::HomeArgs;
use crate::context::resolve_codex_home;

pub(crate) fn run(args: berth_test_client::SmokeArgs, home: &HomeArgs) -> anyhow::Result<ExitCode> {
    let berth = std::env::current_exe().context("cannot locate the running berth binary")?;
    let codex_home = resolve_codex_home(home.codex_home.as_deref())?;
    Ok(berth_test_client::run(
        args,
        berth,
        Some(codex_home),
        home.overrides(),
    ))
}
