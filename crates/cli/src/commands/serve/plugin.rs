//! `berth serve plugin list|releases|withdraw|rollback` and `berth serve status`: the catalog
//! as admins see it, release history, and the admin changes, by plugin name or backend id.

use std::process::ExitCode;

use berth_service_protocol::{AdminPlugin, ReleaseInfo, Status};
use clap::{Args, Subcommand};

use super::target::{Target, TargetArgs, date, resolve, service_error};
use crate::commands::UserError;
use crate::printer;

/// `berth serve plugin ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum PluginCommand {
    /// List every plugin with its status, current version and number of releases.
    List {
        #[command(flatten)]
        target: TargetArgs,
        /// Output as JSON.
        #[arg(long)]
        json: bool,
    },
    /// A plugin's releases, newest first.
    Releases {
        #[command(flatten)]
        target: TargetArgs,
        /// Plugin name or backend id.
        plugin: String,
        /// Output as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Withdraw a release: clients stop being offered it (the newest release left becomes
    /// current; with none left the plugin is no longer offered).
    Withdraw {
        #[command(flatten)]
        target: TargetArgs,
        /// Plugin name or backend id.
        plugin: String,
        /// The version to withdraw.
        #[arg(value_name = "VERSION")]
        release: String,
    },
    /// Offer an earlier release again (a roll back).
    Rollback {
        #[command(flatten)]
        target: TargetArgs,
        /// Plugin name or backend id.
        plugin: String,
        /// A version that is not withdrawn.
        #[arg(value_name = "VERSION")]
        release: String,
    },
}

/// `berth serve status PLUGIN STATUS`.
#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    #[command(flatten)]
    target: TargetArgs,
    /// Plugin name or backend id.
    plugin: String,
    /// `AVAILABLE` or `DISABLED_BY_ADMIN`.
    status: String,
}

pub(crate) async fn run(command: PluginCommand) -> anyhow::Result<ExitCode> {
    match command {
        PluginCommand::List { target, json } => list(target, json).await?,
        PluginCommand::Releases {
            target,
            plugin,
            json,
        } => releases(target, plugin, json).await?,
        PluginCommand::Withdraw {
            target,
            plugin,
            release,
        } => withdraw(target, plugin, release).await?,
        PluginCommand::Rollback {
            target,
            plugin,
            release,
        } => rollback(target, plugin, release).await?,
    }
    Ok(ExitCode::SUCCESS)
}

async fn list(target: TargetArgs, json: bool) -> anyhow::Result<()> {
    let target = target.open().await?;
    let plugins = match &target {
        Target::Service(client) => client
            .plugins()
            .await
            .map(|answer| answer.plugins)
            .map_err(service_error),
        Target::Database { db, .. } => db.admin_plugins().await.map_err(Into::into),
    };
    target.close().await;
    let plugins: Vec<AdminPlugin> = plugins?;
    if json {
        printer::json(&plugins)?;
    } else {
        let rows: Vec<Vec<String>> = plugins
            .iter()
            .map(|plugin| {
                vec![
                    plugin.id.clone(),
                    plugin.name.clone(),
                    plugin.scope.clone(),
                    plugin.status.as_str().to_owned(),
                    plugin
                        .current_version
                        .clone()
                        .unwrap_or_else(|| "(withdrawn)".to_owned()),
                    plugin.releases.to_string(),
                ]
            })
            .collect();
        printer::line(printer::table(
            &["ID", "NAME", "SCOPE", "STATUS", "CURRENT", "RELEASES"],
            &rows,
        ))?;
        if rows.is_empty() {
            printer::note("no plugins yet; publish one with `berth publish DIR`");
        }
    }
    Ok(())
}

