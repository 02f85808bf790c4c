//! The command-line interface as data: every command, argument and flag with its help.
//!
//! The Codex-home options ([`HomeArgs`]: `--codex-home`, `-c`, `--enable`, `--disable`) are
//! accepted before the subcommand (`berth -c k=v plugin list`) and anywhere after the commands
//! that use them (`berth plugin list -c k=v`); commands that ignore them (`serve`, `publish`,
//! `quickstart`, `completion`) neither list them in their help nor accept them.
//! `--version` belongs to `berth` alone. Each subcommand's arguments are only defined when it
//! is the one that runs (see [`command`]).

use std::path::PathBuf;

use clap::{ArgMatches, Args, FromArgMatches as _, Subcommand};

/// A parsed command line.
#[derive(Debug)]
pub(crate) struct Cli {
    pub(crate) home: HomeArgs,
    pub(crate) verbose: u8,
    pub(crate) command: Command,
}

impl Cli {
    /// The command line [`command`] matched.
    pub(crate) fn from_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let top = TopArgs::from_arg_matches(matches)?;
        Ok(Self {
            home: top.home,
            verbose: top.verbose,
            command: Command::from_arg_matches(matches)?,
        })
    }
}

/// The options of `berth` itself.
#[derive(Debug, Args)]
struct TopArgs {
    #[command(flatten)]
    home: HomeArgs,

    /// Log more (repeat for more detail); logs go to stderr. `RUST_LOG` overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
}

/// The options of every command that works on a Codex home.
#[derive(Debug, Clone, Default, Args)]
pub(crate) struct HomeArgs {
    /// The Codex home to manage (default: `$CODEX_HOME`, else `~/.codex`).
    #[arg(long, value_name = "DIR")]
    pub(crate) codex_home: Option<PathBuf>,

    /// Override a config value for this run only, e.g. `-c chatgpt_base_url="http://..."`
    /// (the value is TOML; repeatable; never written to config.toml).
    #[arg(short = 'c', long = "config", value_name = "KEY=VALUE")]
    pub(crate) config_overrides: Vec<String>,

    /// Turn a feature on for this run (repeatable); same as `-c features.FEATURE=true`.
    #[arg(long = "enable", value_name = "FEATURE")]
    pub(crate) enable_features: Vec<String>,

    /// Turn a feature off for this run (repeatable); same as `-c features.FEATURE=false`.
    #[arg(long = "disable", value_name = "FEATURE")]
    pub(crate) disable_features: Vec<String>,
}

/// Argument ids of [`HomeArgs`], made global below the commands that use them.
const HOME_ARG_IDS: [&str; 4] = [
    "codex_home",
    "config_overrides",
    "enable_features",
    "disable_features",
];

impl HomeArgs {
    /// These options given before the subcommand, then `later` ones given after it: a later
    /// `--codex-home` wins, overrides apply in order.
    pub(crate) fn merged(mut self, later: Self) -> Self {
        if later.codex_home.is_some() {
            self.codex_home = later.codex_home;
        }
        self.config_overrides.extend(later.config_overrides);
        self.enable_features.extend(later.enable_features);
        self.disable_features.extend(later.disable_features);
        self
    }

    /// The `-c` overrides with `--enable`/`--disable` spelled as `features.NAME=BOOL`, after
    /// the explicit ones (as Codex applies them).
    pub(crate) fn overrides(&self) -> Vec<String> {
        let features = self
            .enable_features
            .iter()
            .map(|name| format!("features.{name}=true"))
            .chain(
                self.disable_features
                    .iter()
                    .map(|name| format!("features.{name}=false")),
            );
        self.config_overrides
            .iter()
            .cloned()
            .chain(features)
            .collect()
    }
}

