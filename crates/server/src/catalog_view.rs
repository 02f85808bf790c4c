//! [`Catalog`]: an immutable in-memory snapshot of the plugin catalog at one revision, and the
//! read rules over it: visibility by scope, discoverability, owner and shares; the listings of
//! `GET /ps/plugins/list` and `/workspace/shared`; and an account's installed plugins (its
//! explicit installs plus visible `INSTALLED_BY_DEFAULT` plugins). Keyset pagination by id.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;
use std::sync::Arc;

use berth_service_protocol::{Discoverability, InstallationPolicy, Scope};

use crate::catalog::{
    AccountInstall, CatalogChanges, InstalledRecord, Listing, Page, PluginRecord,
};

/// The catalog at one revision. Cheap to share; a change builds a new one.
#[derive(Debug, Clone, Default)]
pub(crate) struct Catalog {
    revision: i64,
    plugins: BTreeMap<String, Arc<PluginRecord>>,
    installed_by_default: BTreeSet<String>,
}

impl PluginRecord {
    /// Whether `account_id` may see this plugin: every GLOBAL plugin, LISTED or UNLISTED
    /// WORKSPACE plugins, its owner's plugins, and plugins shared with the account.
    pub fn visible_to(&self, account_id: &str) -> bool {
        let item = &self.item;
        item.scope == Scope::Global
            || (item.scope == Scope::Workspace
                && matches!(
                    item.discoverability,
                    Some(Discoverability::Listed | Discoverability::Unlisted)
                ))
            || self.owner_account_id.as_deref() == Some(account_id)
            || self.shared_with(account_id)
    }

    /// Whether the web catalog lists this plugin for `account_id`: every plugin it may see,
    /// less UNLISTED WORKSPACE plugins it neither owns nor was shared (those are readable by id
    /// only, as in the API).
    pub fn browsable_by(&self, account_id: &str) -> bool {
        let item = &self.item;
        self.visible_to(account_id)
            && (item.scope != Scope::Workspace
                || item.discoverability != Some(Discoverability::Unlisted)
                || self.owner_account_id.as_deref() == Some(account_id)
                || self.shared_with(account_id))
    }

    /// Whether a `user` share principal names `account_id`.
    fn shared_with(&self, account_id: &str) -> bool {
        self.item.share_principals.iter().any(|principal| {
            principal.principal_type == "user" && principal.principal_id == account_id
        })
    }

    /// Whether this plugin belongs in `listing` for `account_id`.
    fn listed_in(&self, listing: Listing, account_id: &str) -> bool {
        let item = &self.item;
        match listing {
            Listing::Scope(Scope::Global) => item.scope == Scope::Global,
            Listing::Scope(Scope::Workspace) => {
                item.scope == Scope::Workspace
                    && item.discoverability == Some(Discoverability::Listed)
            }
            Listing::Scope(Scope::User) => {
                item.scope == Scope::User && self.owner_account_id.as_deref() == Some(account_id)
            }
            Listing::SharedWithMe => item.scope == Scope::Workspace && self.shared_with(account_id),
        }
    }
}

impl Catalog {
    /// The revision this snapshot reflects (0 before the first load).
    pub(crate) fn revision(&self) -> i64 {
        self.revision
    }

    /// A new snapshot with `changes` applied (each changed plugin replaces its old record).
    #[must_use]
    pub(crate) fn with_changes(&self, changes: CatalogChanges) -> Self {
        let mut next = self.clone();
        next.revision = changes.revision;
        for record in changes.plugins {
            let id = record.item.id.clone();
            if record.item.installation_policy == InstallationPolicy::InstalledByDefault {
                next.installed_by_default.insert(id.clone());
            } else {
                next.installed_by_default.remove(&id);
            }
            next.plugins.insert(id, Arc::new(record));
        }
        for id in changes.removed {
            next.installed_by_default.remove(&id);
            next.plugins.remove(&id);
        }
        next
    }

    /// Every plugin, in id order (the web pages filter them by the same rules).
    pub(crate) fn records(&self) -> impl Iterator<Item = &Arc<PluginRecord>> {
        self.plugins.values()
    }

    /// Plugin `id`, whoever may see it (for admin and publishing decisions).
    pub(crate) fn record(&self, id: &str) -> Option<Arc<PluginRecord>> {
        self.plugins.get(id).cloned()
    }

    /// Plugin `id` if `account_id` may see it.
    pub(crate) fn visible(&self, account_id: &str, id: &str) -> Option<Arc<PluginRecord>> {
        self.plugins
            .get(id)
            .filter(|record| record.visible_to(account_id))
            .cloned()
    }

    /// One page of `listing` for `account_id`, after plugin id `after` ("" for the first).
    pub(crate) fn list(
        &self,
        account_id: &str,
        listing: Listing,
        after: &str,
        limit: u32,
    ) -> Page<Arc<PluginRecord>> {
        let items = self
            .plugins
            .range::<str, _>((Bound::Excluded(after), Bound::Unbounded))
            .map(|(_, record)| record)
            .filter(|record| record.listed_in(listing, account_id))
            .cloned();
        paginate(items, limit, |record| &record.item.id)
    }

    /// One page of the plugins installed for `account_id`, optionally of one scope: its
    /// explicit `installs` of visible plugins plus every visible `INSTALLED_BY_DEFAULT` plugin
    /// it has not installed itself (enabled, no skill turned off).
    pub(crate) fn installed(
        &self,
        account_id: &str,
        installs: Vec<AccountInstall>,
        scope: Option<Scope>,
        after: &str,
        limit: u32,
    ) -> Page<InstalledRecord> {
        let mut rows: BTreeMap<&str, InstalledRecord> = BTreeMap::new();
        for install in installs {
            if let Some((id, record)) = self.plugins.get_key_value(install.plugin_id.as_str()) {
                rows.insert(
                    id.as_str(),
                    InstalledRecord {
                        record: Arc::clone(record),
                        enabled: install.enabled,
                        disabled_skill_names: install.disabled_skill_names,
                    },
                );
            }
        }
        for id in &self.installed_by_default {
            if let Some(record) = self.plugins.get(id) {
                rows.entry(id.as_str()).or_insert_with(|| InstalledRecord {
                    record: Arc::clone(record),
                    enabled: true,
                    disabled_skill_names: Vec::new(),
                });
            }
        }
        let items = rows
            .into_iter()
            .filter(|(id, _)| *id > after)
            .map(|(_, installed)| installed)
            .filter(|installed| {
                installed.record.visible_to(account_id)
                    && scope.is_none_or(|scope| installed.record.item.scope == scope)
            });
        paginate(items, limit, |installed| &installed.record.item.id)
    }
}

/// The first `limit` of `items` (in id order), and the id to continue after when more remain.
fn paginate<T>(
    mut items: impl Iterator<Item = T>,
    limit: u32,
    id: impl Fn(&T) -> &String,
) -> Page<T> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let page: Vec<T> = items.by_ref().take(limit).collect();
    let next_page_token = if items.next().is_some() {
        page.last().map(|item| id(item).clone())
    } else {
        None
    };
    Page {
        items: page,
        next_page_token,
    }
}

#[cfg(test)]
#[path = "catalog_view_tests.rs"]
mod tests;
