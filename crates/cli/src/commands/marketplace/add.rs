//! `berth marketplace add SOURCE [--ref REF] [--sparse PATH]... [--json]`: record a local
//! folder, or clone a Git marketplace into `$CODEX_HOME/.tmp/marketplaces/<name>`.

use std::process::ExitCode;

use anyhow::Context as _;
use berth_core::MarketplaceAddRequest;
use serde_json::json;

use crate::cli::MarketplaceAddArgs;
use crate::context::Context;
use crate::printer;
use crate::progress::git_progress;

pub(crate) fn run(context: &Context, args: &MarketplaceAddArgs) -> anyhow::Result<ExitCode> {
    let cwd = std::env::current_dir().context("failed to read the working directory")?;
    let progress = git_progress(args.json);
    let outcome = context.manager.add_marketplace_source(
        &MarketplaceAddRequest {
            source: args.source.clone(),
            ref_name: args.ref_name.clone(),
            sparse_paths: args.sparse_paths.clone(),
            cwd,
        },
        progress.as_ref(),
    )?;
    drop(progress);
    if args.json {
        printer::json(&json!({
            "marketplaceName": outcome.name,
            "installedRoot": outcome.root,
            "alreadyAdded": outcome.already_added,
        }))?;
    } else {
        let lead = if outcome.already_added {
            format!("Marketplace `{}` is already added from", outcome.name)
        } else {
            format!("Added marketplace `{}` from", outcome.name)
        };
        printer::line(format!(
            "{lead} {}.\nInstalled marketplace root: {}",
            outcome.source.display(),
            outcome.root.display()
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}
