//! `berth plugin add`: install a plugin from a marketplace in scope and enable it, or a remote
//! plugin from the plugin service (`NAME@openai-curated-remote` or a backend id).

use std::process::ExitCode;

use berth_core::{InstallRequest, MarketplaceSelector};
use serde_json::json;

use crate::cli::SelectorArgs;
use crate::commands::plugin::remote::{self, RemoteSession, Selected};
use crate::commands::plugin::unknown;
use crate::context::Context;
use crate::printer;
use crate::progress::git_progress;

pub(crate) fn run(context: &Context, args: &SelectorArgs) -> anyhow::Result<ExitCode> {
    let id = match remote::select(args)? {
        Selected::Local(id) => id,
        Selected::RemoteByName(id) => {
            let session = RemoteSession::connect(context)?;
            let remote_id = session.resolve_in_catalog(id.plugin_name(), id.marketplace_name())?;
            return run_remote(context, &session, &remote_id, args.json);
        }
        Selected::RemoteById(remote_id) => {
            let session = RemoteSession::connect(context)?;
            return run_remote(context, &session, &remote_id, args.json);
        }
    };
    let progress = git_progress(args.json);
    let outcome = context
        .manager
        .install_plugin_with_progress(
            &InstallRequest {
                plugin_name: id.plugin_name().to_owned(),
                marketplace: MarketplaceSelector::Name(id.marketplace_name().to_owned()),
            },
            progress.as_ref(),
        )
        .map_err(|err| unknown::explain(context, err.into()))?;
    drop(progress);
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

fn run_remote(
    context: &Context,
    session: &RemoteSession,
    remote_id: &str,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let progress = remote::progress(json);
    let outcome = session
        .runtime
        .block_on(context.manager.install_remote_plugin(
            &session.client,
            remote_id,
            session.policy,
            progress.as_ref(),
        ))?;
    if json {
        printer::json(&json!({
            "pluginId": outcome.plugin_id.as_key(),
            "remotePluginId": outcome.remote_plugin_id,
            "name": outcome.plugin_id.plugin_name(),
            "marketplaceName": outcome.plugin_id.marketplace_name(),
            "version": outcome.plugin_version,
            "installedPath": outcome.installed_path,
            "authPolicy": outcome.authentication_policy,
            "appsNeedingAuth": outcome.app_ids_needing_auth,
        }))?;
    } else {
        printer::line(format!(
            "Added remote plugin `{}` ({}) from marketplace `{}`.\nInstalled plugin root: {}",
            outcome.plugin_id.plugin_name(),
            outcome.remote_plugin_id,
            outcome.plugin_id.marketplace_name(),
            outcome.installed_path.display()
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}
