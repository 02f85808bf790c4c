//! `berth login --service URL`: checks a token minted by a berth plugin service and makes it the
//! Codex home's login, so Codex and berth both use the service: `auth.json` carries it as a
//! `ChatGPT` login (the earlier one kept as a backup) and `config.toml` gets
//! `chatgpt_base_url`. `berth logout` undoes both; `berth whoami` shows the login.

use std::io::{IsTerminal as _, Read as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use berth_auth::LoginRecord;
use berth_config::{ConfigError, ConfigStore, MergeStrategy};
use berth_remote::ServiceClient;
use berth_service_protocol::{TokenScope, WhoAmIResponse};
use clap::Args;
use serde_json::json;

use crate::commands::UserError;
use crate::commands::serve::target::{date, scope_list};
use crate::context::resolve_codex_home;
use crate::printer;

/// `berth login`.
#[derive(Debug, Args)]
pub(crate) struct LoginArgs {
    /// The Codex home to log in (default: `$CODEX_HOME`, else `~/.codex`).
    #[arg(long, value_name = "DIR")]
    pub(crate) codex_home: Option<PathBuf>,
    /// The plugin service, e.g. `https://plugins.example.com`.
    #[arg(long, value_name = "URL")]
    service: String,
    /// Read the token from standard input (for scripts and CI) instead of a hidden prompt.
    #[arg(long)]
    token_stdin: bool,
    /// Output as JSON.
    #[arg(long)]
    json: bool,
}

/// `berth logout`.
#[derive(Debug, Args)]
pub(crate) struct LogoutArgs {
    /// The Codex home whose login this uses (default: `$CODEX_HOME`, else `~/.codex`).
    #[arg(long, value_name = "DIR")]
    pub(crate) codex_home: Option<PathBuf>,
    /// Output as JSON.
    #[arg(long)]
    json: bool,
}

/// `berth whoami`.
#[derive(Debug, Args)]
pub(crate) struct WhoamiArgs {
    /// The Codex home whose login this uses (default: `$CODEX_HOME`, else `~/.codex`).
    #[arg(long, value_name = "DIR")]
    pub(crate) codex_home: Option<PathBuf>,
    /// Output as JSON.
    #[arg(long)]
    json: bool,
}

/// The token for a call to `service`: `explicit` (a flag or `BERTH_TOKEN`), else the access
/// token of the Codex home's login.
pub(crate) fn service_token(explicit: Option<&str>, codex_home: &Path) -> anyhow::Result<String> {
    if let Some(token) = explicit {
        return Ok(token.to_owned());
    }
    let auth = berth_auth::load_auth(codex_home)?;
    auth.as_ref()
        .and_then(berth_auth::CodexAuth::access_token)
        .map(str::to_owned)
        .ok_or_else(|| {
            UserError(
                "no token for the service: pass --token, set BERTH_TOKEN, or run `berth login --service URL`"
                    .to_owned(),
            )
            .into()
        })
}

fn read_token(args: &LoginArgs) -> anyhow::Result<String> {
    let token = if args.token_stdin {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map_err(|err| {
            UserError(format!(
                "could not read the token from standard input: {err}"
            ))
        })?;
        text
    } else if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("Token for {}: ", args.service))
            .map_err(|err| UserError(format!("could not read the token: {err}")))?
    } else {
        return Err(UserError(
            "standard input is not a terminal; pass --token-stdin to read the token from it"
                .to_owned(),
        )
        .into());
    };
    let token = token.trim().to_owned();
    if token.is_empty() {
        return Err(UserError("the token is empty".to_owned()).into());
    }
    Ok(token)
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| anyhow::anyhow!("could not start the async runtime: {err}"))
}

#[expect(
    clippy::needless_pass_by_value,
    reason = "used as a map_err function on owned errors"
)]
fn config_error(err: ConfigError) -> anyhow::Error {
    UserError(err.to_string()).into()
}

