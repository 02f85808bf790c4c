//! `berth serve account add|list|remove`.

use std::process::ExitCode;

use berth_server::Db;
use berth_service_protocol::{AccountInfo, AccountRequest};
use clap::Subcommand;

use super::target::{Target, TargetArgs, service_error};
use crate::commands::UserError;
use crate::printer;

/// `berth serve account ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum AccountCommand {
    /// Add an account; its id is what clients send in `chatgpt-account-id`.
    Add {
        #[command(flatten)]
        target: TargetArgs,
        /// Account id.
        id: String,
        /// Display name (default: the id).
        #[arg(long)]
        name: Option<String>,
        /// E-mail put in the account's tokens (Codex shows it).
        #[arg(long)]
        email: Option<String>,
    },
    /// List accounts.
    List {
        #[command(flatten)]
        target: TargetArgs,
        /// Output as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Remove an account with its tokens and installs (plugins it owns stay).
    Remove {
        #[command(flatten)]
        target: TargetArgs,
        /// Account id.
        id: String,
    },
}

pub(crate) async fn run(command: AccountCommand) -> anyhow::Result<ExitCode> {
    match command {
        AccountCommand::Add {
            target,
            id,
            name,
            email,
        } => add(target, id, name, email).await?,
        AccountCommand::List { target, json } => list(target, json).await?,
        AccountCommand::Remove { target, id } => remove(target, id).await?,
    }
    Ok(ExitCode::SUCCESS)
}

async fn add(
    target: TargetArgs,
    id: String,
    name: Option<String>,
    email: Option<String>,
) -> anyhow::Result<()> {
    if !berth_plugin::is_valid_remote_plugin_id(&id) {
        return Err(UserError(format!(
            "invalid account id `{id}`: use ASCII letters, digits, `_`, `-` and `~`"
        ))
        .into());
    }
    let target = target.open().await?;
    let request = AccountRequest {
        id: id.clone(),
        name,
        email,
    };
    let outcome = match &target {
        Target::Service(client) => client
            .add_account(&request)
            .await
            .map(|answer| (answer.account, answer.created))
            .map_err(service_error),
        Target::Database { db, .. } => add_account_once(db, &request).await,
    };
    let label = target.label();
    target.close().await;
    match outcome? {
        (account, true) => {
            printer::line(format!("account `{}` added ({label})", account.id))?;
        }
        (account, false) => printer::line(format!(
            "account `{}` already exists (name `{}`); nothing changed ({label})",
            account.id, account.name
        ))?,
    }
    Ok(())
}

async fn list(target: TargetArgs, json: bool) -> anyhow::Result<()> {
    let target = target.open().await?;
    let accounts = match &target {
        Target::Service(client) => client
            .accounts()
            .await
            .map(|answer| answer.accounts)
            .map_err(service_error),
        Target::Database { db, .. } => db
            .accounts()
            .await
            .map(|accounts| accounts.into_iter().map(account_info).collect())
            .map_err(Into::into),
    };
    target.close().await;
    let accounts: Vec<AccountInfo> = accounts?;
    if json {
        printer::json(&accounts)?;
    } else {
        let rows: Vec<Vec<String>> = accounts
            .iter()
            .map(|account| {
                vec![
                    account.id.clone(),
                    account.name.clone(),
                    account.email.clone().unwrap_or_default(),
                ]
            })
            .collect();
        printer::line(printer::table(&["ID", "NAME", "EMAIL"], &rows))?;
        if rows.is_empty() {
            printer::note("no accounts yet; add one with `berth serve account add ID`");
        }
    }
    Ok(())
}

async fn remove(target: TargetArgs, id: String) -> anyhow::Result<()> {
    let target = target.open().await?;
    let removed = match &target {
        Target::Service(client) => client
            .remove_account(&id)
            .await
            .map(|answer| answer.changed)
            .map_err(service_error),
        Target::Database { db, .. } => db.remove_account(&id).await.map_err(Into::into),
    };
    let label = target.label();
    target.close().await;
    if removed? {
        printer::line(format!(
            "account `{id}` removed with its tokens and installs ({label})"
        ))?;
    } else {
        return Err(UserError(format!("no account `{id}` ({label})")).into());
    }
    Ok(())
}

fn account_info(account: berth_server::Account) -> AccountInfo {
    AccountInfo {
        id: account.id,
        name: account.name,
        email: account.email,
    }
}

/// Adds an account unless it exists; returns the account and whether it was added.
async fn add_account_once(
    db: &Db,
    request: &AccountRequest,
) -> anyhow::Result<(AccountInfo, bool)> {
    if let Some(account) = db.account(&request.id).await? {
        return Ok((account_info(account), false));
    }
    let name = request.name.as_deref().unwrap_or(&request.id);
    let account = db
        .add_account_with_email(&request.id, name, request.email.as_deref())
        .await?;
    Ok((account_info(account), true))
}
