//! `berth plugin enable` / `berth plugin disable`: flip `enabled` in config.toml for an
//! installed plugin.

use std::process::ExitCode;

use serde_json::json;

use crate::cli::SelectorArgs;
use crate::commands::plugin::selected_plugin_id;
use crate::context::Context;
use crate::printer;

pub(crate) fn run(
    context: &Context,
    args: &SelectorArgs,
    enabled: bool,
) -> anyhow::Result<ExitCode> {
    let id = selected_plugin_id(args)?;
    let outcome = context.manager.set_plugin_enabled(&id.as_key(), enabled)?;
    if args.json {
        printer::json(&json!({
            "pluginId": outcome.plugin_id.as_key(),
            "enabled": outcome.enabled,
            "changed": outcome.enabled != outcome.was_enabled,
        }))?;
    } else {
        let verb = if enabled { "Enabled" } else { "Disabled" };
        let note = if outcome.enabled == outcome.was_enabled {
            " (it already was)"
        } else {
            ""
        };
        printer::line(format!("{verb} plugin `{}`{note}.", outcome.plugin_id))?;
    }
    Ok(ExitCode::SUCCESS)
}
