//! Where `berth serve`'s admin commands act: a running service over HTTP with an admin token
//! (`--service URL`), or the service's database directly (`--data-dir` / `--database-url`);
//! each command names the one it changed.

use berth_remote::ServiceClient;
use berth_server::Db;
use clap::Args;

use super::{StorageArgs, open_db};
use crate::commands::UserError;

/// Where an admin command acts: a service over HTTP, or the database directly.
#[derive(Debug, Clone, Args)]
pub(crate) struct TargetArgs {
    #[command(flatten)]
    storage: StorageArgs,
    /// Act on a running service over HTTP (e.g. `https://plugins.example.com`) with an admin
    /// token, instead of on the database.
    #[arg(long, value_name = "URL")]
    service: Option<String>,
    /// The admin token for `--service` (default: `BERTH_TOKEN`, else the login of the Codex
    /// home from `berth login`).
    #[arg(
        long,
        env = "BERTH_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    token: Option<String>,
}

/// An opened target.
pub(crate) enum Target {
    Service(ServiceClient),
    Database { db: Db, label: String },
}

impl Target {
    /// What the command changed, for its message.
    pub(crate) fn label(&self) -> String {
        match self {
            Target::Service(client) => format!("service {}", client.origin()),
            Target::Database { label, .. } => format!("database {label}"),
        }
    }

    pub(crate) async fn close(self) {
        if let Target::Database { db, .. } = self {
            db.close().await;
        }
    }
}

/// The token of the Codex home's login, for `--service` without `--token`.
fn login_token() -> anyhow::Result<String> {
    let home = crate::context::resolve_codex_home(None)?;
    let auth = berth_auth::load_auth(&home)?;
    auth.as_ref()
        .and_then(berth_auth::CodexAuth::access_token)
        .map(str::to_owned)
        .ok_or_else(|| {
            UserError(
                "no token for --service: pass --token, set BERTH_TOKEN, or run `berth login --service URL`"
                    .to_owned(),
            )
            .into()
        })
}

impl TargetArgs {
    pub(crate) async fn open(&self) -> anyhow::Result<Target> {
        if let Some(url) = &self.service {
            let token = match &self.token {
                Some(token) => token.clone(),
                None => login_token()?,
            };
            let client =
                ServiceClient::new(url, &token).map_err(|err| UserError(err.to_string()))?;
            return Ok(Target::Service(client));
        }
        let config = self.storage.config();
        let url = config.effective_database_url();
        let label = berth_server::redact_url(url.trim_end_matches("?mode=rwc"));
        Ok(Target::Database {
            db: open_db(&self.storage).await?,
            label,
        })
    }
}

/// A service refusal or transport failure as a user-facing error.
#[expect(
    clippy::needless_pass_by_value,
    reason = "used as a map_err function on owned errors"
)]
pub(crate) fn service_error(err: berth_remote::ServiceError) -> anyhow::Error {
    UserError(err.to_string()).into()
}

/// Scopes as `read, publish`.
pub(crate) fn scope_list(scopes: &[berth_service_protocol::TokenScope]) -> String {
    scopes
        .iter()
        .map(|scope| scope.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Unix seconds as a date for tables.
pub(crate) fn date(unix: Option<i64>) -> String {
    unix.and_then(|unix| time::OffsetDateTime::from_unix_timestamp(unix).ok())
        .map_or_else(|| "-".to_owned(), |at| at.date().to_string())
}

/// A plugin named by name or id, resolved on the database.
pub(crate) async fn resolve(db: &Db, plugin: &str) -> anyhow::Result<String> {
    match db.resolve_plugin(plugin).await? {
        berth_server::Resolved::Found(id) => Ok(id),
        berth_server::Resolved::Missing => Err(UserError(format!(
            "no plugin with id or name `{plugin}`; list them with `berth serve plugin list`"
        ))
        .into()),
        berth_server::Resolved::Ambiguous(ids) => Err(UserError(format!(
            "several plugins are named `{plugin}` ({}); pass the backend id",
            ids.join(", ")
        ))
        .into()),
    }
}
