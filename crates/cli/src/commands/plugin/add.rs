//! `berth plugin add`: install a plugin from a marketplace in scope and enable it.

use std::process::ExitCode;

use berth_core::{InstallRequest, MarketplaceSelector};
use serde_json::json;

use crate::cli::SelectorArgs;
use crate::commands::plugin::selected_plugin_id;
use crate::context::Context;
use crate::printer;

pub(crate) fn run(context: &Context, args: &SelectorArgs) -> anyhow::Result<ExitCode> {
    let id = selected_plugin_id(args)?;
    let outcome = context.manager.install_plugin(&InstallRequest {
        plugin_name: id.plugin_name().to_owned(),
        marketplace: MarketplaceSelector::Name(id.marketplace_name().to_owned()),
    })?;
    if args.json {
        printer::json(&json!({
            "pluginId": outcome.plugin_id.as_key(),
            "name": outcome.plugin_id.plugin_name(),
            "marketplaceName": outcome.plugin_id.marketplace_name(),
            "version": outcome.plugin_version,
            "installedPath": outcome.installed_path,
            "authPolicy": outcome.auth_policy,
        }))?;
    } else {
        printer::line(format!(
            "Added plugin `{}` from marketplace `{}`.\nInstalled plugin root: {}",
            outcome.plugin_id.plugin_name(),
            outcome.plugin_id.marketplace_name(),
            outcome.installed_path.display()
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}
