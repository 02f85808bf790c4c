//! `berth serve`: runs the plugin service, and its admin subcommands (`events`, `account`,
//! `token`, `status`, `gc`) that work directly on the service's database. The clap types for the
//! command live here to keep the shared `cli.rs` edit to one variant.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use std::io::Write as _;

use anyhow::Context as _;
use berth_server::{BundleStoreKind, Db, ServerConfig, TlsPaths};
use clap::{Args, Subcommand};

use crate::printer;

mod account;
mod events;
mod gc;
mod limits;
mod plugin;
pub(crate) mod target;
mod token;

use account::AccountCommand;
use events::EventsArgs;
use gc::GcArgs;
use limits::LimitArgs;
use plugin::{PluginCommand, StatusArgs};
use token::TokenCommand;

/// Where the service keeps its data; shared by `berth serve` and `berth publish`.
#[derive(Debug, Clone, Args)]
pub(crate) struct StorageArgs {
    /// Database URL: `sqlite://PATH` or `postgres://USER:PASS@HOST/DB` (default: an `SQLite` file
    /// in the data folder).
    #[arg(long, env = "BERTH_DATABASE_URL", value_name = "URL")]
    pub(crate) database_url: Option<String>,
    /// Folder for the `SQLite` database and the bundles (default:
    /// `~/.local/share/berth/serve`).
    #[arg(long, env = berth_server::DATA_DIR_ENV, value_name = "DIR")]
    pub(crate) data_dir: Option<PathBuf>,
    /// Where bundles are stored: `folder` (`<data-dir>/bundles`) or `database` (default: the
    /// database with `PostgreSQL`, so every instance serves every bundle; the folder with
    /// `SQLite`).
    #[arg(long, env = "BERTH_BUNDLE_STORE", value_name = "STORE", value_parser = parse_bundle_store)]
    pub(crate) bundle_store: Option<BundleStoreKind>,
}

fn parse_bundle_store(value: &str) -> Result<BundleStoreKind, String> {
    BundleStoreKind::parse(value)
        .ok_or_else(|| format!("unknown bundle store `{value}`; use `folder` or `database`"))
}

impl StorageArgs {
    pub(crate) fn data_dir(&self) -> PathBuf {
        self.data_dir.clone().unwrap_or_else(|| {
            std::env::var_os("HOME").map_or_else(
                || PathBuf::from("berth-serve-data"),
                |home| PathBuf::from(home).join(".local/share/berth/serve"),
            )
        })
    }

    pub(crate) fn config(&self) -> ServerConfig {
        let mut config = ServerConfig::new(self.data_dir());
        config.database_url.clone_from(&self.database_url);
        config.bundle_store = self.bundle_store;
        config
    }
}

/// `berth serve`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct ServeArgs {
    #[command(subcommand)]
    pub(crate) command: Option<ServeCommand>,
    #[command(flatten)]
    pub(crate) storage: StorageArgs,
    /// Address to listen on; port 0 picks a free port (the URL printed shows it).
    #[arg(long, default_value = "127.0.0.1:8787", value_name = "ADDR")]
    pub(crate) bind: SocketAddr,
    /// Public origin for bundle download URLs, e.g. `https://plugins.example.com` (default: the
    /// bound address).
    #[arg(long, value_name = "URL")]
    pub(crate) public_url: Option<String>,
    /// TLS certificate chain (PEM); serve https.
    #[arg(long, requires = "tls_key", value_name = "FILE")]
    pub(crate) tls_cert: Option<PathBuf>,
    /// TLS private key (PEM).
    #[arg(long, requires = "tls_cert", value_name = "FILE")]
    pub(crate) tls_key: Option<PathBuf>,
    /// Development mode: also accept Codex's unsigned test tokens (loopback addresses only).
    #[arg(long)]
    pub(crate) dev: bool,
    /// Answer `/metrics` only to requests with an admin token (`Authorization: Bearer`).
    #[arg(long, env = "BERTH_SERVE_METRICS_TOKEN_REQUIRED")]
    pub(crate) metrics_token_required: bool,
    /// Let anonymous visitors of the web pages browse the GLOBAL catalog (otherwise every page
    /// needs sign-in with a service token).
    #[arg(long, env = "BERTH_SERVE_PUBLIC_CATALOG")]
    pub(crate) public_catalog: bool,
    #[command(flatten)]
    pub(crate) limits: LimitArgs,
}

