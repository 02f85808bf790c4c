//! `berth plugin ...` commands.

pub(crate) mod add;
pub(crate) mod list;
mod list_remote;
pub(crate) mod outdated;
pub(crate) mod read;
pub(crate) mod remote;
pub(crate) mod remove;
pub(crate) mod sync;
pub(crate) mod toggle;
pub(crate) mod update;
pub(crate) mod validate;

use berth_plugin::PluginId;

use crate::cli::SelectorArgs;

/// Resolves `PLUGIN@MARKETPLACE` or `PLUGIN --marketplace MARKETPLACE` to a plugin id.
pub(crate) fn selected_plugin_id(
    args: &SelectorArgs,
) -> Result<PluginId, berth_core::ManagerError> {
    match (&args.marketplace, args.plugin.contains('@')) {
        (_, true) => Ok(PluginId::parse(&args.plugin)?),
        (Some(marketplace), false) => Ok(PluginId::new(args.plugin.clone(), marketplace.clone())?),
        (None, false) => Err(berth_core::ManagerError::MarketplaceRequired),
    }
}
