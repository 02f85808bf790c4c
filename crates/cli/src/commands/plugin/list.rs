//! `berth plugin list`: the marketplaces in scope and each plugin's state, as a table or as
//! the JSON `codex plugin list --json` prints. With a `ChatGPT` login the plugin service's
//! remote marketplaces follow the local ones; an unreachable service is only a warning.

use std::process::ExitCode;

use berth_core::{ListOptions, MarketplaceEntry, PluginListItem};
use berth_marketplace::PluginSource;
use serde_json::{Value, json};

use crate::cli::ListArgs;
use crate::commands::plugin::list_remote::{RemoteListing, remote_listing, remote_plugin_json};
use crate::commands::plugin::remote::is_remote_marketplace;
use crate::context::Context;
use crate::printer::{self, table};

pub(crate) fn run(context: &Context, args: &ListArgs) -> anyhow::Result<ExitCode> {
    let remote_only = args
        .marketplace
        .as_deref()
        .is_some_and(is_remote_marketplace);
    let listing = if remote_only {
        berth_core::PluginListing {
            marketplaces: Vec::new(),
            errors: Vec::new(),
        }
    } else {
        context.manager.list_plugins(&ListOptions {
            cwds: Vec::new(),
            marketplace: args.marketplace.clone(),
            local_versions: args.json && args.available,
            interfaces: false,
        })?
    };
    let remote = if args.marketplace.is_none() || remote_only {
        remote_or_warning(context, args.marketplace.as_deref())
    } else {
        None
    };
    for error in &listing.errors {
        printer::note(format!("warning: skipped a marketplace: {}", error.message));
    }
    for marketplace in &listing.marketplaces {
        for warning in &marketplace.warnings {
            printer::note(format!(
                "warning: marketplace `{}`: {warning}",
                marketplace.name
            ));
        }
    }
    if args.json {
        let mut installed = Vec::new();
        let mut available = Vec::new();
        for marketplace in &listing.marketplaces {
            for plugin in &marketplace.plugins {
                let entry = plugin_json(marketplace, plugin);
                if plugin.installed {
                    installed.push(entry);
                } else if args.available {
                    available.push(entry);
                }
            }
        }
        for marketplace in remote.iter().flat_map(|remote| &remote.marketplaces) {
            for plugin in &marketplace.plugins {
                let entry = remote_plugin_json(marketplace.name, plugin);
                if plugin.installed {
                    installed.push(entry);
                } else if args.available {
                    available.push(entry);
                }
            }
        }
        printer::json(&json!({ "installed": installed, "available": available }))?;
        return Ok(ExitCode::SUCCESS);
    }
    let remote_count = remote
        .as_ref()
        .map_or(0, |remote| remote.marketplaces.len());
    if listing.marketplaces.is_empty() && remote_count == 0 {
        printer::line("No plugin marketplaces in scope.")?;
        printer::note("hint: add one with `berth marketplace add PATH`");
        return Ok(ExitCode::SUCCESS);
    }
    let mut blocks = Vec::new();
    for marketplace in &listing.marketplaces {
        let rows: Vec<Vec<String>> = marketplace
            .plugins
            .iter()
            .map(|plugin| {
                vec![
                    plugin.id.as_key(),
                    status(plugin).to_owned(),
                    plugin.installed_version.clone().unwrap_or_default(),
                    source_text(&plugin.source),
                ]
            })
            .collect();
        blocks.push(format!(
            "Marketplace `{}`\n{}\n\n{}",
            marketplace.name,
            marketplace.file.display(),
            table(&["PLUGIN", "STATUS", "VERSION", "SOURCE"], &rows)
        ));
    }
    if let Some(remote) = &remote {
        blocks.extend(remote_blocks(remote));
    }
    printer::line(blocks.join("\n\n"))?;
    Ok(ExitCode::SUCCESS)
}