/// Admin subcommands of `berth serve`.
#[derive(Debug, Subcommand)]
pub(crate) enum ServeCommand {
    /// List the analytics events clients sent, oldest first.
    Events(EventsArgs),
    /// Manage accounts.
    #[command(subcommand)]
    Account(AccountCommand),
    /// Manage access tokens (scopes, expiry, revocation).
    #[command(subcommand)]
    Token(TokenCommand),
    /// List plugins, their releases, withdraw a release or roll back to one.
    #[command(subcommand)]
    Plugin(PluginCommand),
    /// Set a plugin's admin status (`AVAILABLE` or `DISABLED_BY_ADMIN`).
    Status(StatusArgs),
    /// Remove the bundles no release references (from the bundle folder and the database)
    /// and the leftovers of interrupted uploads.
    Gc(GcArgs),
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")
}

async fn open_db(storage: &StorageArgs) -> anyhow::Result<Db> {
    let (db, _) = berth_server::open_storage(&storage.config()).await?;
    Ok(db)
}

pub(crate) fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let runtime = runtime()?;
    match args.command {
        None => runtime.block_on(serve(args)),
        Some(ServeCommand::Events(args)) => runtime.block_on(events::run(args)),
        Some(ServeCommand::Gc(args)) => runtime.block_on(gc::run(args)),
        Some(ServeCommand::Account(command)) => runtime.block_on(account::run(command)),
        Some(ServeCommand::Token(command)) => runtime.block_on(token::run(command)),
        Some(ServeCommand::Plugin(command)) => runtime.block_on(plugin::run(command)),
        Some(ServeCommand::Status(args)) => runtime.block_on(plugin::status(args)),
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let mut config = args.storage.config();
    config.limits = args.limits.limits();
    config.bind = args.bind;
    config.public_url = args.public_url;
    config.tls = args
        .tls_cert
        .zip(args.tls_key)
        .map(|(cert, key)| TlsPaths { cert, key });
    config.dev_mode = args.dev;
    config.metrics_token_required = args.metrics_token_required;
    config.public_catalog = args.public_catalog;
    let plain_http_on_network = config.tls.is_none() && !config.bind.ip().is_loopback();
    let stop = shutdown_signal();
    let server = berth_server::start(config).await?;
    // One write, so a reader that takes the first line and closes the pipe (as scripts do)
    // gets the whole block and never turns a later line into a broken pipe.
    let mut out = printer::stdout();
    writeln!(
        out,
        "berth serve listening on {} (API base URL: {})\ndatabase: {}\nbundles: {}\n\
         web catalog and insights: {}/ ({})",
        server.api_url.trim_end_matches("/backend-api"),
        server.api_url,
        server.database,
        server.bundle_store,
        server.api_url.trim_end_matches("/backend-api"),
        if args.public_catalog {
            "anonymous visitors see the GLOBAL catalog"
        } else {
            "sign in with a service token"
        }
    )?;
    out.flush()?;
    drop(out);
    if plain_http_on_network {
        printer::note(format!(
            "warning: serving plain http on {}, reachable from other machines: tokens and \
             bundles cross the network unencrypted; pass --tls-cert and --tls-key, or keep \
             this address behind a TLS-terminating proxy",
            server.local_addr
        ));
    }
    if args.dev {
        printer::note("development mode: unsigned test tokens are accepted");
    }
    let handle = server.handle();
    tokio::spawn(async move {
        stop.await;
        handle.shutdown();
    });
    server.wait().await?;
    Ok(ExitCode::SUCCESS)
}

/// Resolves on Ctrl-C or SIGTERM. The SIGTERM handler is installed when this is called, not
/// when first awaited, so a SIGTERM that comes right after the banner still stops gracefully.
fn shutdown_signal() -> impl Future<Output = ()> {
    #[cfg(unix)]
    let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    async move {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        if let Some(mut term) = term {
            tokio::select! {
                _ = ctrl_c => {}
                _ = term.recv() => {}
            }
            return;
        }
        let _ = ctrl_c.await;
    }
}
