//! `berth plugin sync`: run the remote installed-bundle sync (what Codex does at startup) and
//! say what it did to each plugin, with versions: installed, updated (from and to), unchanged,
//! removed, and the backend ids that could not be synced.

use std::collections::BTreeMap;
use std::process::ExitCode;

use berth_plugin::{PluginId, REMOTE_MARKETPLACES};
use berth_remote::RemoteSyncOutcome;
use serde::Serialize;

use crate::cli::SyncArgs;
use crate::commands::plugin::remote::{self, RemoteSession};
use crate::context::Context;
use crate::printer;

/// What a sync did, by plugin, as printed (`--json` uses the same names).
#[derive(Debug, Default, Serialize)]
struct SyncReport {
    installed: Vec<Versioned>,
    updated: Vec<Updated>,
    unchanged: Vec<Versioned>,
    removed: Vec<Versioned>,
    failed: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Versioned {
    plugin_id: String,
    version: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Updated {
    plugin_id: String,
    from: String,
    to: Option<String>,
}

pub(crate) fn run(context: &Context, args: &SyncArgs) -> anyhow::Result<ExitCode> {
    let session = RemoteSession::connect(context)?;
    let before = cached_remote_versions(context);
    let progress = remote::progress(args.json);
    let outcome = session
        .runtime
        .block_on(context.manager.sync_remote_plugins(
            &session.client,
            session.policy,
            progress.as_ref(),
        ))?;
    let report = report(context, &outcome, &before);
    if args.json {
        printer::json(&report)?;
    } else {
        printer::line(summary(&report))?;
    }
    if report.failed.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        printer::warning(format!(
            "{} remote plugin(s) could not be synced; the warnings above say why, and `berth plugin sync` retries",
            report.failed.len()
        ));
        Ok(ExitCode::from(1))
    }
}

/// Active cache versions of the remote marketplaces' plugins, by local id.
fn cached_remote_versions(context: &Context) -> BTreeMap<String, String> {
    context
        .manager
        .store()
        .installed_plugins()
        .unwrap_or_default()
        .into_iter()
        .filter(|plugin| REMOTE_MARKETPLACES.contains(&plugin.id.marketplace_name()))
        .map(|plugin| (plugin.id.as_key(), plugin.version))
        .collect()
}

fn report(
    context: &Context,
    outcome: &RemoteSyncOutcome,
    before: &BTreeMap<String, String>,
) -> SyncReport {
    let now = |key: &str| {
        PluginId::parse(key)
            .ok()
            .and_then(|id| context.manager.store().active_plugin_version(&id))
    };
    let at_now = |keys: &[String]| -> Vec<Versioned> {
        keys.iter()
            .map(|key| Versioned {
                plugin_id: key.clone(),
                version: now(key),
            })
            .collect()
    };
    let mut report = SyncReport {
        failed: outcome.failed_remote_plugin_ids.clone(),
        installed: at_now(&outcome.installed_plugin_ids),
        unchanged: at_now(&outcome.backfilled_plugin_ids),
        ..SyncReport::default()
    };
    for key in &outcome.updated_plugin_ids {
        report.updated.push(Updated {
            plugin_id: key.clone(),
            // The sync replaced a cached version, so one was there before it.
            from: before.get(key).cloned().unwrap_or_else(|| "?".to_owned()),
            to: now(key),
        });
    }
    for key in &outcome.removed_cache_plugin_ids {
        report.removed.push(Versioned {
            plugin_id: key.clone(),
            version: before.get(key).cloned(),
        });
    }
    report
}

/// A count line, then one line per plugin that changed or failed.
fn summary(report: &SyncReport) -> String {
    let version = |version: &Option<String>| version.clone().unwrap_or_else(|| "?".to_owned());
    let mut lines = vec![format!(
        "Synced remote plugins: {} installed, {} updated, {} unchanged, {} removed, {} failed.",
        report.installed.len(),
        report.updated.len(),
        report.unchanged.len(),
        report.removed.len(),
        report.failed.len()
    )];
    lines.extend(report.installed.iter().map(|plugin| {
        format!(
            "  installed {} {}",
            plugin.plugin_id,
            version(&plugin.version)
        )
    }));
    lines.extend(report.updated.iter().map(|plugin| {
        format!(
            "  updated   {} {} -> {}",
            plugin.plugin_id,
            plugin.from,
            version(&plugin.to)
        )
    }));
    lines.extend(report.removed.iter().map(|plugin| {
        format!(
            "  removed   {} {}",
            plugin.plugin_id,
            version(&plugin.version)
        )
    }));
    lines.extend(
        report
            .failed
            .iter()
            .map(|remote_id| format!("  failed    {remote_id}")),
    );
    lines.join("\n")
}
