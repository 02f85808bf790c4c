//! `berth plugin list`: the marketplaces in scope and each plugin's state, as a table or as
//! the JSON `codex plugin list --json` prints. With a `ChatGPT` login the plugin service's
//! remote marketplaces follow the local ones; an unreachable service is only a warning. A
//! marketplace recorded in config.toml that cannot be loaded is named with its path, its
//! installed plugins are still listed, and the command exits 1 (as Codex does).

use std::process::ExitCode;

use berth_core::{
    ListOptions, MarketplaceEntry, PluginListItem, PluginListing, UnavailableMarketplace,
};
use berth_marketplace::{AuthPolicy, InstallPolicy, PluginSource};
use berth_plugin::{PluginId, REMOTE_MARKETPLACES};
use serde_json::{Value, json};

use crate::cli::ListArgs;
use crate::commands::UserError;
use crate::commands::plugin::list_remote::{RemoteListing, remote_listing, remote_plugin_json};
use crate::commands::plugin::remote::is_remote_marketplace;
use crate::context::Context;
use crate::failure::with_hint;
use crate::printer::{self, table};
use crate::suggest;

/// An installed plugin of a marketplace that could not be loaded, from the cache and config.
struct OrphanPlugin {
    id: PluginId,
    version: String,
    enabled: bool,
}

pub(crate) fn run(context: &Context, args: &ListArgs) -> anyhow::Result<ExitCode> {
    let remote_only = args
        .marketplace
        .as_deref()
        .is_some_and(is_remote_marketplace);
    let listing = if remote_only {
        PluginListing {
            marketplaces: Vec::new(),
            errors: Vec::new(),
            unavailable: Vec::new(),
        }
    } else {
        context.manager.list_plugins(&ListOptions {
            cwds: Vec::new(),
            marketplace: args.marketplace.clone(),
            local_versions: args.json && args.available,
            interfaces: false,
        })?
    };
    let remote = if remote_only {
        // Asked for by name: without a ChatGPT login that is the error `plugin read` gives.
        remote_listing(context, args.marketplace.as_deref(), true)?
    } else if args.marketplace.is_none() {
        remote_or_warning(context)
    } else {
        None
    };
    if let Some(wanted) = &args.marketplace
        && !remote_only
        && listing.marketplaces.is_empty()
        && listing.unavailable.is_empty()
    {
        return Err(unknown_marketplace(context, wanted));
    }
    print_warnings(&listing);
    let orphans: Vec<(&UnavailableMarketplace, Vec<OrphanPlugin>)> = listing
        .unavailable
        .iter()
        .map(|broken| (broken, installed_of(context, &broken.name)))
        .collect();
    if args.json {
        print_json(&listing, remote.as_ref(), &orphans, args.available)?;
    } else {
        print_text(&listing, remote.as_ref(), &orphans)?;
    }
    if listing.unavailable.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        Err(unavailable_error(&listing.unavailable))
    }
}

/// Load errors of marketplace files that are not recorded in config.toml (those are reported
/// by name), and each marketplace's skipped entries.
fn print_warnings(listing: &PluginListing) {
    for error in &listing.errors {
        let recorded = listing
            .unavailable
            .iter()
            .any(|broken| error.path.starts_with(&broken.root));
        if !recorded {
            printer::warning(format!("skipped a marketplace: {}", error.message));
        }
    }
    for marketplace in &listing.marketplaces {
        for warning in &marketplace.warnings {
            printer::warning(format!("marketplace `{}`: {warning}", marketplace.name));
        }
    }
}

fn print_json(
    listing: &PluginListing,
    remote: Option<&RemoteListing>,
    orphans: &[(&UnavailableMarketplace, Vec<OrphanPlugin>)],
    available_too: bool,
) -> anyhow::Result<()> {
    // Entries are built one at a time while they are written, so memory does not grow with
    // the number of plugins.
    let entries = move |installed: bool| {
        let local = listing.marketplaces.iter().flat_map(move |marketplace| {
            marketplace
                .plugins
                .iter()
                .filter(move |plugin| plugin.installed == installed)
                .map(move |plugin| plugin_json(marketplace, plugin))
        });
        let orphaned = orphans
            .iter()
            .filter(move |_| installed)
            .flat_map(|(broken, plugins)| {
                plugins
                    .iter()
                    .map(|plugin| EntryJson::Value(orphan_json(broken, plugin)))
            });
        let remote = remote
            .into_iter()
            .flat_map(|remote| &remote.marketplaces)
            .flat_map(move |marketplace| {
                marketplace
                    .plugins
                    .iter()
                    .filter(move |plugin| plugin.installed == installed)
                    .map(|plugin| EntryJson::Value(remote_plugin_json(marketplace.name, plugin)))
            });
        local.chain(orphaned).chain(remote)
    };
    printer::json(&ListJson {
        installed: printer::LazyArray(|| entries(true)),
        available: printer::LazyArray(|| entries(false).filter(move |_| available_too)),
    })?;
    Ok(())
}

