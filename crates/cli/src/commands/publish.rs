//! `berth publish PLUGIN_DIR`: validates a plugin as clients will load it, packs it
//! deterministically and publishes the release: uploaded to a service with `--service URL` (the
//! token of `berth login`, `--token` or `BERTH_TOKEN`; what a plugin author or CI uses), or
//! registered in the service's database and bundle storage directly (run it where `berth serve`
//! keeps its data). `--dry-run` only validates and shows what would be published.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use berth_server::PublishOptions;
use berth_service_protocol::{
    AuthenticationPolicy, Discoverability, InstallationPolicy, PublishQuery, Scope, Status,
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
    /// Upload to this plugin service (e.g. `https://plugins.example.com`) instead of writing its
    /// database directly.
    #[arg(long, value_name = "URL")]
    pub(crate) service: Option<String>,
    /// The token for `--service` (default: `BERTH_TOKEN`, else the login of `berth login`).
    #[arg(
        long,
        env = "BERTH_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub(crate) token: Option<String>,
    /// Validate and show what would be published (files, sizes, digest); publish nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// The Codex home whose `berth login` gives the token for `--service` (default:
    /// `$CODEX_HOME`, else `~/.codex`).
    #[arg(long, value_name = "DIR")]
    pub(crate) codex_home: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) storage: StorageArgs,
    /// `GLOBAL`, `WORKSPACE` or `USER` (over HTTP, a new release keeps the plugin's scope
    /// unless given).
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

pub(crate) fn run(codex_home: Option<&Path>, args: PublishArgs) -> anyhow::Result<ExitCode> {
    if args.dry_run {
        return dry_run(&args);
    }
    if let Some(service) = args.service.clone() {
        return upload(codex_home, &service, &args);
    }
    publish_to_database(args)
}

/// Validates and packs the plugin the way publishing does.
pub(crate) fn validate_and_pack(
    dir: &Path,
) -> anyhow::Result<(berth_server::ValidatedPlugin, berth_bundle::PackedBundle)> {
    let plugin = berth_server::validate_plugin_dir(dir).map_err(|err| UserError(chain(&err)))?;
    let packed = berth_bundle::pack_plugin_dir(dir).map_err(|err| UserError(chain(&err)))?;
    if packed.bytes.len() as u64 > berth_bundle::MAX_BUNDLE_BYTES {
        return Err(UserError(format!(
            "`{}` packs into {}, over the {} clients download; make the plugin smaller",
            dir.display(),
            human(packed.bytes.len() as u64),
            human(berth_bundle::MAX_BUNDLE_BYTES)
        ))
        .into());
    }
    Ok((plugin, packed))
}

/// An error and its causes on one message.
fn chain(err: &dyn std::error::Error) -> String {
    let mut message = err.to_string();
    let mut cause = err.source();
    while let Some(inner) = cause {
        message.push_str("\n  caused by: ");
        message.push_str(&inner.to_string());
        cause = inner.source();
    }
    message
}

/// Bytes in human units (`12.3 KiB`).
pub(crate) fn human(bytes: u64) -> String {
    bytesize::ByteSize::b(bytes).display().iec().to_string()
}

fn dry_run(args: &PublishArgs) -> anyhow::Result<ExitCode> {
    let (plugin, packed) = validate_and_pack(&args.plugin_dir)?;
    let unpacked: u64 = packed.files.iter().map(|file| file.bytes).sum();
    if args.json {
        printer::json(&serde_json::json!({
            "name": plugin.name,
            "version": plugin.version,
            "bundleSha256": packed.sha256_hex,
            "bundleBytes": packed.bytes.len(),
            "files": packed.files.iter().map(|file| serde_json::json!({"path": file.path, "bytes": file.bytes})).collect::<Vec<_>>(),
            "skills": plugin.skills.iter().map(|skill| &skill.name).collect::<Vec<_>>(),
            "notes": plugin.notes,
        }))?;
    } else {
        let rows: Vec<Vec<String>> = packed
            .files
            .iter()
            .map(|file| vec![human(file.bytes), file.path.clone()])
            .collect();
        printer::line(printer::table(&["SIZE", "FILE"], &rows))?;
        printer::line(format!(
            "would publish {} {}: {} files, {} unpacked, {} bundle, sha256 {}",
            plugin.name,
            plugin.version,
            packed.files.len(),
            human(unpacked),
            human(packed.bytes.len() as u64),
            packed.sha256_hex
        ))?;
        for note in &plugin.notes {
            printer::note(format!("note: {note}"));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn upload(
    codex_home: Option<&Path>,
    service: &str,
    args: &PublishArgs,
) -> anyhow::Result<ExitCode> {
    let home = crate::context::resolve_codex_home(codex_home)?;
    let token = crate::commands::login::service_token(args.token.as_deref(), &home)?;
    let client = berth_remote::ServiceClient::new(service, &token)
        .map_err(|err| UserError(err.to_string()))?;
    let (plugin, packed) = validate_and_pack(&args.plugin_dir)?;
    let query = PublishQuery {
        name: Some(plugin.name),
        id: args.id.clone(),
        scope: explicit(args.scope.as_str(), "GLOBAL"),
        discoverability: args.discoverability.clone(),
        installation_policy: explicit(args.installation_policy.as_str(), "AVAILABLE"),
        authentication_policy: explicit(args.authentication_policy.as_str(), "ON_USE"),
        owner: args.owner.clone(),
        share_with: (!args.share_with.is_empty()).then(|| args.share_with.join(",")),
    };
    let bytes = packed.bytes.len() as u64;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")?;
    let published = runtime
        .block_on(client.publish(packed.bytes, &query))
        .map_err(|err| UserError(err.to_string()))?;
    if args.json {
        printer::json(&published)?;
    } else if published.created {
        printer::line(format!(
            "published {} {} as `{}` to {} ({}, sha256 {})",
            published.name,
            published.version,
            published.id,
            client.origin(),
            human(bytes),
            published.bundle_sha256
        ))?;
    } else {
        printer::line(format!(
            "{} {} is already published as `{}` at {} with these bytes; nothing changed",
            published.name,
            published.version,
            published.id,
            client.origin()
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A flag's value, unless it is the flag's default (so the service keeps the plugin's own).
fn explicit(value: &str, default: &str) -> Option<String> {
    (!value.eq_ignore_ascii_case(default)).then(|| value.to_owned())
}

fn publish_to_database(args: PublishArgs) -> anyhow::Result<ExitCode> {
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
