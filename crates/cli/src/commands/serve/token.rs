//! `berth serve token add|list|revoke`: minted tokens with scopes, a plugin allowance and an
//! expiry; their secret is printed once.

use std::collections::BTreeSet;
use std::process::ExitCode;

use berth_server::TokenGrant;
use berth_service_protocol::{TokenInfo, TokenRequest, TokenScope};
use clap::Subcommand;

use super::target::{Target, TargetArgs, date, scope_list, service_error};
use crate::commands::UserError;
use crate::printer;

/// `berth serve token ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum TokenCommand {
    /// Mint a token for an account and print it once (only its hash is stored).
    Add {
        #[command(flatten)]
        target: TargetArgs,
        /// Account id.
        account: String,
        /// What it may do: `read` (clients), `publish`, `admin` (repeatable; default `read`).
        #[arg(long = "scope", value_name = "SCOPE", value_parser = parse_scope)]
        scopes: Vec<TokenScope>,
        /// Limit a publish token to this plugin id (repeatable).
        #[arg(long = "plugin", value_name = "PLUGIN_ID")]
        plugins: Vec<String>,
        /// Days until it expires.
        #[arg(long, value_name = "DAYS", default_value_t = berth_server::DEFAULT_TOKEN_DAYS)]
        expires_in_days: u32,
        /// A label to recognise the token by.
        #[arg(long, default_value = "")]
        label: String,
    },
    /// List tokens (never their secrets).
    List {
        #[command(flatten)]
        target: TargetArgs,
        /// Only this account's.
        #[arg(long)]
        account: Option<String>,
        /// Output as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token by its id (see `token list`).
    Revoke {
        #[command(flatten)]
        target: TargetArgs,
        /// Token id.
        id: String,
    },
}

fn parse_scope(value: &str) -> Result<TokenScope, String> {
    TokenScope::parse(value)
        .ok_or_else(|| format!("`{value}` is not a scope; use read, publish or admin"))
}

pub(crate) async fn run(command: TokenCommand) -> anyhow::Result<ExitCode> {
    match command {
        TokenCommand::Add {
            target,
            account,
            scopes,
            plugins,
            expires_in_days,
            label,
        } => add(target, account, scopes, plugins, expires_in_days, label).await?,
        TokenCommand::List {
            target,
            account,
            json,
        } => list(target, account, json).await?,
        TokenCommand::Revoke { target, id } => revoke(target, id).await?,
    }
    Ok(ExitCode::SUCCESS)
}

async fn add(
    target: TargetArgs,
    account: String,
    scopes: Vec<TokenScope>,
    plugins: Vec<String>,
    expires_in_days: u32,
    label: String,
) -> anyhow::Result<()> {
    let target = target.open().await?;
    let plugin_ids = (!plugins.is_empty()).then_some(plugins);
    let minted = match &target {
        Target::Service(client) => client
            .mint_token(&TokenRequest {
                account_id: account.clone(),
                scopes: scopes.clone(),
                plugin_ids,
                expires_in_days: Some(expires_in_days),
                label,
            })
            .await
            .map(|answer| (answer.token, answer.info))
            .map_err(service_error),
        Target::Database { db, .. } => db
            .mint_token(&TokenGrant {
                account_id: account.clone(),
                scopes: scopes.iter().copied().collect::<BTreeSet<_>>(),
                plugin_ids,
                days: Some(expires_in_days),
                label,
            })
            .await
            .map(|minted| (minted.token, minted.info))
            .map_err(|err| UserError(err.to_string()).into()),
    };
    let label = target.label();
    target.close().await;
    let (token, info) = minted?;
    printer::line(token)?;
    printer::note(format!(
        "token {} for `{account}` ({}; expires {}) added ({label}); it is not shown again.\n\
                 Log in with it: `berth login --service URL --token-stdin`, or send it as \
                 `Authorization: Bearer <token>`",
        info.id,
        scope_list(&info.scopes),
        date(info.expires_at),
    ));
    Ok(())
}

async fn list(target: TargetArgs, account: Option<String>, json: bool) -> anyhow::Result<()> {
    let target = target.open().await?;
    let tokens = match &target {
        Target::Service(client) => client
            .tokens(account.as_deref())
            .await
            .map(|answer| answer.tokens)
            .map_err(service_error),
        Target::Database { db, .. } => db.tokens(account.as_deref()).await.map_err(Into::into),
    };
    target.close().await;
    let tokens: Vec<TokenInfo> = tokens?;
    if json {
        printer::json(&tokens)?;
    } else {
        let rows: Vec<Vec<String>> = tokens.iter().map(token_row).collect();
        printer::line(printer::table(
            &[
                "ID", "ACCOUNT", "SCOPES", "PLUGINS", "CREATED", "EXPIRES", "REVOKED", "LABEL",
            ],
            &rows,
        ))?;
        if rows.is_empty() {
            printer::note("no tokens yet; mint one with `berth serve token add ACCOUNT`");
        }
    }
    Ok(())
}

async fn revoke(target: TargetArgs, id: String) -> anyhow::Result<()> {
    let target = target.open().await?;
    let revoked = match &target {
        Target::Service(client) => client
            .revoke_token(&id)
            .await
            .map(|answer| answer.changed)
            .map_err(service_error),
        Target::Database { db, .. } => db.revoke_token(&id).await.map_err(Into::into),
    };
    let label = target.label();
    target.close().await;
    if revoked? {
        printer::line(format!("token {id} revoked ({label})"))?;
        printer::note(format!(
            "services refuse it at once, or within {} s where it was just used",
            berth_server::TOKEN_CACHE_TTL.as_secs()
        ));
    } else {
        return Err(UserError(format!(
            "no token {id} that is not revoked already ({label}); see `berth serve token list`"
        ))
        .into());
    }
    Ok(())
}

fn token_row(token: &TokenInfo) -> Vec<String> {
    vec![
        token.id.clone(),
        token.account_id.clone(),
        scope_list(&token.scopes),
        token
            .plugin_ids
            .as_ref()
            .map_or_else(|| "any".to_owned(), |ids| ids.join(", ")),
        date(Some(token.created_at)),
        date(token.expires_at),
        date(token.revoked_at),
        token.label.clone(),
    ]
}
