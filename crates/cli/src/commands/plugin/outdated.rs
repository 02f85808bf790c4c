//! `berth plugin outdated [--json]`: installed plugins whose marketplace (a local folder, a Git
//! marketplace at its remote's current revision, a Git plugin source, or the plugin service)
//! offers another version. Nothing is changed.

use std::process::ExitCode;

use berth_core::{OutdatedPlugin, UpdateFailure, UpdateSelection};
use serde_json::{Value, json};

use crate::cli::OutdatedArgs;
use crate::commands::plugin::list::error_chain;
use crate::commands::plugin::remote::RemoteSession;
use crate::context::Context;
use crate::printer::{self, table};
use crate::progress::git_progress;

pub(crate) fn run(context: &Context, args: &OutdatedArgs) -> anyhow::Result<ExitCode> {
    let progress = git_progress(args.json);
    let mut report = context
        .manager
        .outdated_plugins(&UpdateSelection::All, progress.as_ref())?;
    drop(progress);
    match remote_outdated(context) {
        Ok(remote) => report.outdated.extend(remote),
        // As with `plugin list`, an unreachable service does not fail the local check.
        Err(message) => printer::note(format!(
            "warning: remote plugins were not checked: {message}"
        )),
    }
    report
        .outdated
        .sort_by(|a, b| a.plugin_id.cmp(&b.plugin_id));
    if args.json {
        printer::json(&json!({
            "outdated": report.outdated.iter().map(outdated_json).collect::<Vec<_>>(),
            "errors": report.errors.iter().map(failure_json).collect::<Vec<_>>(),
        }))?;
    } else if report.outdated.is_empty() {
        if report.errors.is_empty() {
            printer::line("All installed plugins are up to date.")?;
        } else {
            printer::line("No installed plugin has another version available.")?;
        }
    } else {
        let rows: Vec<Vec<String>> = report
            .outdated
            .iter()
            .map(|plugin| {
                vec![
                    plugin.plugin_id.as_key(),
                    plugin.installed_version.clone(),
                    plugin.available_version.clone(),
                    plugin.kind.as_str().to_owned(),
                ]
            })
            .collect();
        printer::line(table(
            &["PLUGIN", "INSTALLED", "AVAILABLE", "SOURCE"],
            &rows,
        ))?;
        printer::note(
            "hint: update with `berth plugin update PLUGIN@MARKETPLACE` or `berth plugin update --all`",
        );
    }
    for failure in &report.errors {
        printer::note(format!(
            "warning: could not check `{}`: {}",
            failure.subject, failure.message
        ));
    }
    Ok(if report.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The plugin service's outdated plugins; none without a `ChatGPT` login. The error is the
/// reason the service could not be asked, on one line.
pub(crate) fn remote_outdated(context: &Context) -> Result<Vec<OutdatedPlugin>, String> {
    let session = match RemoteSession::connect_if_logged_in(context) {
        Ok(Some(session)) => session,
        Ok(None) => return Ok(Vec::new()),
        Err(err) => return Err(error_chain(&err)),
    };
    session
        .runtime
        .block_on(context.manager.outdated_remote_plugins(&session.client))
        .map_err(|err| error_chain(&err.into()))
}

fn outdated_json(plugin: &OutdatedPlugin) -> Value {
    json!({
        "pluginId": plugin.plugin_id.as_key(),
        "marketplaceName": plugin.plugin_id.marketplace_name(),
        "installedVersion": plugin.installed_version,
        "availableVersion": plugin.available_version,
        "source": plugin.kind.as_str(),
        "remotePluginId": plugin.remote_plugin_id,
    })
}

pub(crate) fn failure_json(failure: &UpdateFailure) -> Value {
    json!({ "subject": failure.subject, "message": failure.message })
}
