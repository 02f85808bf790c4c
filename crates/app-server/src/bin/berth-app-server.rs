//! `berth-app-server [-c key=value]... [app-server]`: the app server alone, on stdio, for this
//! crate's integration tests and benchmarks (Cargo builds it for them; the `berth` binary lives
//! in another package). Users run `berth app-server`, which calls the same `run_stdio`.

use std::process::ExitCode;
use std::sync::Arc;

use berth_app_server::{ServerOptions, run_stdio};

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let mut overrides = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-c" | "--config" => {
                let Some(value) = args.next() else {
                    tracing::error!("`{arg}` needs a `key=value` argument");
                    return ExitCode::from(2);
                };
                overrides.push(value);
            }
            "app-server" => {}
            other => {
                tracing::error!(
                    "unexpected argument `{other}`; usage: berth-app-server [-c key=value]... [app-server]"
                );
                return ExitCode::from(2);
            }
        }
    }
    let Some(codex_home) = std::env::var_os("CODEX_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::home_dir().map(|home| home.join(".codex")))
    else {
        tracing::error!("cannot find the Codex home; set CODEX_HOME");
        return ExitCode::from(2);
    };
    let options = ServerOptions {
        codex_home: std::path::absolute(&codex_home).unwrap_or(codex_home),
        home_dir: std::env::home_dir(),
        cwd: std::env::current_dir().unwrap_or_default(),
        config_overrides: overrides,
        env: Arc::new(|name| std::env::var(name).ok()),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            tracing::error!("failed to start the async runtime: {err}");
            return ExitCode::from(2);
        }
    };
    let served = runtime.block_on(run_stdio(options));
    // `run_stdio` already waited (boundedly) for requests; nothing may keep the process alive.
    runtime.shutdown_background();
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!("{}", berth_app_server::error_chain(&err));
            ExitCode::from(1)
        }
    }
}
