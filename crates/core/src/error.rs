//! Errors of the plugins manager.

use std::path::PathBuf;

use berth_config::ConfigError;
use berth_marketplace::MarketplaceError;
use berth_plugin::PluginIdError;
use berth_store::StoreError;

/// Why a manager operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ManagerError {
    /// A plugin id did not parse.
    #[error(transparent)]
    InvalidPluginId(#[from] PluginIdError),
    /// `PLUGIN` was given without a marketplace.
    #[error("plugin requires --marketplace unless passed as <plugin>@<marketplace>")]
    MarketplaceRequired,
    /// No marketplace of that name is in scope.
    #[error(
        "marketplace `{name}` is not configured or installed; add it with `berth marketplace add PATH`"
    )]
    MarketplaceNotFound {
        /// The marketplace name.
        name: String,
    },
    /// No marketplace of that name is recorded in config.toml.
    #[error(
        "marketplace `{name}` is not configured in config.toml; `berth marketplace list` shows the marketplaces in scope"
    )]
    MarketplaceNotConfigured {
        /// The marketplace name.
        name: String,
    },
    /// A marketplace of that name is already configured from another place.
    #[error(
        "marketplace `{name}` is already configured from `{}`; remove it first with `berth marketplace remove {name}`",
        existing.display()
    )]
    MarketplaceAlreadyConfigured {
        /// The marketplace name.
        name: String,
        /// Where it is configured from now.
        existing: PathBuf,
    },
    /// Marketplace loading or admission failed.
    #[error(transparent)]
    Marketplace(#[from] MarketplaceError),
    /// The plugin's source kind cannot be installed by this version of berth.
    #[error(
        "plugin `{plugin_id}` comes from a {kind} source, which berth cannot install yet; install it with `codex plugin add {plugin_id}`"
    )]
    UnsupportedSource {
        /// The plugin.
        plugin_id: String,
        /// The source kind, e.g. `git`.
        kind: &'static str,
    },
    /// The plugin is not installed.
    #[error(
        "plugin `{plugin_id}` is not installed; install it with `berth plugin add {plugin_id}`"
    )]
    NotInstalled {
        /// The plugin.
        plugin_id: String,
    },
    /// A plugin's manifest is missing or invalid.
    #[error("plugin `{plugin_id}` has a missing or invalid plugin.json")]
    InvalidManifest {
        /// The plugin.
        plugin_id: String,
        /// Why it did not load.
        #[source]
        source: berth_plugin::manifest::ManifestError,
    },
    /// The cache could not be changed or read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// config.toml could not be read.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The plugin was installed into the cache but config.toml could not record it.
    #[error("failed to persist installed plugin config for `{plugin_id}`")]
    PersistInstalledConfig {
        /// The plugin.
        plugin_id: String,
        /// The config error.
        #[source]
        source: ConfigError,
    },
}

impl ManagerError {
    /// True when the caller asked for something invalid (JSON-RPC -32600), as opposed to an
    /// internal failure.
    pub fn is_invalid_request(&self) -> bool {
        match self {
            Self::InvalidPluginId(_)
            | Self::MarketplaceRequired
            | Self::MarketplaceNotFound { .. }
            | Self::MarketplaceNotConfigured { .. }
            | Self::MarketplaceAlreadyConfigured { .. }
            | Self::UnsupportedSource { .. }
            | Self::NotInstalled { .. }
            | Self::InvalidManifest { .. } => true,
            Self::Marketplace(err) => err.is_invalid_request(),
            Self::Store(err) => err.is_invalid_request(),
            Self::Config(_) | Self::PersistInstalledConfig { .. } => false,
        }
    }
}
