//! `berth publish PLUGIN_DIR`: validates and packs a plugin and registers the release in the
//! plugin service's database and bundle folder directly (run it where `berth serve` keeps its
//! data, or point `--database-url` at the shared `PostgreSQL` and `--data-dir` at the shared
//! bundle folder). A running server sees the new release on its next request.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use berth_server::{BundleStore, PublishOptions};
use berth_service_protocol::{
    AuthenticationPolicy, Discoverability, InstallationPolicy, Scope, Status,
};
use clap::Args;

use crate::commands::UserError;
use crate::commands::serve::StorageArgs;
use crate::printer;

/// `berth publish`.
#[derive(Debug, Args)]
pub(crate) struct PublishArgs {
    /// The plugin folder (holding `.codex-plugin/plugin.json`).
    pub(crate) plugin_dir: PathBuf,
    #[command(flatten)]
    pub(crate) storage: StorageArgs,
    /// `GLOBAL`, `WORKSPACE` or `USER`.
    #[arg(long, default_value = "GLOBAL")]
    pub(crate) scope: String,
    /// For WORKSPACE: `LISTED`, `UNLISTED` or `PRIVATE` (default LISTED).
    #[arg(long)]
    pub(crate) discoverability: Option<String>,
    /// `AVAILABLE`, `NOT_AVAILABLE` or `INSTALLED_BY_DEFAULT`.
    #[arg(long, default_value = "AVAILABLE")]
    pub(crate) installation_policy: String,
    /// `ON_USE` or `ON_INSTALL`.
    #[arg(long, default_value = "ON_USE")]
    pub(crate) authentication_policy: String,
    /// `AVAILABLE` or `DISABLED_BY_ADMIN`.
    #[arg(long, default_value = "AVAILABLE")]
    pub(crate) status: String,
    /// Backend id (default derived from the scope and plugin name).
    #[arg(long)]
    pub(crate) id: Option<String>,
    /// Owner account (required for USER scope).
    #[arg(long, value_name = "ACCOUNT")]
    pub(crate) owner: Option<String>,
    /// Share with this account (repeatable).
    #[arg(long, value_name = "ACCOUNT")]
    pub(crate) share_with: Vec<String>,
    /// Output the published item as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

fn parse<T>(
    flag: &str,
    value: &str,
    parse: fn(&str) -> Option<T>,
    allowed: &str,
) -> anyhow::Result<T> {
    parse(value).ok_or_else(|| {
        UserError(format!("invalid --{flag} `{value}`; use one of {allowed}")).into()
    })
}

pub(crate) fn run(args: PublishArgs) -> anyhow::Result<ExitCode> {
    let options = PublishOptions {
        id: args.id.clone(),
        scope: parse(
            "scope",
            &args.scope,
            Scope::parse,
            "GLOBAL, WORKSPACE, USER",
        )?,
        discoverability: args
            .discoverability
            .as_deref()
            .map(|value| {
                parse(
                    "discoverability",
                    value,
                    Discoverability::parse,
                    "LISTED, UNLISTED, PRIVATE",
                )
            })
            .transpose()?,
        installation_policy: parse(
            "installation-policy",
            &args.installation_policy,
            InstallationPolicy::parse,
            "AVAILABLE, NOT_AVAILABLE, INSTALLED_BY_DEFAULT",
        )?,
        authentication_policy: parse(
            "authentication-policy",
            &args.authentication_policy,
            AuthenticationPolicy::parse,
            "ON_USE, ON_INSTALL",
        )?,
        status: parse(
            "status",
            &args.status,
            Status::parse,
            "AVAILABLE, DISABLED_BY_ADMIN",
        )?,
        owner_account_id: args.owner.clone(),
        share_with: args.share_with.clone(),
        published_by: None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")?;
    runtime.block_on(async move {
        let (db, bundles) = berth_server::open_storage(&args.storage.config()).await?;
        let bundles: Arc<dyn BundleStore> = Arc::new(bundles);
        let published = berth_server::publish_plugin(&db, bundles, &args.plugin_dir, options).await;
        db.close().await;
        let published = published.map_err(|err| {
            let causes: Vec<String> =
                std::iter::successors(std::error::Error::source(&err), |cause| cause.source())
                    .map(ToString::to_string)
                    .collect();
            let mut message = err.to_string();
            for cause in causes {
                message.push_str("\n  caused by: ");
                message.push_str(&cause);
            }
            UserError(message)
        })?;
        if args.json {
            printer::json(&published.item)?;
        } else {
            printer::line(format!(
                "published {} {} as `{}` ({}, {} bytes, sha256 {})",
                published.item.name,
                published
                    .item
                    .release
                    .version
                    .as_deref()
                    .unwrap_or_default(),
                published.item.id,
                published.item.scope.as_str(),
                published.bundle_bytes,
                published
                    .item
                    .release
                    .bundle_sha256
                    .as_deref()
                    .unwrap_or_default(),
            ))?;
        }
        Ok(ExitCode::SUCCESS)
    })
}
