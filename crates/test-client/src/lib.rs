//! Smoke workflows that prove the plugin analytics path end to end against a running app
//! server (`berth app-server` or Codex's `codex app-server`): `plugin-analytics-smoke`,
//! `plugin-analytics-mutation-smoke` and the recovery `plugin-remote-uninstall`. Reachable as
//! the `berth-test-client` binary and as `berth smoke ...`.
//!
//! Main types: [`SmokeArgs`] (the command line), [`smoke::SmokeOptions`], [`AppServer`],
//! [`ResponsesServer`] (loopback model), [`Collector`] (recording proxy for analytics) and
//! [`Outcome`].

pub mod app_server;
pub mod collector;
pub mod events;
pub mod outcome;
pub mod report;
pub mod responses_server;
pub mod smoke;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

pub use app_server::{AppServer, AppServerError, AppServerSpec};
pub use collector::Collector;
pub use outcome::Outcome;
pub use responses_server::ResponsesServer;

/// Options shared by every smoke.
#[derive(Debug, Args)]
pub struct SmokeArgs {
    /// The app server binary: `berth` (default) or Codex's `codex`.
    #[arg(long, alias = "codex-bin", value_name = "PATH", global = true)]
    pub server_bin: Option<PathBuf>,
    /// The plugin service the analytics collector forwards to (default: `chatgpt_base_url`
    /// from the overrides).
    #[arg(long, value_name = "URL", global = true)]
    pub service_url: Option<String>,
    /// A CA certificate (PEM) to trust for the service; also given to the server as
    /// `CODEX_CA_CERTIFICATE`.
    #[arg(long, value_name = "PEM", global = true)]
    pub ca_certificate: Option<PathBuf>,
    /// The smoke to run.
    #[command(subcommand)]
    pub command: SmokeCommand,
}

/// The smokes.
#[derive(Debug, Subcommand)]
pub enum SmokeCommand {
    /// Disable, enable and mention an installed plugin; validate its analytics (non-mutating).
    PluginAnalyticsSmoke {
        /// The plugin's local id, `name@marketplace`.
        #[arg(long, value_name = "ID")]
        plugin_id: String,
        /// Read events from this debug-build capture file instead of the loopback collector.
        #[arg(long, value_name = "PATH")]
        capture_file: Option<PathBuf>,
    },
    /// Install and uninstall a remote plugin on the account; validate both events.
    PluginAnalyticsMutationSmoke {
        /// The backend plugin id (`plugins~Plugin_...`).
        #[arg(long, value_name = "ID")]
        remote_plugin_id: String,
        /// Confirm that the active account may be changed (and is restored afterwards).
        #[arg(long)]
        confirm_account_mutation: bool,
        /// Read events from this debug-build capture file instead of the loopback collector.
        #[arg(long, value_name = "PATH")]
        capture_file: Option<PathBuf>,
        /// Whether exactly one `codex_plugin_uninstalled` is required (default), or at most
        /// one (`optional`, for servers that send none).
        #[arg(long, value_enum, default_value_t = smoke::identity::UninstallEvent::Required)]
        uninstall_event: smoke::identity::UninstallEvent,
    },
    /// Recovery: uninstall a remote plugin on the service and remove its local cache.
    PluginRemoteUninstall {
        /// The backend plugin id (`plugins~Plugin_...`).
        #[arg(long, value_name = "ID")]
        remote_plugin_id: String,
        /// Confirm that the active account may be changed.
        #[arg(long)]
        confirm_account_mutation: bool,
    },
}

/// Runs a smoke, prints exactly one outcome line, and returns the exit code. `codex_home` is
/// the home the server uses (default: `$CODEX_HOME`, else `~/.codex`); `config_overrides` are
/// `key=value` pairs forwarded to the server as `--config`.
pub fn run(
    args: SmokeArgs,
    default_server_bin: PathBuf,
    codex_home: Option<PathBuf>,
    config_overrides: Vec<String>,
) -> ExitCode {
    let codex_home = codex_home
        .or_else(smoke::default_codex_home)
        .unwrap_or_default();
    let mut options = smoke::SmokeOptions {
        server_bin: args.server_bin.unwrap_or(default_server_bin),
        config_overrides,
        codex_home,
        capture_file: None,
        service_url: args.service_url,
        ca_certificate: args.ca_certificate,
        verbose: true,
    };
    let outcome = match args.command {
        SmokeCommand::PluginAnalyticsSmoke {
            plugin_id,
            capture_file,
        } => {
            options.capture_file = capture_file;
            smoke::analytics::run(&options, &plugin_id)
        }
        SmokeCommand::PluginAnalyticsMutationSmoke {
            remote_plugin_id,
            confirm_account_mutation,
            capture_file,
            uninstall_event,
        } => {
            options.capture_file = capture_file;
            smoke::mutation::run_with(
                &options,
                &remote_plugin_id,
                confirm_account_mutation,
                uninstall_event,
            )
        }
        SmokeCommand::PluginRemoteUninstall {
            remote_plugin_id,
            confirm_account_mutation,
        } => smoke::mutation::recover(&options, &remote_plugin_id, confirm_account_mutation),
    };
    report::line(outcome.to_string());
    outcome.exit_code()
}

/// The `berth` binary next to the running program, else `berth` on `PATH`.
pub fn sibling_berth() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("berth")))
        .filter(|path| path.is_file())
        .unwrap_or_else(|| PathBuf::from("berth"))
}
