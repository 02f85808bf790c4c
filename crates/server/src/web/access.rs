//! Who is looking and what they may see: the [`Viewer`] of a page (anonymous, or an account
//! signed in through a session), the catalog's visibility rules applied to it, and who may see a
//! plugin's analytics: admins (tokens with the `admin` scope), and the plugin's publishers (its
//! owner and the accounts that published a release of it).

use std::collections::BTreeSet;

use berth_service_protocol::{ReleaseInfo, Scope, TokenScope};

use crate::catalog::PluginRecord;
use crate::catalog_view::Catalog;
use crate::db::Db;
use crate::error::StoreError;

/// A signed-in account, from its session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SignedIn {
    /// The account.
    pub(crate) account_id: String,
    /// The session's CSRF token, embedded in its forms.
    pub(crate) csrf_token: String,
    /// SHA-256 of the session id (the cookie), as stored.
    pub(crate) session_sha256: String,
    /// Whether this account administers the service.
    pub(crate) is_admin: bool,
}

/// Who is looking at a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Viewer {
    /// No valid session.
    Anonymous,
    /// A valid session.
    SignedIn(SignedIn),
}

/// Whether the holder of a session administers the service: its token carries the `admin`
/// scope (checked again at every request, so revoking the token ends the session).
pub(crate) fn viewer_is_admin(scopes: &str) -> bool {
    scopes
        .split_whitespace()
        .any(|scope| TokenScope::parse(scope) == Some(TokenScope::Admin))
}

/// The accounts that publish plugin `id`: its owner and every account recorded as having
/// published a release of it.
pub(crate) async fn publishers_of(db: &Db, id: &str) -> Result<Vec<String>, StoreError> {
    db.publishers(id).await
}

/// The plugins `account_id` publishes among those it may see: those it owns and those it
/// published a release of.
pub(crate) async fn published_by(
    db: &Db,
    catalog: &Catalog,
    account_id: &str,
) -> Result<BTreeSet<String>, StoreError> {
    let mut ids: BTreeSet<String> = db
        .plugins_published_by(account_id)
        .await?
        .into_iter()
        .collect();
    ids.extend(
        catalog
            .records()
            .filter(|record| record.owner_account_id.as_deref() == Some(account_id))
            .map(|record| record.item.id.clone()),
    );
    ids.retain(|id| catalog.visible(account_id, id).is_some());
    Ok(ids)
}

/// `id`'s releases, newest first, each with its publisher, size and state.
pub(crate) async fn version_history(db: &Db, id: &str) -> Result<Vec<ReleaseInfo>, StoreError> {
    db.releases(id).await
}

impl Viewer {
    /// Whether the catalog lists `record` for this viewer: the GLOBAL catalog for anonymous
    /// viewers (with `--public-catalog`), else the account's catalog.
    pub(crate) fn may_browse(&self, record: &PluginRecord) -> bool {
        match self {
            Viewer::Anonymous => record.item.scope == Scope::Global,
            Viewer::SignedIn(session) => record.browsable_by(&session.account_id),
        }
    }

    /// Whether this viewer may open `record`'s page (as the API lets it read the plugin).
    pub(crate) fn may_read(&self, record: &PluginRecord) -> bool {
        match self {
            Viewer::Anonymous => record.item.scope == Scope::Global,
            Viewer::SignedIn(session) => record.visible_to(&session.account_id),
        }
    }

    /// Whether this viewer administers the service.
    pub(crate) fn is_admin(&self) -> bool {
        matches!(self, Viewer::SignedIn(session) if session.is_admin)
    }

    /// Whether this viewer may see `record`'s analytics: an admin, or one of `publishers`.
    pub(crate) fn may_see_analytics(&self, record: &PluginRecord, publishers: &[String]) -> bool {
        match self {
            Viewer::Anonymous => false,
            Viewer::SignedIn(session) => {
                session.is_admin
                    || (record.visible_to(&session.account_id)
                        && publishers.contains(&session.account_id))
            }
        }
    }
}

#[cfg(test)]
#[path = "access_tests.rs"]
mod tests;
