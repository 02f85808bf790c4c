//! `berth marketplace list [--json]`: the marketplaces in scope and their roots; for a Git
//! marketplace also its source, ref and the revision its snapshot is at.

use std::process::ExitCode;

use berth_core::{ConfiguredSource, MarketplaceEntry};
use serde_json::{Value, json};

use super::upgrade::short;
use crate::context::Context;
use crate::printer::{self, table};

pub(crate) fn run(context: &Context, json: bool) -> anyhow::Result<ExitCode> {
    let listing = context.manager.list_marketplaces()?;
    for error in &listing.errors {
        printer::note(format!("warning: skipped a marketplace: {}", error.message));
    }
    let details: Vec<Option<GitDetails<'_>>> = listing
        .marketplaces
        .iter()
        .map(|marketplace| git_details(context, marketplace))
        .collect();
    if json {
        let entries: Vec<Value> = listing
            .marketplaces
            .iter()
            .zip(&details)
            .map(|(marketplace, git)| {
                // Codex's keys first; berth adds `git` for Git marketplaces.
                let mut entry = serde_json::Map::new();
                entry.insert("name".into(), json!(marketplace.name));
                entry.insert("root".into(), json!(marketplace.root));
                if let Some(source) = &marketplace.configured_source {
                    entry.insert(
                        "marketplaceSource".into(),
                        json!({ "sourceType": source.source_type, "source": source.source }),
                    );
                }
                if let Some((source, revision)) = git {
                    entry.insert(
                        "git".into(),
                        json!({
                            "ref": source.ref_name,
                            "sparsePaths": source.sparse_paths,
                            "revision": revision,
                        }),
                    );
                }
                Value::Object(entry)
            })
            .collect();
        printer::json(&json!({ "marketplaces": entries }))?;
        return Ok(ExitCode::SUCCESS);
    }
    if listing.marketplaces.is_empty() {
        printer::line("No plugin marketplaces in scope.")?;
        return Ok(ExitCode::SUCCESS);
    }
    let any_git = details.iter().any(Option::is_some);
    let rows: Vec<Vec<String>> = listing
        .marketplaces
        .iter()
        .zip(&details)
        .map(|(marketplace, git)| {
            let mut row = vec![
                marketplace.name.clone(),
                marketplace.root.display().to_string(),
            ];
            if any_git {
                match git {
                    Some((source, revision)) => row.extend([
                        source.source.clone(),
                        source
                            .ref_name
                            .clone()
                            .unwrap_or_else(|| "(default branch)".to_owned()),
                        revision.as_deref().map_or_else(|| "-".to_owned(), short),
                    ]),
                    None => row.extend(["(local)".to_owned(), String::new(), String::new()]),
                }
            }
            row
        })
        .collect();
    let header: &[&str] = if any_git {
        &["MARKETPLACE", "ROOT", "SOURCE", "REF", "REVISION"]
    } else {
        &["MARKETPLACE", "ROOT"]
    };
    printer::line(table(header, &rows))?;
    Ok(ExitCode::SUCCESS)
}

/// A Git marketplace's recorded source and the revision its snapshot is at.
type GitDetails<'a> = (&'a ConfiguredSource, Option<String>);

fn git_details<'a>(context: &Context, marketplace: &'a MarketplaceEntry) -> Option<GitDetails<'a>> {
    let source = marketplace
        .configured_source
        .as_ref()
        .filter(|source| source.is_git())?;
    Some((source, context.manager.snapshot_revision(&marketplace.name)))
}
