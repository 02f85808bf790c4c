//! `berth plugin remove`: uninstall a plugin, delete its cache and its config entry.

use std::process::ExitCode;

use serde_json::json;

use crate::cli::SelectorArgs;
use crate::commands::plugin::selected_plugin_id;
use crate::context::Context;
use crate::printer;

pub(crate) fn run(context: &Context, args: &SelectorArgs) -> anyhow::Result<ExitCode> {
    let id = selected_plugin_id(args)?;
    let outcome = context.manager.uninstall_plugin(&id.as_key())?;
    if args.json {
        printer::json(&json!({
            "pluginId": outcome.plugin_id.as_key(),
            "name": outcome.plugin_id.plugin_name(),
            "marketplaceName": outcome.plugin_id.marketplace_name(),
        }))?;
    } else if outcome.was_installed {
        printer::line(format!(
            "Removed plugin `{}` from marketplace `{}`.",
            outcome.plugin_id.plugin_name(),
            outcome.plugin_id.marketplace_name()
        ))?;
    } else {
        printer::line(format!(
            "Plugin `{}` was not installed; nothing to remove.",
            outcome.plugin_id
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}
