//! `berth serve`: runs the plugin service, and its admin subcommands (`events`, `account`,
//! `token`, `status`) that work directly on the service's database. The clap types for the
//! command live here to keep the shared `cli.rs` edit to one variant.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use berth_server::{Account, Db, ServerConfig, TlsPaths};
use berth_service_protocol::Status;
use clap::{Args, Subcommand};

use crate::commands::UserError;
use crate::printer;

mod events;
mod limits;

use events::EventsArgs;
use limits::LimitArgs;

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
    /// Manage access tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Set a plugin's admin status (`AVAILABLE` or `DISABLED_BY_ADMIN`).
    Status {
        #[command(flatten)]
        storage: StorageArgs,
        /// The backend plugin id.
        plugin_id: String,
        /// `AVAILABLE` or `DISABLED_BY_ADMIN`.
        status: String,
    },
}

/// `berth serve account ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum AccountCommand {
    /// Add an account; its id is what clients send in `chatgpt-account-id`.
    Add {
        #[command(flatten)]
        storage: StorageArgs,
        /// Account id.
        id: String,
        /// Display name (default: the id).
        #[arg(long)]
        name: Option<String>,
    },
    /// List accounts.
    List {
        #[command(flatten)]
        storage: StorageArgs,
        /// Output as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `berth serve token ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum TokenCommand {
    /// Create a token for an account and print it once (only its hash is stored).
    Add {
        #[command(flatten)]
        storage: StorageArgs,
        /// Account id.
        account: String,
        /// A label to recognise the token by.
        #[arg(long, default_value = "")]
        label: String,
    },
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
        None => {
            let limits = args.limits.limits();
            runtime.block_on(serve(
                args.storage,
                args.bind,
                args.public_url,
                args.tls_cert.zip(args.tls_key),
                args.dev,
                limits,
            ))
        }
        Some(ServeCommand::Events(args)) => runtime.block_on(events::run(args)),
        Some(ServeCommand::Account(AccountCommand::Add { storage, id, name })) => {
            runtime.block_on(async move {
                if !berth_plugin::is_valid_remote_plugin_id(&id) {
                    return Err(UserError(format!(
                        "invalid account id `{id}`: use ASCII letters, digits, `_`, `-` and `~`"
                    ))
                    .into());
                }
                let db = open_db(&storage).await?;
                let outcome = add_account_once(&db, &id, name.as_deref().unwrap_or(&id)).await;
                db.close().await;
                match outcome? {
                    (account, true) => printer::line(format!("account `{}` added", account.id))?,
                    (account, false) => printer::line(format!(
                        "account `{}` already exists (name `{}`); nothing changed",
                        account.id, account.name
                    ))?,
                }
                Ok(ExitCode::SUCCESS)
            })
        }
        Some(ServeCommand::Account(AccountCommand::List { storage, json })) => {
            runtime.block_on(async move {
                let db = open_db(&storage).await?;
                let accounts = db.accounts().await?;
                db.close().await;
                if json {
                    printer::json(&accounts)?;
                } else {
                    let rows: Vec<Vec<String>> = accounts
                        .iter()
                        .map(|account| vec![account.id.clone(), account.name.clone()])
                        .collect();
                    printer::line(printer::table(&["ID", "NAME"], &rows))?;
                    if rows.is_empty() {
                        printer::note("no accounts yet; add one with `berth serve account add ID`");
                    }
                }
                Ok(ExitCode::SUCCESS)
            })
        }
        Some(ServeCommand::Token(TokenCommand::Add {
            storage,
            account,
            label,
        })) => runtime.block_on(async move {
            let db = open_db(&storage).await?;
            let token = db.add_token(&account, &label).await;
            db.close().await;
            let token = token.map_err(|err| UserError(err.to_string()))?;
            printer::line(token)?;
            printer::note(format!(
                "send it as `Authorization: Bearer <token>` with `chatgpt-account-id: {account}`; it is not shown again"
            ));
            Ok(ExitCode::SUCCESS)
        }),
        Some(ServeCommand::Status {
            storage,
            plugin_id,
            status,
        }) => runtime.block_on(async move {
            let status = Status::parse(&status).ok_or_else(|| {
                UserError(format!(
                    "unknown status `{status}`; use AVAILABLE or DISABLED_BY_ADMIN"
                ))
            })?;
            let db = open_db(&storage).await?;
            let found = db.set_plugin_status(&plugin_id, status).await;
            db.close().await;
            if !found? {
                return Err(UserError(format!(
                    "no plugin `{plugin_id}`; publish it with `berth publish`"
                ))
                .into());
            }
            printer::line(format!("plugin `{plugin_id}` is now {}", status.as_str()))?;
            Ok(ExitCode::SUCCESS)
        }),
    }
}

/// Adds account `id` unless it exists; returns the account and whether it was added.
async fn add_account_once(db: &Db, id: &str, name: &str) -> anyhow::Result<(Account, bool)> {
    if let Some(account) = db.account(id).await? {
        return Ok((account, false));
    }
    Ok((db.add_account(id, name).await?, true))
}

async fn serve(
    storage: StorageArgs,
    bind: SocketAddr,
    public_url: Option<String>,
    tls: Option<(PathBuf, PathBuf)>,
    dev: bool,
    limits: berth_server::Limits,
) -> anyhow::Result<ExitCode> {
    let mut config = storage.config();
    config.limits = limits;
    config.bind = bind;
    config.public_url = public_url;
    config.tls = tls.map(|(cert, key)| TlsPaths { cert, key });
    config.dev_mode = dev;
    let server = berth_server::start(config).await?;
    printer::line(format!(
        "berth serve listening on {} (API base URL: {})",
        server.api_url.trim_end_matches("/backend-api"),
        server.api_url
    ))?;
    if dev {
        printer::note("development mode: unsigned test tokens are accepted");
    }
    let handle = server.handle();
    tokio::spawn(async move {
        shutdown_signal().await;
        handle.shutdown();
    });
    server.wait().await?;
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let Ok(mut term) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        else {
            let _ = ctrl_c.await;
            return;
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
