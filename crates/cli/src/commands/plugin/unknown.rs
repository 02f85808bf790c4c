//! Failures that name a plugin or marketplace berth does not know: each gets the closest
//! known name ("did you mean"), and a plugin that no marketplace in scope offers gets no
//! install hint.

use berth_core::{ListOptions, ManagerError};
use berth_marketplace::MarketplaceError;
use berth_plugin::PluginId;

use crate::commands::UserError;
use crate::context::Context;
use crate::failure::with_hint;
use crate::suggest;

/// `err` explained when it is about an unknown name; any other error is returned as is.
pub(crate) fn explain(context: &Context, err: anyhow::Error) -> anyhow::Error {
    let Some(manager_error) = err.downcast_ref::<ManagerError>() else {
        return err;
    };
    match manager_error {
        ManagerError::MarketplaceNotFound { name } => {
            let name = name.clone();
            let names = marketplace_names(context);
            hinted(err, &name, names.iter().map(String::as_str))
        }
        ManagerError::Marketplace(MarketplaceError::PluginNotFound {
            plugin,
            marketplace,
        }) => {
            let plugin = plugin.clone();
            let names = plugin_names(context, marketplace);
            hinted(err, &plugin, names.iter().map(String::as_str))
        }
        ManagerError::NotInstalled { plugin_id } => {
            let Ok(id) = PluginId::parse(plugin_id) else {
                return err;
            };
            let offered = plugin_keys(context);
            if offered.iter().any(|key| *key == id.as_key()) {
                // The install hint of the error is right: a marketplace in scope offers it.
                return err;
            }
            let error = UserError(format!(
                "plugin `{id}` is not installed, and no marketplace in scope offers it"
            ));
            let mut known = installed_keys(context);
            known.extend(offered);
            hinted(error.into(), &id.as_key(), known.iter().map(String::as_str))
        }
        _ => err,
    }
}

/// A hint for `plugin remove` of a plugin that was not installed: the closest installed one.
pub(crate) fn closest_installed(context: &Context, id: &PluginId) -> Option<String> {
    let installed = installed_keys(context);
    suggest::did_you_mean(&id.as_key(), installed.iter().map(String::as_str))
}

fn hinted<'a>(
    err: anyhow::Error,
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> anyhow::Error {
    match suggest::did_you_mean(wanted, candidates) {
        Some(hint) => with_hint(err, hint),
        None => err,
    }
}

/// Names of the marketplaces in scope (none when they cannot be listed).
pub(crate) fn marketplace_names(context: &Context) -> Vec<String> {
    context
        .manager
        .list_marketplaces()
        .map(|listing| {
            listing
                .marketplaces
                .into_iter()
                .map(|marketplace| marketplace.name)
                .collect()
        })
        .unwrap_or_default()
}

/// Names of the plugins `marketplace` offers.
fn plugin_names(context: &Context, marketplace: &str) -> Vec<String> {
    offered(context, Some(marketplace))
        .iter()
        .map(|id| id.plugin_name().to_owned())
        .collect()
}

/// `name@marketplace` of every plugin a marketplace in scope offers.
fn plugin_keys(context: &Context) -> Vec<String> {
    offered(context, None)
        .iter()
        .map(PluginId::as_key)
        .collect()
}

fn offered(context: &Context, marketplace: Option<&str>) -> Vec<PluginId> {
    context
        .manager
        .list_plugins(&ListOptions {
            marketplace: marketplace.map(str::to_owned),
            ..ListOptions::default()
        })
        .map(|listing| {
            listing
                .marketplaces
                .into_iter()
                .flat_map(|marketplace| marketplace.plugins)
                .map(|plugin| plugin.id)
                .collect()
        })
        .unwrap_or_default()
}

/// `name@marketplace` of every plugin config.toml records and the cache holds.
fn installed_keys(context: &Context) -> Vec<String> {
    let Ok(config) = context.manager.config().load() else {
        return Vec::new();
    };
    config
        .plugins()
        .value
        .into_keys()
        .filter(|key| {
            PluginId::parse(key).is_ok_and(|id| context.manager.store().is_installed(&id))
        })
        .collect()
}
