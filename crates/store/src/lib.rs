//! The Codex plugin cache under `$CODEX_HOME/plugins/cache`: [`PluginStore`] knows the layout,
//! picks the active version, installs and uninstalls atomically under a per-plugin
//! [`PluginLock`], and keeps the remote identity sidecar. Errors are [`StoreError`].

mod error;
mod install;
mod lock;
mod sidecar;
mod store;
mod sweep;
mod uninstall;
mod version;

pub use error::StoreError;
pub use install::{PluginInstallResult, source_version};
pub use lock::PluginLock;
pub use sidecar::{
    REMOTE_PLUGIN_INSTALL_METADATA_FILE, REMOTE_PLUGIN_INSTALL_METADATA_SCHEMA_VERSION,
};
pub use store::{InstalledPlugin, PLUGINS_CACHE_DIR, PLUGINS_DATA_DIR, PluginStore};
pub use version::compare_plugin_versions;
