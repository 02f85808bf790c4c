//! The command-line interface as data: every command, argument and flag with its help.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// berth: a plugin manager for AI coding agents, compatible with Codex's plugin system.
#[derive(Debug, Parser)]
#[command(name = "berth", version, about, long_about = None, propagate_version = true)]
pub(crate) struct Cli {
    /// The Codex home to manage (default: `$CODEX_HOME`, else `~/.codex`).
    #[arg(long, global = true, value_name = "DIR")]
    pub(crate) codex_home: Option<PathBuf>,

    /// Log more (repeat for more detail); logs go to stderr. `RUST_LOG` overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,

    /// Override a config value for this run only, e.g. `-c model="o3"` (the value is TOML;
    /// repeatable; never written to config.toml).
    #[arg(short = 'c', long = "config", global = true, value_name = "KEY=VALUE")]
    pub(crate) config_overrides: Vec<String>,

    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Install, list, read, enable, disable and remove plugins.
    #[command(subcommand)]
    Plugin(PluginCommand),
    /// Add, list, upgrade or remove plugin marketplaces recorded in config.toml.
    #[command(subcommand)]
    Marketplace(MarketplaceCommand),
    /// Run the whole local plugin workflow on an example marketplace in a temporary home.
    Quickstart(QuickstartArgs),
    /// Run the JSON-RPC app server on stdio (compatible with `codex app-server`).
    AppServer(crate::commands::app_server::AppServerArgs),
    /// Run a smoke workflow that proves the plugin analytics path against an app server.
    Smoke(berth_test_client::SmokeArgs),
    /// Run the plugin service (Codex's plugin-service API) and administer it.
    Serve(Box<crate::commands::serve::ServeArgs>),
    /// Pack a plugin folder and register it as a release in the plugin service.
    Publish(crate::commands::publish::PublishArgs),
    /// Log the Codex home in to a berth plugin service with a token it minted.
    Login(crate::commands::login::LoginArgs),
    /// Undo `berth login`: the earlier `auth.json` and `chatgpt_base_url` come back.
    Logout(crate::commands::login::LogoutArgs),
    /// Show the account, service, scopes and expiry of the Codex home's login.
    Whoami(crate::commands::login::WhoamiArgs),
}

#[derive(Debug, Subcommand)]
pub(crate) enum PluginCommand {
    /// List plugins of the marketplaces in scope.
    List(ListArgs),
    /// Install a plugin from a marketplace and enable it.
    Add(SelectorArgs),
    /// Uninstall a plugin and remove its cache.
    Remove(SelectorArgs),
    /// Enable an installed plugin.
    Enable(SelectorArgs),
    /// Disable an installed plugin (it stays installed).
    Disable(SelectorArgs),
    /// Show a plugin's details: skills, MCP servers, apps, hooks.
    Read(SelectorArgs),
    /// Make the cache match the remote plugins installed on the plugin service.
    Sync(SyncArgs),
    /// List installed plugins whose marketplace offers another version.
    Outdated(OutdatedArgs),
    /// Install the version a plugin's marketplace offers now (keeps it enabled or disabled).
    Update(UpdateArgs),
    /// Check a plugin folder as `berth publish` and the plugin service will.
    Validate(crate::commands::plugin::validate::ValidateArgs),
    /// Add, list, upgrade or remove plugin marketplaces (same as `berth marketplace`).
    #[command(subcommand)]
    Marketplace(MarketplaceCommand),
}

#[derive(Debug, Args)]
pub(crate) struct OutdatedArgs {
    /// Output as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct UpdateArgs {
    /// The plugin to update: `PLUGIN@MARKETPLACE`, `PLUGIN` with `--marketplace`, or a remote
    /// plugin's backend id.
    #[arg(
        value_name = "PLUGIN[@MARKETPLACE]",
        required_unless_present = "all",
        conflicts_with = "all"
    )]
    pub(crate) plugin: Option<String>,
    /// Marketplace to use when PLUGIN does not include `@MARKETPLACE`.
    #[arg(short, long, value_name = "MARKETPLACE", requires = "plugin")]
    pub(crate) marketplace: Option<String>,
    /// Update every installed plugin that has another version available.
    #[arg(long)]
    pub(crate) all: bool,
    /// Output the result as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// Output as JSON (the shape `codex plugin list --json` prints).
    #[arg(long)]
    pub(crate) json: bool,
    /// Include uninstalled marketplace plugins in the JSON output.
    #[arg(long)]
    pub(crate) available: bool,
    /// Only list plugins from this marketplace.
    #[arg(short, long, value_name = "MARKETPLACE")]
    pub(crate) marketplace: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct SyncArgs {
    /// Output the outcome as JSON (no progress bar).
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct SelectorArgs {
    /// `PLUGIN@MARKETPLACE`, `PLUGIN` with `--marketplace`, or a remote plugin's backend id
    /// (`plugins~Plugin_linear`).
    #[arg(value_name = "PLUGIN[@MARKETPLACE]")]
    pub(crate) plugin: String,
    /// Marketplace to use when PLUGIN does not include `@MARKETPLACE`.
    #[arg(short, long, value_name = "MARKETPLACE")]
    pub(crate) marketplace: Option<String>,
    /// Output the result as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum MarketplaceCommand {
    /// Add a local or Git marketplace to config.toml.
    #[command(
        after_help = "Examples:\n  berth marketplace add ./path/to/marketplace\n  berth marketplace add owner/repo --ref main\n  berth marketplace add https://github.com/owner/repo --sparse plugins/foo"
    )]
    Add(MarketplaceAddArgs),
    /// List the marketplaces in scope, their roots and, for Git ones, source, ref and revision.
    List {
        /// Output as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Fetch Git marketplaces and refresh their installed plugins (all of them, or NAME).
    Upgrade {
        /// The configured Git marketplace to upgrade (default: every Git marketplace).
        #[arg(value_name = "MARKETPLACE_NAME")]
        name: Option<String>,
        /// Output the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Remove a marketplace (a Git marketplace's snapshot too; installed plugins stay).
    Remove {
        /// The marketplace name.
        name: String,
        /// Output the result as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub(crate) struct MarketplaceAddArgs {
    /// A local path, `owner/repo[@ref]` (GitHub), an `http(s)://` Git URL, or an SSH Git URL
    /// (`git@host:path`, `ssh://`).
    #[arg(value_name = "SOURCE")]
    pub(crate) source: String,
    /// The branch, tag or commit of a Git marketplace to follow (a tag or commit never moves).
    #[arg(long = "ref", value_name = "REF")]
    pub(crate) ref_name: Option<String>,
    /// Check out only this folder of a Git marketplace (repeatable; include `.agents`).
    #[arg(long = "sparse", value_name = "PATH")]
    pub(crate) sparse_paths: Vec<String>,
    /// Output the result as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct QuickstartArgs {
    /// Keep the temporary Codex home for inspection and print where it is.
    #[arg(long)]
    pub(crate) keep: bool,
    /// The marketplace to use (default: the example marketplace shipped with berth).
    #[arg(long, value_name = "DIR")]
    pub(crate) marketplace: Option<PathBuf>,
    /// Run only the local half (no plugin service, app server or smokes).
    #[arg(long)]
    pub(crate) local_only: bool,
}
