//! `berth marketplace add|list|remove`: the marketplaces recorded in config.toml.

use std::process::ExitCode;

use serde_json::json;

use crate::cli::MarketplaceCommand;
use crate::context::Context;
use crate::printer::{self, table};

pub(crate) fn run(context: &Context, command: MarketplaceCommand) -> anyhow::Result<ExitCode> {
    match command {
        MarketplaceCommand::Add { path, json } => {
            let outcome = context.manager.add_marketplace(&path)?;
            if json {
                printer::json(&json!({
                    "name": outcome.name,
                    "root": outcome.root,
                    "alreadyAdded": outcome.already_added,
                }))?;
            } else if outcome.already_added {
                printer::line(format!(
                    "Marketplace `{}` is already added from {}.",
                    outcome.name,
                    outcome.root.display()
                ))?;
            } else {
                printer::line(format!(
                    "Added marketplace `{}` from {}.\nInstalled marketplace root: {}",
                    outcome.name,
                    outcome.root.display(),
                    outcome.root.display()
                ))?;
            }
        }
        MarketplaceCommand::List { json } => {
            let listing = context.manager.list_marketplaces()?;
            for error in &listing.errors {
                printer::note(format!("warning: skipped a marketplace: {}", error.message));
            }
            if json {
                let entries: Vec<_> = listing
                    .marketplaces
                    .iter()
                    .map(|marketplace| {
                        let mut entry = serde_json::Map::new();
                        entry.insert("name".into(), json!(marketplace.name));
                        entry.insert("root".into(), json!(marketplace.root));
                        if let Some(source) = &marketplace.configured_source {
                            entry.insert(
                                "marketplaceSource".into(),
                                json!({ "sourceType": source.source_type, "source": source.source }),
                            );
                        }
                        serde_json::Value::Object(entry)
                    })
                    .collect();
                printer::json(&json!({ "marketplaces": entries }))?;
            } else if listing.marketplaces.is_empty() {
                printer::line("No plugin marketplaces in scope.")?;
            } else {
                let rows: Vec<Vec<String>> = listing
                    .marketplaces
                    .iter()
                    .map(|marketplace| {
                        vec![
                            marketplace.name.clone(),
                            marketplace.root.display().to_string(),
                        ]
                    })
                    .collect();
                printer::line(table(&["MARKETPLACE", "ROOT"], &rows))?;
            }
        }
        MarketplaceCommand::Remove { name, json } => {
            let removed = context.manager.remove_marketplace(&name)?;
            if json {
                printer::json(&json!({
                    "name": name,
                    "marketplaceSource": { "sourceType": removed.source_type, "source": removed.source },
                }))?;
            } else {
                printer::line(format!("Removed marketplace `{name}`."))?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
