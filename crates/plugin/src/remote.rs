//! The canonical local marketplaces that remote (backend) plugins are cached under.

/// Remote GLOBAL-scope catalog.
pub const REMOTE_GLOBAL_MARKETPLACE: &str = "openai-curated-remote";
/// Remote WORKSPACE plugins with discoverability LISTED.
pub const REMOTE_WORKSPACE_DIRECTORY_MARKETPLACE: &str = "workspace-directory";
/// Canonical cache marketplace for WORKSPACE plugins that are PRIVATE or UNLISTED.
pub const REMOTE_SHARED_WITH_ME_MARKETPLACE: &str = "workspace-shared-with-me";
/// Remote USER-scope plugins created by the user.
pub const REMOTE_CREATED_BY_ME_MARKETPLACE: &str = "created-by-me-remote";

/// Every marketplace name whose cache entries belong to remote plugins.
pub const REMOTE_MARKETPLACES: [&str; 6] = [
    REMOTE_GLOBAL_MARKETPLACE,
    REMOTE_CREATED_BY_ME_MARKETPLACE,
    REMOTE_WORKSPACE_DIRECTORY_MARKETPLACE,
    REMOTE_SHARED_WITH_ME_MARKETPLACE,
    "workspace-shared-with-me-private",
    "workspace-shared-with-me-unlisted",
];

/// True when plugins of this marketplace come from the plugin service.
pub fn is_remote_marketplace(name: &str) -> bool {
    REMOTE_MARKETPLACES.contains(&name)
}
