//! `berth marketplace remove NAME [--json]`: drop a marketplace from config.toml and, for a Git
//! marketplace, its snapshot. Installed plugins stay installed.

use std::process::ExitCode;

use serde_json::json;

use crate::context::Context;
use crate::printer;

pub(crate) fn run(context: &Context, name: &str, json: bool) -> anyhow::Result<ExitCode> {
    let outcome = context.manager.remove_marketplace(name)?;
    if json {
        printer::json(&json!({
            "marketplaceName": outcome.name,
            "installedRoot": outcome.removed_root,
        }))?;
    } else {
        let text = match &outcome.removed_root {
            Some(root) => format!(
                "Removed marketplace `{name}`.\nRemoved installed marketplace root: {}",
                root.display()
            ),
            None => format!("Removed marketplace `{name}`."),
        };
        printer::line(text)?;
    }
    Ok(ExitCode::SUCCESS)
}
