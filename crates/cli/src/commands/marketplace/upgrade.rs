//! `berth marketplace upgrade [NAME] [--json]`: fetch Git marketplaces whose ref moved and
//! refresh their installed plugins; per-marketplace failures are listed and exit 1.

use std::process::ExitCode;

use berth_core::MarketplaceUpgradeOutcome;
use serde_json::json;

use crate::commands::UserError;
use crate::context::Context;
use crate::printer;
use crate::progress::git_progress;

pub(crate) fn run(context: &Context, name: Option<&str>, json: bool) -> anyhow::Result<ExitCode> {
    let progress = git_progress(json);
    let outcome = context
        .manager
        .upgrade_marketplaces(name, progress.as_ref())?;
    drop(progress);
    if json {
        printer::json(&json!({
            "selectedMarketplaces": outcome.selected,
            "upgradedRoots": outcome.upgraded.iter().map(|upgraded| &upgraded.root).collect::<Vec<_>>(),
            "errors": outcome.errors.iter().map(|error| json!({
                "marketplaceName": error.marketplace_name,
                "message": error.message,
            })).collect::<Vec<_>>(),
        }))?;
    } else {
        printer::line(summary(&outcome, name))?;
    }
    for error in &outcome.errors {
        printer::note(format!(
            "Failed to upgrade marketplace `{}`: {}",
            error.marketplace_name, error.message
        ));
    }
    if outcome.errors.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        Err(UserError(format!(
            "{} upgrade failure(s) occurred; the marketplaces above keep their previous snapshot",
            outcome.errors.len()
        ))
        .into())
    }
}

/// Codex's lines, then what each upgrade did to the installed plugins.
fn summary(outcome: &MarketplaceUpgradeOutcome, name: Option<&str>) -> String {
    if outcome.selected.is_empty() {
        return "No configured Git marketplaces to upgrade.".to_owned();
    }
    if outcome.upgraded.is_empty() {
        return match name {
            Some(name) if outcome.errors.is_empty() => {
                format!("Marketplace `{name}` is already up to date.")
            }
            _ if outcome.errors.is_empty() => {
                "All configured Git marketplaces are already up to date.".to_owned()
            }
            _ => "No marketplace was upgraded.".to_owned(),
        };
    }
    let mut lines = vec![format!(
        "Upgraded {} marketplace(s).",
        outcome.upgraded.len()
    )];
    for upgraded in &outcome.upgraded {
        lines.push(format!(
            "Installed marketplace root: {}",
            upgraded.root.display()
        ));
    }
    for upgraded in &outcome.upgraded {
        let previous = upgraded
            .previous_revision
            .as_deref()
            .map(|previous| format!(" (was {})", short(previous)))
            .unwrap_or_default();
        lines.push(format!(
            "Marketplace `{}` is at {}{previous}.",
            upgraded.name,
            short(&upgraded.revision)
        ));
        for plugin in &upgraded.refreshed {
            let change = match plugin.previous_version.as_deref() {
                Some(previous) if previous != plugin.version => {
                    format!("{previous} -> {}", plugin.version)
                }
                _ => format!("{} (reinstalled)", plugin.version),
            };
            lines.push(format!("Refreshed plugin `{}`: {change}", plugin.plugin_id));
        }
    }
    lines.join("\n")
}

/// The first 12 hex digits of a commit id.
pub(crate) fn short(revision: &str) -> String {
    revision.chars().take(12).collect()
}
