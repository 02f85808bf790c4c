//! `berth marketplace add|list|upgrade|remove` (also `berth plugin marketplace ...`): the
//! marketplaces recorded in config.toml, local folders and Git repositories.

mod add;
mod list;
mod remove;
mod upgrade;

use std::process::ExitCode;

use crate::cli::MarketplaceCommand;
use crate::context::Context;

pub(crate) fn run(context: &Context, command: MarketplaceCommand) -> anyhow::Result<ExitCode> {
    match command {
        MarketplaceCommand::Add(args) => add::run(context, &args),
        MarketplaceCommand::List { json } => list::run(context, json),
        MarketplaceCommand::Upgrade { name, json } => upgrade::run(context, name.as_deref(), json),
        MarketplaceCommand::Remove { name, json } => remove::run(context, &name, json),
    }
}
