//! `berth app-server`: the JSON-RPC app server on stdio (compatible with `codex
//! app-server`), with the global `-c key=value` overrides applied in memory; and
//! `berth app-server generate-json-schema --out DIR`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use clap::{Args, Subcommand};

use crate::cli::HomeArgs;
use crate::context::resolve_codex_home;
use crate::printer;

#[derive(Debug, Args)]
pub(crate) struct AppServerArgs {
    #[command(flatten)]
    pub(crate) home: HomeArgs,
    #[command(subcommand)]
    pub(crate) command: Option<AppServerCommand>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum AppServerCommand {
    /// Write the JSON Schema of every app-server message type into DIR (plugin types under
    /// `v2/`).
    GenerateJsonSchema {
        /// The folder to write into (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

pub(crate) fn run(args: &AppServerArgs, home: &HomeArgs) -> anyhow::Result<ExitCode> {
    match &args.command {
        Some(AppServerCommand::GenerateJsonSchema { out }) => generate_json_schema(out),
        None => serve(home),
    }
}

fn serve(home: &HomeArgs) -> anyhow::Result<ExitCode> {
    let options = berth_app_server::ServerOptions {
        codex_home: resolve_codex_home(home.codex_home.as_deref())?,
        home_dir: std::env::home_dir(),
        cwd: std::env::current_dir().context("failed to read the working directory")?,
        config_overrides: home.overrides(),
        env: Arc::new(|name| std::env::var(name).ok()),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("failed to start the async runtime")?;
    let served = runtime.block_on(berth_app_server::run_stdio(options));
    // `run_stdio` already waited (boundedly) for requests and flushed analytics; a blocking
    // task still stuck must not keep the process alive.
    runtime.shutdown_background();
    served?;
    Ok(ExitCode::SUCCESS)
}

fn generate_json_schema(out: &Path) -> anyhow::Result<ExitCode> {
    let schemas = berth_app_server_protocol::json_schemas();
    for (name, schema) in &schemas {
        let path = out.join(format!("{name}.json"));
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("failed to create `{}`", parent.display()))?;
        }
        let text = serde_json::to_string_pretty(schema)?;
        berth_fs::write_atomic(&path, format!("{text}\n").as_bytes())
            .with_context(|| format!("failed to write `{}`", path.display()))?;
    }
    printer::note(format!(
        "wrote {} schemas to {}",
        schemas.len(),
        out.display()
    ));
    Ok(ExitCode::SUCCESS)
}
