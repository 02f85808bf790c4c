//! Who is looking and what they may see: the [`Viewer`] of a page (anonymous, or an account
//! signed in through a session), the catalog's visibility rules applied to it, and who may see a
//! plugin's analytics: admins, and the plugin's publishers.

use std::sync::Arc;

use berth_service_protocol::Scope;

use crate::catalog::PluginRecord;

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

/// What an account's token allows, as far as the pages care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TokenGrant {
    /// The token carries the admin scope.
    pub(crate) admin: bool,
}

/// Whether the holder of a session signed in with a token granting `grant` administers the
/// service. berth has no admin scope yet (the service-for-teams issue adds `read`, `publish`
/// and `admin` token scopes), so today no token grants it and nobody is an admin: status changes
/// stay with `berth serve status`, and insights show each account its own plugins only.
pub(crate) fn viewer_is_admin(grant: TokenGrant) -> bool {
    grant.admin
}

/// The grant of a stored token. Today's tokens carry no scopes, so none is an admin's.
pub(crate) fn token_grant(_token_sha256: &str) -> TokenGrant {
    TokenGrant { admin: false }
}

/// The accounts that publish `record`: its owner and the accounts recorded as having published
/// a release of it. The service records no publishing account yet (the service-for-teams issue
/// adds it to each release), so today that is the owner alone: USER and private WORKSPACE
/// plugins have one, GLOBAL plugins published by `berth publish` have none.
pub(crate) fn publishers_of(record: &PluginRecord) -> Vec<&str> {
    record.owner_account_id.as_deref().into_iter().collect()
}

/// One release in a plugin's version history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VersionEntry {
    /// The version.
    pub(crate) version: String,
    /// The account that published it, when recorded.
    pub(crate) published_by: Option<String>,
    /// Whether clients are offered it now.
    pub(crate) current: bool,
}

/// `record`'s releases, newest first. The service keeps only the current release today (the
/// service-for-teams issue keeps every release), so the history is that one release.
pub(crate) fn version_history(record: &PluginRecord) -> Vec<VersionEntry> {
    record
        .item
        .release
        .version
        .iter()
        .map(|version| VersionEntry {
            version: version.clone(),
            published_by: None,
            current: true,
        })
        .collect()
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

    /// Whether this viewer may see `record`'s analytics: an admin, or one of its publishers.
    pub(crate) fn may_see_analytics(&self, record: &PluginRecord) -> bool {
        match self {
            Viewer::Anonymous => false,
            Viewer::SignedIn(session) => {
                session.is_admin
                    || (record.visible_to(&session.account_id)
                        && publishers_of(record).contains(&session.account_id.as_str()))
            }
        }
    }

    /// The plugins whose analytics this viewer may see, when it is not an admin.
    pub(crate) fn published<'a>(
        &self,
        records: impl Iterator<Item = &'a Arc<PluginRecord>>,
    ) -> Vec<Arc<PluginRecord>> {
        records
            .filter(|record| self.may_see_analytics(record))
            .cloned()
            .collect()
    }
}

#[cfg(test)]
#[path = "access_tests.rs"]
mod tests;
