//! The canonical local marketplace of a remote plugin and its local id.

use berth_plugin::{
    PluginId, REMOTE_CREATED_BY_ME_MARKETPLACE, REMOTE_GLOBAL_MARKETPLACE,
    REMOTE_SHARED_WITH_ME_MARKETPLACE, REMOTE_WORKSPACE_DIRECTORY_MARKETPLACE,
};
use berth_service_protocol::{DirectoryItem, Discoverability, Scope};

use crate::error::RemoteError;

/// GLOBAL -> `openai-curated-remote`, WORKSPACE LISTED -> `workspace-directory`, WORKSPACE
/// PRIVATE/UNLISTED -> `workspace-shared-with-me`, USER -> `created-by-me-remote`.
pub fn canonical_marketplace(item: &DirectoryItem) -> Result<&'static str, RemoteError> {
    match (item.scope, item.discoverability) {
        (Scope::Global, _) => Ok(REMOTE_GLOBAL_MARKETPLACE),
        (Scope::User, _) => Ok(REMOTE_CREATED_BY_ME_MARKETPLACE),
        (Scope::Workspace, Some(Discoverability::Listed)) => {
            Ok(REMOTE_WORKSPACE_DIRECTORY_MARKETPLACE)
        }
        (Scope::Workspace, Some(Discoverability::Private | Discoverability::Unlisted)) => {
            Ok(REMOTE_SHARED_WITH_ME_MARKETPLACE)
        }
        (Scope::Workspace, None) => Err(RemoteError::MissingDiscoverability {
            id: item.id.clone(),
        }),
    }
}

/// `<backend name>@<canonical marketplace>`.
pub fn local_plugin_id(item: &DirectoryItem) -> Result<PluginId, RemoteError> {
    let marketplace = canonical_marketplace(item)?;
    PluginId::new(item.name.clone(), marketplace).map_err(|source| {
        RemoteError::InvalidLocalPluginId {
            id: item.id.clone(),
            source,
        }
    })
}
