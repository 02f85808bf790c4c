//! `berth-test-client`: the smoke workflows as a standalone binary.

use std::process::ExitCode;

use clap::Parser;

/// Smoke workflows for the plugin analytics path of an app server.
#[derive(Debug, Parser)]
#[command(name = "berth-test-client", version)]
struct Cli {
    /// The Codex home the server uses (default: `$CODEX_HOME`, else `~/.codex`).
    #[arg(long, value_name = "DIR", global = true)]
    codex_home: Option<std::path::PathBuf>,
    /// Config override `key=value` (TOML value) forwarded to the server; repeatable.
    #[arg(short = 'c', long = "config", value_name = "KEY=VALUE", global = true)]
    config: Vec<String>,
    #[command(flatten)]
    smoke: berth_test_client::SmokeArgs,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .without_time()
        .init();
    let cli = Cli::parse();
    berth_test_client::run(
        cli.smoke,
        berth_test_client::sibling_berth(),
        cli.codex_home,
        cli.config,
    )
}