async fn releases(target: TargetArgs, plugin: String, json: bool) -> anyhow::Result<()> {
    let target = target.open().await?;
    let releases = match &target {
        Target::Service(client) => client
            .releases(&plugin)
            .await
            .map(|answer| answer.releases)
            .map_err(service_error),
        Target::Database { db, .. } => match resolve(db, &plugin).await {
            Ok(id) => db.releases(&id).await.map_err(Into::into),
            Err(err) => Err(err),
        },
    };
    target.close().await;
    let releases: Vec<ReleaseInfo> = releases?;
    if json {
        printer::json(&releases)?;
    } else {
        let rows: Vec<Vec<String>> = releases
            .iter()
            .map(|release| {
                vec![
                    release.version.clone(),
                    if release.current {
                        "current"
                    } else if release.withdrawn_at.is_some() {
                        "withdrawn"
                    } else {
                        ""
                    }
                    .to_owned(),
                    date(Some(release.published_at)),
                    release.published_by.clone().unwrap_or_default(),
                    release.bundle_sha256.clone(),
                ]
            })
            .collect();
        printer::line(printer::table(
            &["VERSION", "STATE", "PUBLISHED", "BY", "SHA256"],
            &rows,
        ))?;
    }
    Ok(())
}

async fn withdraw(target: TargetArgs, plugin: String, version: String) -> anyhow::Result<()> {
    let target = target.open().await?;
    let changed = match &target {
        Target::Service(client) => client
            .withdraw(&plugin, &version)
            .await
            .map(|answer| answer.changed)
            .map_err(service_error),
        Target::Database { db, .. } => match resolve(db, &plugin).await {
            Ok(id) => match db.withdraw_release(&id, &version).await {
                Ok(Ok(outcome)) => Ok(outcome != berth_server::WithdrawOutcome::AlreadyWithdrawn),
                Ok(Err(refused)) => Err(UserError(refused.to_string()).into()),
                Err(err) => Err(err.into()),
            },
            Err(err) => Err(err),
        },
    };
    let label = target.label();
    target.close().await;
    if changed? {
        printer::line(format!(
            "release {version} of `{plugin}` withdrawn ({label})"
        ))?;
    } else {
        printer::line(format!(
            "release {version} of `{plugin}` was withdrawn already; nothing changed ({label})"
        ))?;
    }
    Ok(())
}

async fn rollback(target: TargetArgs, plugin: String, version: String) -> anyhow::Result<()> {
    let target = target.open().await?;
    let outcome = match &target {
        Target::Service(client) => client
            .roll_back(&plugin, &version)
            .await
            .map(|_| ())
            .map_err(service_error),
        Target::Database { db, .. } => match resolve(db, &plugin).await {
            Ok(id) => match db.set_current_release(&id, &version).await {
                Ok(Ok(())) => Ok(()),
                Ok(Err(refused)) => Err(UserError(refused.to_string()).into()),
                Err(err) => Err(err.into()),
            },
            Err(err) => Err(err),
        },
    };
    let label = target.label();
    target.close().await;
    outcome?;
    printer::line(format!(
        "`{plugin}` offers release {version} again ({label})"
    ))?;
    Ok(())
}

pub(crate) async fn status(args: StatusArgs) -> anyhow::Result<ExitCode> {
    let status = Status::parse(&args.status).ok_or_else(|| {
        UserError(format!(
            "unknown status `{}`; use AVAILABLE or DISABLED_BY_ADMIN",
            args.status
        ))
    })?;
    let target = args.target.open().await?;
    let outcome = match &target {
        Target::Service(client) => client
            .set_status(&args.plugin, status)
            .await
            .map(|_| ())
            .map_err(service_error),
        Target::Database { db, .. } => match resolve(db, &args.plugin).await {
            Ok(id) => db
                .set_plugin_status(&id, status)
                .await
                .map(|_| ())
                .map_err(Into::into),
            Err(err) => Err(err),
        },
    };
    let label = target.label();
    target.close().await;
    outcome?;
    printer::line(format!(
        "plugin `{}` is now {} ({label})",
        args.plugin,
        status.as_str()
    ))?;
    Ok(ExitCode::SUCCESS)
}
