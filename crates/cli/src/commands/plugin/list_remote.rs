//! The remote half of `berth plugin list`: the plugin service's catalogs grouped into the
//! remote marketplaces (`openai-curated-remote`, `workspace-directory`,
//! `workspace-shared-with-me`, `created-by-me-remote`) with each plugin's installed state.

use std::collections::{BTreeMap, HashMap};

use berth_plugin::{PluginId, REMOTE_MARKETPLACES};
use berth_remote::{RemoteError, canonical_marketplace, local_plugin_id};
use berth_service_protocol::{DirectoryItem, Scope};
use serde_json::{Value, json};

use crate::commands::plugin::remote::RemoteSession;
use crate::context::Context;

/// One remote plugin as the listing shows it.
pub(crate) struct RemoteListItem {
    pub(crate) id: PluginId,
    pub(crate) item: DirectoryItem,
    pub(crate) installed: bool,
    pub(crate) enabled: bool,
    /// Active cache version, when the bundle is materialised.
    pub(crate) installed_version: Option<String>,
}

impl RemoteListItem {
    /// The catalog's release version, which Codex reports even when the cache holds another.
    pub(crate) fn version(&self) -> Option<&str> {
        self.item.release.version.as_deref()
    }

    /// The release version, noting a different cached version (`0.2.0 (cached 0.1.0)`).
    pub(crate) fn version_text(&self) -> String {
        let release = self.version().unwrap_or_default();
        match self.installed_version.as_deref() {
            Some(cached) if cached != release => format!("{release} (cached {cached})"),
            _ => release.to_owned(),
        }
    }
}

/// A remote marketplace and its plugins, sorted by name.
pub(crate) struct RemoteMarketplace {
    pub(crate) name: &'static str,
    pub(crate) plugins: Vec<RemoteListItem>,
}

/// Everything the listing learned from the service.
pub(crate) struct RemoteListing {
    pub(crate) marketplaces: Vec<RemoteMarketplace>,
}

/// The remote marketplaces, or `Ok(None)` without a `ChatGPT` login (an error when
/// `login_required`). `filter` keeps one marketplace. Any service failure is an error.
pub(crate) fn remote_listing(
    context: &Context,
    filter: Option<&str>,
    login_required: bool,
) -> anyhow::Result<Option<RemoteListing>> {
    let session = if login_required {
        RemoteSession::connect(context)?
    } else {
        let Some(session) = RemoteSession::connect_if_logged_in(context)? else {
            return Ok(None);
        };
        session
    };
    let (catalog, installed) = session.runtime.block_on(fetch(&session))?;
    let installed: HashMap<String, bool> = installed
        .into_iter()
        .map(|(item, enabled)| (item.id, enabled))
        .collect();
    let mut grouped: BTreeMap<&'static str, BTreeMap<String, RemoteListItem>> = BTreeMap::new();
    for item in catalog {
        let (Ok(marketplace), Ok(id)) = (canonical_marketplace(&item), local_plugin_id(&item))
        else {
            tracing::warn!(remote_plugin_id = %item.id, "skipping remote plugin with an invalid local id");
            continue;
        };
        if filter.is_some_and(|filter| filter != marketplace) {
            continue;
        }
        let enabled = installed.get(&item.id).copied();
        let installed_version = enabled
            .is_some()
            .then(|| context.manager.store().active_plugin_version(&id))
            .flatten();
        grouped.entry(marketplace).or_default().insert(
            item.name.clone(),
            RemoteListItem {
                id,
                item,
                installed: enabled.is_some(),
                enabled: enabled.unwrap_or(false),
                installed_version,
            },
        );
    }
    let marketplaces = REMOTE_MARKETPLACES
        .iter()
        .filter_map(|name| {
            grouped.remove(name).map(|plugins| RemoteMarketplace {
                name,
                plugins: plugins.into_values().collect(),
            })
        })
        .collect();
    Ok(Some(RemoteListing { marketplaces }))
}

/// The catalog items of every remote marketplace (installed ones included, since a private
/// or legacy-shared plugin may only show up there) and the installed ones with `enabled`.
async fn fetch(
    session: &RemoteSession,
) -> Result<(Vec<DirectoryItem>, Vec<(DirectoryItem, bool)>), RemoteError> {
    let client = &session.client;
    let installed: Vec<(DirectoryItem, bool)> = client
        .list_installed(false)
        .await?
        .into_iter()
        .map(|installed| (installed.item, installed.enabled))
        .collect();
    let mut catalog = Vec::new();
    for scope in [Scope::Global, Scope::Workspace, Scope::User] {
        catalog.extend(client.list_catalog(scope).await?);
    }
    catalog.extend(client.list_shared().await?);
    catalog.extend(installed.iter().map(|(item, _)| item.clone()));
    Ok((catalog, installed))
}

/// One remote entry exactly as `codex plugin list --json` prints it (Codex 0.169.0 against
/// `berth serve`): the backend id is in `source: {"source": "remote", "id": ...}`.
pub(crate) fn remote_plugin_json(marketplace: &str, plugin: &RemoteListItem) -> Value {
    json!({
        "pluginId": plugin.id.as_key(),
        "name": plugin.id.plugin_name(),
        "marketplaceName": marketplace,
        "version": plugin.version(),
        "installed": plugin.installed,
        "enabled": plugin.enabled,
        "source": { "source": "remote", "id": plugin.item.id },
        "installPolicy": plugin.item.installation_policy,
        "authPolicy": plugin.item.authentication_policy,
    })
}
