//! The names of every environment variable berth-remote reads: the client's limits (read by
//! [`crate::ClientLimits::from_env`]) and the debug-only plain-http bundle switch.

pub use crate::download::ALLOW_HTTP_BUNDLE_DOWNLOADS_ENV;

/// Overrides [`crate::DEFAULT_MAX_RESPONSE_BYTES`], in bytes.
pub const MAX_RESPONSE_BYTES_ENV: &str = "BERTH_MAX_RESPONSE_BYTES";
/// Overrides [`crate::DEFAULT_MAX_PAGES`].
pub const MAX_REMOTE_PAGES_ENV: &str = "BERTH_MAX_REMOTE_PAGES";
/// Overrides [`crate::MAX_BUNDLE_DOWNLOAD_BYTES`], the largest bundle downloaded, in bytes.
pub const MAX_BUNDLE_DOWNLOAD_BYTES_ENV: &str = "BERTH_MAX_BUNDLE_DOWNLOAD_BYTES";
/// Overrides [`crate::DEFAULT_MAX_ITEMS`].
pub const MAX_REMOTE_ITEMS_ENV: &str = "BERTH_MAX_REMOTE_ITEMS";
