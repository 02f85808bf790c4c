//! One module per command; each returns the process exit code or an error for `main` to
//! render.

pub(crate) mod app_server;
mod completion;
pub(crate) mod login;
mod marketplace;
pub(crate) mod plugin;
pub(crate) mod publish;
mod quickstart;
pub(crate) mod serve;
mod smoke;

use std::process::ExitCode;

use crate::cli::{Cli, Command, HomeArgs, MarketplaceCommand, PluginCommand};
use crate::context::Context;

/// A failure caused by what the user asked for, rendered as is (exit code 1).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct UserError(pub(crate) String);

pub(crate) fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let Cli {
        home,
        command,
        verbose,
    } = cli;
    match command {
        Command::Plugin(args) => {
            let context = Context::new(&home.merged(args.home))?;
            run_plugin(context, args.command)
        }
        Command::Marketplace(args) => {
            let context = Context::new(&home.merged(args.home))?;
            run_marketplace(context, args.command)
        }
        Command::AppServer(args) => {
            let home = home.merged(args.home.clone());
            app_server::run(&args, &home)
        }
        Command::Smoke(args) => smoke::run(args.smoke, &home.merged(args.home)),
        Command::Quickstart(args) => {
            refuse_home_options(&home, "quickstart")?;
            quickstart::run(&args, verbose > 0)
        }
        Command::Serve(args) => {
            refuse_home_options(&home, "serve")?;
            serve::run(*args)
        }
        Command::Publish(args) => {
            let home = login_home(&home, args.codex_home.clone(), "publish")?;
            publish::run(home.as_deref(), args)
        }
        Command::Completion(args) => {
            refuse_home_options(&home, "completion")?;
            completion::run(&args)
        }
        Command::Login(args) => {
            let home = login_home(&home, args.codex_home.clone(), "login")?;
            login::login(home.as_deref(), &args)
        }
        Command::Logout(args) => {
            let home = login_home(&home, args.codex_home.clone(), "logout")?;
            login::logout(home.as_deref(), &args)
        }
        Command::Whoami(args) => {
            let home = login_home(&home, args.codex_home.clone(), "whoami")?;
            login::whoami(home.as_deref(), &args)
        }
    }
}

fn run_marketplace(context: Context, command: MarketplaceCommand) -> anyhow::Result<ExitCode> {
    // An upgrade refreshes installed plugins, which reports their new versions.
    let context = match &command {
        MarketplaceCommand::Upgrade { .. } => context.with_analytics(),
        MarketplaceCommand::Add(_)
        | MarketplaceCommand::List { .. }
        | MarketplaceCommand::Remove { .. } => context,
    };
    marketplace::run(&context, command)
}

fn run_plugin(context: Context, command: PluginCommand) -> anyhow::Result<ExitCode> {
    if let PluginCommand::Marketplace(command) = command {
        return run_marketplace(context, command);
    }
    if !plugin::plugins_feature_enabled(&context)? {
        return plugin::run_with_plugins_off(&command);
    }
    // Commands that change plugins report analytics; reading needs no pipeline.
    let context = match &command {
        PluginCommand::Add(_)
        | PluginCommand::Remove(_)
        | PluginCommand::Enable(_)
        | PluginCommand::Disable(_)
        | PluginCommand::Update(_) => context.with_analytics(),
        PluginCommand::List(_)
        | PluginCommand::Read(_)
        | PluginCommand::Sync(_)
        | PluginCommand::Outdated(_)
        | PluginCommand::Validate(_)
        | PluginCommand::Marketplace(_) => context,
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

/// The Codex home of a command that only reads or writes its login: `--codex-home` given after
/// the command, else before it; config overrides and feature flags are refused.
fn login_home(
    home: &HomeArgs,
    after: Option<std::path::PathBuf>,
    command: &str,
) -> Result<Option<std::path::PathBuf>, UserError> {
    let codex_home = after.or_else(|| home.codex_home.clone());
    refuse_options(
        &HomeArgs {
            codex_home: None,
            ..home.clone()
        },
        &format!("`berth {command}` uses only the Codex home's login, not its config"),
    )?;
    Ok(codex_home)
}

/// Refuses the Codex-home options given before a command that has no Codex home to use them
/// on (they are not in its help either).
fn refuse_home_options(home: &HomeArgs, command: &str) -> Result<(), UserError> {
    refuse_options(
        home,
        &format!("`berth {command}` does not use a Codex home"),
    )
}

/// Refuses the home options set in `home`, saying `why` they do not apply.
fn refuse_options(home: &HomeArgs, why: &str) -> Result<(), UserError> {
    let mut given = Vec::new();
    if home.codex_home.is_some() {
        given.push("--codex-home");
    }
    if !home.config_overrides.is_empty() {
        given.push("-c/--config");
    }
    if !home.enable_features.is_empty() {
        given.push("--enable");
    }
    if !home.disable_features.is_empty() {
        given.push("--disable");
    }
    if given.is_empty() {
        return Ok(());
    }
    Err(UserError(format!(
        "{why}, so it does not take {}; drop {}",
        given.join(", "),
        if given.len() == 1 { "it" } else { "them" }
    )))
}
