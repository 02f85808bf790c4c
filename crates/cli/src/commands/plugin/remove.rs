//! `berth plugin remove`: uninstall a plugin, delete its cache and its config entry; for a
//! remote plugin, uninstall it on the plugin service and delete its cache.

use std::process::ExitCode;

use berth_plugin::PluginId;
use serde_json::json;

use crate::cli::SelectorArgs;
use crate::commands::UserError;
use crate::commands::plugin::remote::{self, RemoteSession, Selected};
use crate::commands::plugin::unknown;
use crate::context::Context;
use crate::printer;

pub(crate) fn run(context: &Context, args: &SelectorArgs) -> anyhow::Result<ExitCode> {
    let id = match remote::select(args)? {
        Selected::Local(id) => id,
        Selected::RemoteByName(id) => {
            let session = RemoteSession::connect(context)?;
            let remote_id = match context.manager.remote_plugin_id_for(&id) {
                Some(remote_id) => remote_id,
                None => installed_remote_id(&session, &id)?,
            };
            return run_remote(context, &session, &remote_id, args.json);
        }
        Selected::RemoteById(remote_id) => {
            let session = RemoteSession::connect(context)?;
            return run_remote(context, &session, &remote_id, args.json);
        }
    };
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
        if let Some(hint) = unknown::closest_installed(context, &outcome.plugin_id) {
            printer::hint(hint);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The backend id of the installed remote plugin `id`, from the service's installed list.
fn installed_remote_id(session: &RemoteSession, id: &PluginId) -> anyhow::Result<String> {
    let installed = session
        .runtime
        .block_on(session.client.list_installed(false))?;
    installed
        .into_iter()
        .map(|installed| installed.item)
        .find(|item| berth_remote::local_plugin_id(item).is_ok_and(|local| &local == id))
        .map(|item| item.id)
        .ok_or_else(|| {
            UserError(format!(
                "remote plugin `{id}` is not installed; `berth plugin list` shows what is"
            ))
            .into()
        })
}

fn run_remote(
    context: &Context,
    session: &RemoteSession,
    remote_id: &str,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let outcome = session.runtime.block_on(
        context
            .manager
            .uninstall_remote_plugin(&session.client, remote_id),
    )?;
    if json {
        printer::json(&json!({
            "pluginId": outcome.plugin_id.as_key(),
            "remotePluginId": outcome.remote_plugin_id,
            "name": outcome.plugin_id.plugin_name(),
            "marketplaceName": outcome.plugin_id.marketplace_name(),
        }))?;
    } else {
        printer::line(format!(
            "Removed remote plugin `{}` ({}) from marketplace `{}`.",
            outcome.plugin_id.plugin_name(),
            outcome.remote_plugin_id,
            outcome.plugin_id.marketplace_name()
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}
