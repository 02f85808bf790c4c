//! `berth plugin sync`: run the remote installed-bundle sync (what Codex does at startup) and
//! print what it installed, removed, backfilled and could not sync.

use std::process::ExitCode;

use berth_remote::RemoteSyncOutcome;
use serde_json::json;

use crate::cli::SyncArgs;
use crate::commands::plugin::remote::{self, RemoteSession};
use crate::context::Context;
use crate::printer;

pub(crate) fn run(context: &Context, args: &SyncArgs) -> anyhow::Result<ExitCode> {
    let session = RemoteSession::connect(context)?;
    let progress = remote::progress(args.json);
    let outcome = session
        .runtime
        .block_on(context.manager.sync_remote_plugins(
            &session.client,
            session.policy,
            progress.as_ref(),
        ))?;
    if args.json {
        printer::json(&json!({
            "installed": outcome.installed_plugin_ids,
            "updated": outcome.updated_plugin_ids,
            "removed": outcome.removed_cache_plugin_ids,
            "failed": outcome.failed_remote_plugin_ids,
            "backfilled": outcome.backfilled_plugin_ids,
        }))?;
    } else {
        printer::line(summary(&outcome))?;
    }
    if outcome.failed_remote_plugin_ids.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        printer::note(format!(
            "warning: {} remote plugin(s) could not be synced; the warnings above say why, and `berth plugin sync` retries",
            outcome.failed_remote_plugin_ids.len()
        ));
        Ok(ExitCode::from(1))
    }
}

/// One line per group, naming each plugin.
fn summary(outcome: &RemoteSyncOutcome) -> String {
    let groups = [
        ("Installed", &outcome.installed_plugin_ids),
        ("Updated", &outcome.updated_plugin_ids),
        ("Removed stale cache", &outcome.removed_cache_plugin_ids),
        ("Failed", &outcome.failed_remote_plugin_ids),
        ("Up to date", &outcome.backfilled_plugin_ids),
    ];
    let updated = match outcome.updated_plugin_ids.len() {
        0 => String::new(),
        count => format!(" {count} updated,"),
    };
    let mut lines = vec![format!(
        "Synced remote plugins: {} installed,{updated} {} removed, {} failed, {} up to date.",
        outcome.installed_plugin_ids.len(),
        outcome.removed_cache_plugin_ids.len(),
        outcome.failed_remote_plugin_ids.len(),
        outcome.backfilled_plugin_ids.len()
    )];
    for (label, ids) in groups {
        if !ids.is_empty() {
            lines.push(format!("{label}: {}", ids.join(", ")));
        }
    }
    lines.join("\n")
}