/// The `berth` command. A subcommand's arguments and help are defined only when it runs
/// (`clap::Command::defer`): defining all of them at every start would cost a short command
/// much of its resident memory. Below the commands that work on a Codex home, the home
/// options are global.
pub(crate) fn command() -> clap::Command {
    let top = clap::Command::new("berth")
        .version(env!("CARGO_PKG_VERSION"))
        .about(env!("CARGO_PKG_DESCRIPTION"))
        .subcommand_required(true)
        .arg_required_else_help(true);
    // An `Args` type's doc comment would replace the subcommand's help, so each deferred
    // definition sets it again.
    TopArgs::augment_args(top)
        .about(env!("CARGO_PKG_DESCRIPTION"))
        .subcommands([
            clap::Command::new("plugin")
                .about(PLUGIN)
                .defer(|command| home_global(PluginArgs::augment_args(command)).about(PLUGIN)),
            clap::Command::new("marketplace")
                .about(MARKETPLACE)
                .defer(|command| {
                    home_global(MarketplaceArgs::augment_args(command)).about(MARKETPLACE)
                }),
            clap::Command::new("quickstart")
                .about(QUICKSTART)
                .defer(|command| QuickstartArgs::augment_args(command).about(QUICKSTART)),
            clap::Command::new("app-server")
                .about(APP_SERVER)
                .defer(|command| {
                    home_global(crate::commands::app_server::AppServerArgs::augment_args(
                        command,
                    ))
                    .about(APP_SERVER)
                }),
            clap::Command::new("smoke")
                .about(SMOKE)
                .defer(|command| home_global(SmokeCliArgs::augment_args(command)).about(SMOKE)),
            clap::Command::new("serve").about(SERVE).defer(|command| {
                crate::commands::serve::ServeArgs::augment_args(command).about(SERVE)
            }),
            clap::Command::new("publish")
                .about(PUBLISH)
                .defer(|command| {
                    crate::commands::publish::PublishArgs::augment_args(command).about(PUBLISH)
                }),
            clap::Command::new("login").about(LOGIN).defer(|command| {
                crate::commands::login::LoginArgs::augment_args(command).about(LOGIN)
            }),
            clap::Command::new("logout").about(LOGOUT).defer(|command| {
                crate::commands::login::LogoutArgs::augment_args(command).about(LOGOUT)
            }),
            clap::Command::new("whoami").about(WHOAMI).defer(|command| {
                crate::commands::login::WhoamiArgs::augment_args(command).about(WHOAMI)
            }),
            clap::Command::new("completion")
                .about(COMPLETION)
                .defer(|command| CompletionArgs::augment_args(command).about(COMPLETION)),
        ])
}

const PLUGIN: &str = "Install, list, read, enable, disable and remove plugins";
const MARKETPLACE: &str =
    "Add, list, upgrade or remove plugin marketplaces recorded in config.toml";
const QUICKSTART: &str =
    "Run the whole local plugin workflow on an example marketplace in a temporary home";
const APP_SERVER: &str =
    "Run the JSON-RPC app server on stdio (compatible with `codex app-server`)";
const SMOKE: &str =
    "Run a smoke workflow that proves the plugin analytics path against an app server";
const SERVE: &str = "Run the plugin service (Codex's plugin-service API) and administer it";
const PUBLISH: &str = "Pack a plugin folder and publish it to the plugin service";
const LOGIN: &str = "Log the Codex home in to a berth plugin service with a token it minted";
const LOGOUT: &str = "Undo `berth login`: the earlier `auth.json` and `chatgpt_base_url` come back";
const WHOAMI: &str = "Show the account, service, scopes and expiry of the Codex home's login";
const COMPLETION: &str = "Print a shell completion script, e.g. `berth completion bash > ~/.local/share/bash-completion/completions/berth`";

/// `command` with the home options global, so they are accepted after its subcommands too.
fn home_global(command: clap::Command) -> clap::Command {
    HOME_ARG_IDS.iter().fold(command, |command, id| {
        command.mut_arg(id, |arg| arg.global(true))
    })
}

/// The subcommands; their names, help and arguments are defined in [`command`] (this type
/// reads what they matched).
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    Plugin(PluginArgs),
    Marketplace(MarketplaceArgs),
    Quickstart(QuickstartArgs),
    AppServer(crate::commands::app_server::AppServerArgs),
    Smoke(SmokeCliArgs),
    Serve(Box<crate::commands::serve::ServeArgs>),
    Publish(crate::commands::publish::PublishArgs),
    Login(crate::commands::login::LoginArgs),
    Logout(crate::commands::login::LogoutArgs),
    Whoami(crate::commands::login::WhoamiArgs),
    Completion(CompletionArgs),
}

/// `berth plugin ...`.
#[derive(Debug, Args)]
pub(crate) struct PluginArgs {
    #[command(flatten)]
    pub(crate) home: HomeArgs,
    #[command(subcommand)]
    pub(crate) command: PluginCommand,
}

/// `berth marketplace ...`.
#[derive(Debug, Args)]
pub(crate) struct MarketplaceArgs {
    #[command(flatten)]
    pub(crate) home: HomeArgs,
    #[command(subcommand)]
    pub(crate) command: MarketplaceCommand,
}

/// `berth smoke ...`.
#[derive(Debug, Args)]
pub(crate) struct SmokeCliArgs {
    #[command(flatten)]
    pub(crate) home: HomeArgs,
    #[command(flatten)]
    pub(crate) smoke: berth_test_client::SmokeArgs,
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
    /// Keep the temporary folder (Codex home, marketplace, service data) and print how to reuse it.
    #[arg(long)]
    pub(crate) keep: bool,
    /// The marketplace to use (default: the example marketplace shipped with berth).
    #[arg(long, value_name = "DIR")]
    pub(crate) marketplace: Option<PathBuf>,
    /// Run only the local half (no plugin service, app server or smokes).
    #[arg(long)]
    pub(crate) local_only: bool,
}

#[derive(Debug, Args)]
pub(crate) struct CompletionArgs {
    /// The shell to write the completion script for.
    #[arg(value_enum)]
    pub(crate) shell: clap_complete::Shell,
}
