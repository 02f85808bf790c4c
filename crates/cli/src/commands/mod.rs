//! One module per command; each returns the process exit code or an error for `main` to
//! render.

pub(crate) mod app_server;
pub(crate) mod login;
mod marketplace;
pub(crate) mod plugin;
pub(crate) mod publish;
mod quickstart;
pub(crate) mod serve;
mod smoke;

use std::process::ExitCode;

use crate::cli::{Cli, Command, MarketplaceCommand, PluginCommand};
use crate::context::Context;

/// A failure caused by what the user asked for, rendered as is (exit code 1).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct UserError(pub(crate) String);

pub(crate) fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Plugin(command) => {
            let context = Context::new(cli.codex_home.as_deref())?;
            // Commands that change plugins report analytics; reading needs no pipeline.
            let context = match &command {
                PluginCommand::Add(_)
                | PluginCommand::Remove(_)
                | PluginCommand::Enable(_)
                | PluginCommand::Disable(_)
                | PluginCommand::Update(_)
                | PluginCommand::Marketplace(MarketplaceCommand::Upgrade { .. }) => {
                    context.with_analytics()
                }
                PluginCommand::List(_)
                | PluginCommand::Read(_)
                | PluginCommand::Sync(_)
                | PluginCommand::Outdated(_)
                | PluginCommand::Validate(_)
                | PluginCommand::Marketplace(
                    MarketplaceCommand::Add(_)
                    | MarketplaceCommand::List { .. }
                    | MarketplaceCommand::Remove { .. },
                ) => context,
            };
            match command {
                PluginCommand::List(args) => plugin::list::run(&context, &args),
                PluginCommand::Add(args) => plugin::add::run(&context, &args),
                PluginCommand::Remove(args) => plugin::remove::run(&context, &args),
                PluginCommand::Enable(args) => plugin::toggle::run(&context, &args, true),
                PluginCommand::Disable(args) => plugin::toggle::run(&context, &args, false),
                PluginCommand::Read(args) => plugin::read::run(&context, &args),
                PluginCommand::Sync(args) => plugin::sync::run(&context, &args),
                PluginCommand::Outdated(args) => plugin::outdated::run(&context, &args),
                PluginCommand::Update(args) => plugin::update::run(&context, &args),
                PluginCommand::Validate(args) => plugin::validate::run(&args),
                PluginCommand::Marketplace(command) => marketplace::run(&context, command),
            }
        }
        Command::Marketplace(command) => {
            let context = Context::new(cli.codex_home.as_deref())?;
            // An upgrade refreshes installed plugins, which reports their new versions.
            let context = match &command {
                MarketplaceCommand::Upgrade { .. } => context.with_analytics(),
                MarketplaceCommand::Add(_)
                | MarketplaceCommand::List { .. }
                | MarketplaceCommand::Remove { .. } => context,
            };
            marketplace::run(&context, command)
        }
        Command::Quickstart(args) => quickstart::run(&args),
        Command::AppServer(args) => {
            app_server::run(&args, cli.codex_home.as_deref(), &cli.config_overrides)
        }
        Command::Smoke(args) => smoke::run(args, cli.codex_home.as_deref(), &cli.config_overrides),
        Command::Serve(args) => serve::run(*args),
        Command::Publish(args) => publish::run(cli.codex_home.as_deref(), args),
        Command::Login(args) => login::login(cli.codex_home.as_deref(), &args),
        Command::Logout(args) => login::logout(cli.codex_home.as_deref(), &args),
        Command::Whoami(args) => login::whoami(cli.codex_home.as_deref(), &args),
    }
}