pub(crate) fn login(codex_home: Option<&Path>, args: &LoginArgs) -> anyhow::Result<ExitCode> {
    let home = resolve_codex_home(codex_home)?;
    let token = read_token(args)?;
    let client =
        ServiceClient::new(&args.service, &token).map_err(|err| UserError(err.to_string()))?;
    let who: WhoAmIResponse = runtime()?
        .block_on(client.whoami())
        .map_err(|err| match err {
            // Only the service's answer says anything about the token.
            berth_remote::ServiceError::Refused { .. } => {
                UserError(format!("the token was not accepted: {err}"))
            }
            _ => UserError(format!("could not log in: {err}")),
        })?;
    let store = ConfigStore::new(&home);
    let current = store.load().map_err(config_error)?.chatgpt_base_url();
    let api = client.api_base_url();
    let record = LoginRecord {
        service: client.origin().to_owned(),
        account_id: who.account_id.clone(),
        expires_at: who.expires_at,
        logged_in_at: berth_auth::now_unix(),
        had_auth: false,
        set_base_url: current.as_deref() != Some(api.as_str()),
        previous_base_url: current,
    };
    let record =
        berth_auth::write_login(&home, &token, record).map_err(|err| UserError(err.to_string()))?;
    store
        .edit(|file| file.set_value(&["chatgpt_base_url"], &json!(api), MergeStrategy::Replace))
        .map_err(config_error)?;
    if args.json {
        printer::json(&json!({
            "service": record.service,
            "apiBaseUrl": api,
            "accountId": who.account_id,
            "scopes": who.scopes,
            "expiresAt": who.expires_at,
            "authFile": berth_auth::auth_file_path(&home),
        }))?;
    } else {
        printer::line(format!(
            "logged in to {} as `{}` (scopes: {}; expires {})",
            record.service,
            who.account_id,
            scope_list(&who.scopes),
            date(who.expires_at)
        ))?;
        printer::note(format!(
            "{} holds the login{}; config.toml sets chatgpt_base_url = \"{api}\".\n\
             Codex and berth now use this service; `berth logout` puts the earlier login back.",
            berth_auth::auth_file_path(&home).display(),
            if record.had_auth {
                " (the earlier one is kept as auth.json.berth-backup)"
            } else {
                ""
            },
        ));
        if !who
            .scopes
            .iter()
            .any(|scope| matches!(scope, TokenScope::Read | TokenScope::Admin))
        {
            printer::note(
                "this token cannot read the catalog, so Codex will see no plugins with it; it can publish with `berth publish DIR --service URL`",
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn logout(codex_home: Option<&Path>, args: &LogoutArgs) -> anyhow::Result<ExitCode> {
    let home = resolve_codex_home(codex_home)?;
    let Some(record) = berth_auth::read_login(&home).map_err(|err| UserError(err.to_string()))?
    else {
        if args.json {
            printer::json(&json!({"loggedOut": false}))?;
        } else {
            printer::line("not logged in with berth; nothing changed")?;
        }
        return Ok(ExitCode::SUCCESS);
    };
    if record.set_base_url {
        let store = ConfigStore::new(&home);
        store
            .edit(|file| match &record.previous_base_url {
                Some(previous) => file.set_value(
                    &["chatgpt_base_url"],
                    &json!(previous),
                    MergeStrategy::Replace,
                ),
                None => file.clear_value(&["chatgpt_base_url"]).map(|_| ()),
            })
            .map_err(config_error)?;
    }
    berth_auth::remove_login(&home).map_err(|err| UserError(err.to_string()))?;
    if args.json {
        printer::json(&json!({"loggedOut": true, "service": record.service}))?;
    } else {
        printer::line(format!(
            "logged out of {} (`{}`); {}",
            record.service,
            record.account_id,
            if record.had_auth {
                "the earlier auth.json is back"
            } else {
                "auth.json removed"
            }
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn whoami(codex_home: Option<&Path>, args: &WhoamiArgs) -> anyhow::Result<ExitCode> {
    let home = resolve_codex_home(codex_home)?;
    let record = berth_auth::read_login(&home).map_err(|err| UserError(err.to_string()))?;
    let base_url = ConfigStore::new(&home)
        .load()
        .map_err(config_error)?
        .chatgpt_base_url();
    let Some(service) = record
        .as_ref()
        .map(|record| record.service.clone())
        .or(base_url)
    else {
        return Err(UserError(
            "not logged in to a plugin service; run `berth login --service URL`".to_owned(),
        )
        .into());
    };
    let token = service_token(None, &home)?;
    let client = ServiceClient::new(&service, &token).map_err(|err| UserError(err.to_string()))?;
    let who = runtime()?
        .block_on(client.whoami())
        .map_err(|err| UserError(err.to_string()))?;
    if args.json {
        printer::json(&json!({
            "service": client.origin(),
            "accountId": who.account_id,
            "tokenId": who.token_id,
            "scopes": who.scopes,
            "pluginIds": who.plugin_ids,
            "expiresAt": who.expires_at,
        }))?;
    } else {
        printer::line(format!(
            "`{}` at {} (scopes: {}; expires {})",
            who.account_id,
            client.origin(),
            scope_list(&who.scopes),
            date(who.expires_at)
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}
