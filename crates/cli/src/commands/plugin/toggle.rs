//! `berth plugin enable` / `berth plugin disable`: flip `enabled` in config.toml for an
//! installed plugin. A remote plugin's state lives on the plugin service, and Codex ignores
//! config.toml entries for remote plugins (a remote install writes none and counts as
//! enabled), so berth writes nothing for them either: enabling an installed one reports that
//! it already is, and disabling one is refused with what to do instead.

use std::process::ExitCode;

use berth_plugin::PluginId;
use serde_json::json;

use crate::cli::SelectorArgs;
use crate::commands::UserError;
use crate::commands::plugin::remote::{self, RemoteSession, Selected};
use crate::commands::plugin::unknown;
use crate::context::Context;
use crate::failure::with_hint;
use crate::printer;

pub(crate) fn run(
    context: &Context,
    args: &SelectorArgs,
    enabled: bool,
) -> anyhow::Result<ExitCode> {
    let id = match remote::select(args)? {
        Selected::Local(id) => id,
        Selected::RemoteByName(id) => return run_remote(context, args, Some(&id), enabled),
        Selected::RemoteById(_) => return run_remote(context, args, None, enabled),
    };
    let outcome = context
        .manager
        .set_plugin_enabled(&id.as_key(), enabled)
        .map_err(|err| unknown::explain(context, err.into()))?;
    print(
        &outcome.plugin_id,
        outcome.enabled,
        outcome.enabled != outcome.was_enabled,
        args.json,
    )
}

fn print(id: &PluginId, enabled: bool, changed: bool, json: bool) -> anyhow::Result<ExitCode> {
    if json {
        printer::json(&json!({
            "pluginId": id.as_key(),
            "enabled": enabled,
            "changed": changed,
        }))?;
    } else {
        let verb = if enabled { "Enabled" } else { "Disabled" };
        let note = if changed { "" } else { " (it already was)" };
        printer::line(format!("{verb} plugin `{id}`{note}."))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A remote plugin, by local id or (when `id` is `None`) by the backend id in `args`.
fn run_remote(
    context: &Context,
    args: &SelectorArgs,
    id: Option<&PluginId>,
    enabled: bool,
) -> anyhow::Result<ExitCode> {
    let named = id.map_or_else(|| args.plugin.clone(), PluginId::as_key);
    if !enabled {
        return Err(with_hint(
            UserError(format!(
                "remote plugin `{named}` cannot be disabled on this machine: its state lives on the plugin service, and Codex ignores config.toml for remote plugins"
            )),
            format!("to stop using it, remove it with `berth plugin remove {named}`"),
        ));
    }
    let session = RemoteSession::connect(context)?;
    let installed = session
        .runtime
        .block_on(session.client.list_installed(false))?
        .into_iter()
        .find(|installed| match id {
            Some(id) => {
                berth_remote::local_plugin_id(&installed.item).is_ok_and(|local| local == *id)
            }
            None => installed.item.id == args.plugin,
        });
    let Some(installed) = installed else {
        return Err(UserError(format!(
            "remote plugin `{named}` is not installed; install it with `berth plugin add {named}`"
        ))
        .into());
    };
    if !installed.enabled {
        return Err(UserError(format!(
            "remote plugin `{named}` is disabled on the plugin service {}, which berth cannot change",
            session.client.base_url()
        ))
        .into());
    }
    let id = berth_remote::local_plugin_id(&installed.item)?;
    print(&id, true, false, args.json)
}
