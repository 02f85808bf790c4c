//! `berth plugin update [PLUGIN@MARKETPLACE | --all] [--json]`: install the version each
//! plugin's marketplace offers now. Enabled state is kept, `codex_plugin_installed` is reported
//! for each new version, and a failed update leaves the previous version active.

use std::process::ExitCode;

use berth_core::{PluginUpdate, UpdateFailure, UpdateReport, UpdateSelection};
use serde_json::json;

use crate::cli::{SelectorArgs, UpdateArgs};
use crate::commands::UserError;
use crate::commands::plugin::list::error_chain;
use crate::commands::plugin::outdated::{failure_json, remote_outdated};
use crate::commands::plugin::remote::{self, RemoteSession, Selected};
use crate::context::Context;
use crate::printer;
use crate::progress::git_progress;

/// Which remote plugins to update.
enum RemoteSelection {
    None,
    All,
    One(Selected),
}

pub(crate) fn run(context: &Context, args: &UpdateArgs) -> anyhow::Result<ExitCode> {
    let (local, remote_selection) = match &args.plugin {
        None => (Some(UpdateSelection::All), RemoteSelection::All),
        Some(plugin) => {
            let selector = SelectorArgs {
                plugin: plugin.clone(),
                marketplace: args.marketplace.clone(),
                json: args.json,
            };
            match remote::select(&selector)? {
                Selected::Local(id) => (Some(UpdateSelection::One(id)), RemoteSelection::None),
                selected => (None, RemoteSelection::One(selected)),
            }
        }
    };
    let mut report = match &local {
        Some(selection) => {
            let progress = git_progress(args.json);
            context
                .manager
                .update_plugins(selection, progress.as_ref())?
        }
        None => UpdateReport::default(),
    };
    update_remote(context, remote_selection, args.json, &mut report)?;
    if args.json {
        printer::json(&json!({
            "updated": report.updated.iter().map(|update| json!({
                "pluginId": update.plugin_id.as_key(),
                "previousVersion": update.previous_version,
                "version": update.version,
            })).collect::<Vec<_>>(),
            "upToDate": report.up_to_date.iter().map(berth_plugin::PluginId::as_key).collect::<Vec<_>>(),
            "errors": report.errors.iter().map(failure_json).collect::<Vec<_>>(),
        }))?;
    } else {
        printer::line(summary(&report, args.plugin.as_deref()))?;
    }
    for failure in &report.errors {
        printer::note(format!(
            "error: could not update `{}`: {}",
            failure.subject, failure.message
        ));
    }
    if report.errors.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        Err(UserError(format!(
            "{} update(s) failed; those plugins keep their previous version",
            report.errors.len()
        ))
        .into())
    }
}

fn update_remote(
    context: &Context,
    selection: RemoteSelection,
    json: bool,
    report: &mut UpdateReport,
) -> anyhow::Result<()> {
    let outdated = match selection {
        RemoteSelection::None => return Ok(()),
        RemoteSelection::All => match remote_outdated(context) {
            Ok(outdated) => outdated,
            Err(message) => {
                printer::note(format!(
                    "warning: remote plugins were not checked: {message}"
                ));
                return Ok(());
            }
        },
        RemoteSelection::One(selected) => {
            // One named remote plugin: the service must be reachable, or it is an error.
            let session = RemoteSession::connect(context)?;
            let outdated = session
                .runtime
                .block_on(context.manager.outdated_remote_plugins(&session.client))?;
            let found = outdated.into_iter().find(|plugin| match &selected {
                Selected::RemoteById(remote_id) => {
                    plugin.remote_plugin_id.as_deref() == Some(remote_id.as_str())
                }
                Selected::RemoteByName(id) | Selected::Local(id) => plugin.plugin_id == *id,
            });
            match (found, selected) {
                (Some(found), _) => vec![found],
                (None, Selected::RemoteByName(id) | Selected::Local(id)) => {
                    if !context.manager.store().is_installed(&id) {
                        return Err(UserError(format!(
                            "plugin `{id}` is not installed; install it with `berth plugin add {id}`"
                        ))
                        .into());
                    }
                    report.up_to_date.push(id);
                    Vec::new()
                }
                (None, Selected::RemoteById(remote_id)) => {
                    return Err(UserError(format!(
                        "remote plugin `{remote_id}` has no update: it is current or not installed (`berth plugin outdated` lists what can be updated)"
                    ))
                    .into());
                }
            }
        }
    };
    if outdated.is_empty() {
        return Ok(());
    }
    let session = RemoteSession::connect(context)?;
    let progress = remote::progress(json);
    for plugin in outdated {
        let result = session
            .runtime
            .block_on(context.manager.update_remote_plugin(
                &session.client,
                &plugin,
                session.policy,
                progress.as_ref(),
            ));
        match result {
            Ok(update) => report.updated.push(update),
            Err(err) => report.errors.push(UpdateFailure {
                subject: plugin.plugin_id.as_key(),
                message: error_chain(&err.into()),
            }),
        }
    }
    Ok(())
}

fn summary(report: &UpdateReport, plugin: Option<&str>) -> String {
    let mut lines: Vec<String> = report.updated.iter().map(updated_line).collect();
    if lines.is_empty() && report.errors.is_empty() {
        lines.push(match (plugin, report.up_to_date.first()) {
            (Some(_), Some(id)) => format!("Plugin `{id}` is already up to date."),
            _ => "All installed plugins are up to date.".to_owned(),
        });
    }
    lines.join("\n")
}

fn updated_line(update: &PluginUpdate) -> String {
    match &update.previous_version {
        Some(previous) => format!(
            "Updated plugin `{}` from {previous} to {}.",
            update.plugin_id, update.version
        ),
        None => format!(
            "Updated plugin `{}` to {}.",
            update.plugin_id, update.version
        ),
    }
}
