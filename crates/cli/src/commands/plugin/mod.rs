//! `berth plugin ...` commands.

pub(crate) mod add;
pub(crate) mod list;
mod list_remote;
pub(crate) mod outdated;
pub(crate) mod read;
mod read_remote;
pub(crate) mod remote;
pub(crate) mod remove;
pub(crate) mod sync;
pub(crate) mod toggle;
mod unknown;
pub(crate) mod update;
pub(crate) mod validate;

use std::process::ExitCode;

use berth_plugin::PluginId;
use serde_json::json;

use crate::cli::{PluginCommand, SelectorArgs};
use crate::commands::UserError;
use crate::context::Context;
use crate::printer;

/// Why nothing happens while `features.plugins` is off.
const PLUGINS_OFF: &str = "plugins are turned off (`features.plugins = false` in config.toml or an override); turn them on for one run with `--enable plugins`";

/// `features.plugins`, on unless set false (in config.toml or by an override), as in Codex.
pub(crate) fn plugins_feature_enabled(context: &Context) -> anyhow::Result<bool> {
    Ok(context.manager.config().load()?.feature_enabled("plugins") != Some(false))
}

/// A plugin command while plugins are off: the listing is empty (as Codex prints it) with a
/// warning saying why; every other command is refused.
pub(crate) fn run_with_plugins_off(command: &PluginCommand) -> anyhow::Result<ExitCode> {
    let PluginCommand::List(args) = command else {
        return Err(UserError(PLUGINS_OFF.to_owned()).into());
    };
    printer::warning(PLUGINS_OFF);
    if args.json {
        printer::json(&json!({ "installed": [], "available": [] }))?;
    } else {
        printer::line("No marketplace plugins found.")?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Resolves `PLUGIN@MARKETPLACE` or `PLUGIN --marketplace MARKETPLACE` to a plugin id.
pub(crate) fn selected_plugin_id(
    args: &SelectorArgs,
) -> Result<PluginId, berth_core::ManagerError> {
    match (&args.marketplace, args.plugin.contains('@')) {
        (_, true) => Ok(PluginId::parse(&args.plugin)?),
        (Some(marketplace), false) => Ok(PluginId::new(args.plugin.clone(), marketplace.clone())?),
        (None, false) => Err(berth_core::ManagerError::MarketplaceRequired),
    }
}