/// The `codex plugin list --json` document.
#[derive(serde::Serialize)]
struct ListJson<I, A> {
    installed: I,
    available: A,
}

fn print_text(
    listing: &PluginListing,
    remote: Option<&RemoteListing>,
    orphans: &[(&UnavailableMarketplace, Vec<OrphanPlugin>)],
) -> anyhow::Result<()> {
    let remote_count = remote.map_or(0, |remote| remote.marketplaces.len());
    if listing.marketplaces.is_empty() && remote_count == 0 && orphans.is_empty() {
        printer::line("No plugin marketplaces in scope.")?;
        printer::hint("add one with `berth marketplace add PATH`");
        return Ok(());
    }
    let mut blocks = Vec::new();
    for marketplace in &listing.marketplaces {
        let rows: Vec<Vec<String>> = marketplace
            .plugins
            .iter()
            .map(|plugin| {
                vec![
                    plugin.id.as_key(),
                    status_text(plugin.installed, plugin.enabled).to_owned(),
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
    for (broken, plugins) in orphans {
        let body = if plugins.is_empty() {
            "No installed plugins.".to_owned()
        } else {
            let rows: Vec<Vec<String>> = plugins
                .iter()
                .map(|plugin| {
                    vec![
                        plugin.id.as_key(),
                        status_text(true, plugin.enabled).to_owned(),
                        plugin.version.clone(),
                    ]
                })
                .collect();
            table(&["PLUGIN", "STATUS", "VERSION"], &rows)
        };
        blocks.push(format!(
            "Marketplace `{}` (unavailable)\n{}\n\n{body}",
            broken.name,
            broken.root.display()
        ));
    }
    if let Some(remote) = remote {
        blocks.extend(remote_blocks(remote));
    }
    printer::line(blocks.join("\n\n"))?;
    Ok(())
}

/// The plugins of marketplace `name` that config.toml records and the cache holds.
fn installed_of(context: &Context, name: &str) -> Vec<OrphanPlugin> {
    let Ok(config) = context.manager.config().load() else {
        return Vec::new();
    };
    config
        .plugins()
        .value
        .into_iter()
        .filter_map(|(key, entry)| {
            let id = PluginId::parse(&key).ok()?;
            if id.marketplace_name() != name {
                return None;
            }
            let version = context.manager.store().active_plugin_version(&id)?;
            Some(OrphanPlugin {
                id,
                version,
                enabled: entry.enabled,
            })
        })
        .collect()
}

/// The error for recorded marketplaces that could not be loaded, as Codex words it.
fn unavailable_error(unavailable: &[UnavailableMarketplace]) -> anyhow::Error {
    let lines: Vec<String> = unavailable
        .iter()
        .map(|broken| {
            format!(
                "- `{}` at {}: {}",
                broken.name,
                broken.root.display(),
                broken.reason
            )
        })
        .collect();
    let names: Vec<&str> = unavailable
        .iter()
        .map(|broken| broken.name.as_str())
        .collect();
    with_hint(
        UserError(format!(
            "failed to load configured marketplace(s):\n{}",
            lines.join("\n")
        )),
        format!(
            "restore the folder, or forget it with `berth marketplace remove {}` (installed plugins stay installed)",
            names.join(" ")
        ),
    )
}

/// `-m NAME` names no marketplace in scope: say so, with the closest name.
fn unknown_marketplace(context: &Context, wanted: &str) -> anyhow::Error {
    let local = crate::commands::plugin::unknown::marketplace_names(context);
    let error = UserError(format!(
        "marketplace `{wanted}` is not in scope; `berth marketplace list` shows the marketplaces in scope"
    ));
    let candidates = local
        .iter()
        .map(String::as_str)
        .chain(REMOTE_MARKETPLACES.iter().copied());
    match suggest::did_you_mean(wanted, candidates) {
        Some(hint) => with_hint(error, hint),
        None => error.into(),
    }
}

/// The remote listing; a failure (service down, bad answer) is a warning, never an error.
fn remote_or_warning(context: &Context) -> Option<RemoteListing> {
    match remote_listing(context, None, false) {
        Ok(remote) => remote,
        Err(err) => {
            printer::warning(format!(
                "remote plugins are not listed: {}",
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
                        plugin.version_text(),
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
            for (label, value) in git_details(path.as_deref(), ref_name.as_deref(), sha.as_deref())
            {
                parts.push(format!("{label} `{value}`"));
            }
            parts.join(", ")
        }
    }
}

/// A source as `codex plugin list --json` prints it: `git-subdir` when a path is set, absent
/// fields left out.
pub(crate) fn source_json(source: &PluginSource) -> Value {
    // A path that is not UTF-8 cannot be JSON; it is printed lossily, as the text listing does.
    serde_json::to_value(SourceJson(source)).unwrap_or(Value::Null)
}

/// [`source_json`] written straight into the output.
struct SourceJson<'a>(&'a PluginSource);

impl serde::Serialize for SourceJson<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        match self.0 {
            PluginSource::Local { path } => {
                let mut map = serializer.serialize_map(Some(2))?;
                map.serialize_entry("source", "local")?;
                map.serialize_entry("path", &path.to_string_lossy())?;
                map.end()
            }
            PluginSource::Git {
                url,
                path,
                ref_name,
                sha,
            } => {
                let mut map = serializer.serialize_map(None)?;
                let kind = if path.is_some() { "git-subdir" } else { "git" };
                map.serialize_entry("source", kind)?;
                map.serialize_entry("url", url)?;
                for (key, value) in
                    git_details(path.as_deref(), ref_name.as_deref(), sha.as_deref())
                {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }
    }
}

/// The parts of a Git source that are set, named as Codex names them, in its order.
fn git_details<'a>(
    path: Option<&'a str>,
    ref_name: Option<&'a str>,
    sha: Option<&'a str>,
) -> impl Iterator<Item = (&'static str, &'a str)> {
    [("path", path), ("ref", ref_name), ("sha", sha)]
        .into_iter()
        .filter_map(|(key, value)| Some((key, value?)))
}

/// One entry as `codex plugin list --json` prints it (same fields, same order), serialized
/// straight from the listing.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct PluginJson<'a> {
    plugin_id: String,
    name: &'a str,
    marketplace_name: &'a str,
    version: Option<&'a str>,
    installed: bool,
    enabled: bool,
    source: SourceJson<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    marketplace_source: Option<MarketplaceSourceJson<'a>>,
    install_policy: InstallPolicy,
    auth_policy: AuthPolicy,
}

/// Where a configured marketplace comes from, in a [`PluginJson`].
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct MarketplaceSourceJson<'a> {
    source_type: &'a str,
    source: &'a str,
}

/// An entry of the listing: a local plugin, or one built as a JSON value.
#[derive(serde::Serialize)]
#[serde(untagged)]
enum EntryJson<'a> {
    Local(PluginJson<'a>),
    Value(Value),
}

fn plugin_json<'a>(marketplace: &'a MarketplaceEntry, plugin: &'a PluginListItem) -> EntryJson<'a> {
    EntryJson::Local(PluginJson {
        plugin_id: plugin.id.as_key(),
        name: plugin.id.plugin_name(),
        marketplace_name: &marketplace.name,
        version: plugin.version(),
        installed: plugin.installed,
        enabled: plugin.enabled,
        source: SourceJson(&plugin.source),
        marketplace_source: marketplace.configured_source.as_ref().map(|source| {
            MarketplaceSourceJson {
                source_type: &source.source_type,
                source: &source.source,
            }
        }),
        install_policy: plugin.policy.installation,
        auth_policy: plugin.policy.authentication,
    })
}

/// An installed plugin of an unavailable marketplace: the same fields, with what only the
/// marketplace knows (source, policies) null.
fn orphan_json(broken: &UnavailableMarketplace, plugin: &OrphanPlugin) -> Value {
    json!({
        "pluginId": plugin.id.as_key(),
        "name": plugin.id.plugin_name(),
        "marketplaceName": broken.name,
        "version": plugin.version,
        "installed": true,
        "enabled": plugin.enabled,
        "source": null,
        "installPolicy": null,
        "authPolicy": null,
    })
}