/// The remote listing; a failure (service down, bad answer) is a warning, never an error.
fn remote_or_warning(context: &Context, filter: Option<&str>) -> Option<RemoteListing> {
    match remote_listing(context, filter) {
        Ok(remote) => remote,
        Err(err) => {
            printer::note(format!(
                "warning: remote plugins are not listed: {}",
                error_chain(&err)
            ));
            None
        }
    }
}

fn remote_blocks(remote: &RemoteListing) -> Vec<String> {
    remote
        .marketplaces
        .iter()
        .map(|marketplace| {
            let rows: Vec<Vec<String>> = marketplace
                .plugins
                .iter()
                .map(|plugin| {
                    vec![
                        plugin.id.as_key(),
                        status_text(plugin.installed, plugin.enabled).to_owned(),
                        plugin.version().unwrap_or_default().to_owned(),
                        plugin.item.id.clone(),
                    ]
                })
                .collect();
            // Codex prints "Remote catalog" where a local marketplace shows its file.
            format!(
                "Marketplace `{}`\nRemote catalog\n\n{}",
                marketplace.name,
                table(&["PLUGIN", "STATUS", "VERSION", "SOURCE"], &rows)
            )
        })
        .collect()
}

/// `error` and its causes on one line.
pub(crate) fn error_chain(error: &anyhow::Error) -> String {
    error
        .chain()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(": ")
}

fn status(plugin: &PluginListItem) -> &'static str {
    status_text(plugin.installed, plugin.enabled)
}

fn status_text(installed: bool, enabled: bool) -> &'static str {
    match (installed, enabled) {
        (false, _) => "not installed",
        (true, true) => "installed, enabled",
        (true, false) => "installed, disabled",
    }
}

/// A source as `codex plugin list` prints it: the folder, or the URL with its path, ref and
/// sha.
pub(crate) fn source_text(source: &PluginSource) -> String {
    match source {
        PluginSource::Local { path } => path.display().to_string(),
        PluginSource::Git {
            url,
            path,
            ref_name,
            sha,
        } => {
            let mut parts = vec![url.clone()];
            for (label, value) in [("path", path), ("ref", ref_name), ("sha", sha)] {
                if let Some(value) = value {
                    parts.push(format!("{label} `{value}`"));
                }
            }
            parts.join(", ")
        }
    }
}

/// A source as `codex plugin list --json` prints it: `git-subdir` when a path is set, absent
/// fields left out.
pub(crate) fn source_json(source: &PluginSource) -> Value {
    match source {
        PluginSource::Local { path } => json!({ "source": "local", "path": path }),
        PluginSource::Git {
            url,
            path,
            ref_name,
            sha,
        } => {
            let kind = if path.is_some() { "git-subdir" } else { "git" };
            let mut entry = serde_json::Map::new();
            entry.insert("source".into(), json!(kind));
            entry.insert("url".into(), json!(url));
            for (key, value) in [("path", path), ("ref", ref_name), ("sha", sha)] {
                if let Some(value) = value {
                    entry.insert(key.into(), json!(value));
                }
            }
            Value::Object(entry)
        }
    }
}

/// One entry as `codex plugin list --json` prints it (same fields, same order).
fn plugin_json(marketplace: &MarketplaceEntry, plugin: &PluginListItem) -> Value {
    let mut entry = serde_json::Map::new();
    entry.insert("pluginId".into(), json!(plugin.id.as_key()));
    entry.insert("name".into(), json!(plugin.id.plugin_name()));
    entry.insert("marketplaceName".into(), json!(marketplace.name));
    entry.insert("version".into(), json!(plugin.version()));
    entry.insert("installed".into(), json!(plugin.installed));
    entry.insert("enabled".into(), json!(plugin.enabled));
    entry.insert("source".into(), source_json(&plugin.source));
    if let Some(source) = &marketplace.configured_source {
        entry.insert(
            "marketplaceSource".into(),
            json!({ "sourceType": source.source_type, "source": source.source }),
        );
    }
    entry.insert("installPolicy".into(), json!(plugin.policy.installation));
    entry.insert("authPolicy".into(), json!(plugin.policy.authentication));
    Value::Object(entry)
}
