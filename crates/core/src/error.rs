//! Errors of the plugins manager.

use std::path::PathBuf;

use berth_config::ConfigError;
use berth_git::GitError;
use berth_marketplace::{AddSourceError, MarketplaceError, SnapshotError};
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
        "marketplace `{name}` is already configured from `{existing}`; remove it first with `berth marketplace remove {name}`"
    )]
    MarketplaceAlreadyConfigured {
        /// The marketplace name.
        name: String,
        /// Where it is configured from now (a folder, or a URL with `#ref`).
        existing: String,
    },
    /// The `marketplace add` source is not a path, `owner/repo` or a Git URL.
    #[error(transparent)]
    InvalidSource(#[from] AddSourceError),
    /// `--ref` or `--sparse` was given with a local folder.
    #[error(
        "{option} is only supported for git marketplace sources; `{}` is a local folder",
        folder.display()
    )]
    GitOptionForLocalSource {
        /// `--ref` or `--sparse`.
        option: &'static str,
        /// The folder given.
        folder: PathBuf,
    },
    /// A `--sparse` path that cannot name a folder of a repository.
    #[error("sparse path `{path}` must be a relative folder inside the repository (no `..`)")]
    InvalidSparsePath {
        /// The path given.
        path: String,
    },
    /// Not a Git marketplace recorded in config.toml.
    #[error(
        "marketplace `{name}` is not configured as a Git marketplace; `berth marketplace list` shows the configured ones"
    )]
    NotGitMarketplace {
        /// The name asked for.
        name: String,
    },
    /// The repository's marketplace changed its name since it was added.
    #[error(
        "the marketplace in `{url}` is now named `{found}`, not `{configured}`; run `berth marketplace remove {configured}` and add it again"
    )]
    MarketplaceRenamed {
        /// The repository.
        url: String,
        /// The configured name.
        configured: String,
        /// The name in its marketplace file now.
        found: String,
    },
    /// Fetching or placing a Git snapshot or Git plugin source failed.
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    /// Running `git` failed.
    #[error(transparent)]
    Git(#[from] GitError),
    /// Marketplace loading or admission failed.
    #[error(transparent)]
    Marketplace(#[from] MarketplaceError),
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
            | Self::InvalidSource(_)
            | Self::GitOptionForLocalSource { .. }
            | Self::InvalidSparsePath { .. }
            | Self::NotGitMarketplace { .. }
            | Self::MarketplaceRenamed { .. }
            | Self::NotInstalled { .. }
            | Self::InvalidManifest { .. } => true,
            Self::Marketplace(err) => err.is_invalid_request(),
            Self::Snapshot(err) => err.is_invalid_request(),
            Self::Git(err) => matches!(err, GitError::RefNotFound { .. }),
            Self::Store(err) => err.is_invalid_request(),
            Self::Config(_) | Self::PersistInstalledConfig { .. } => false,
        }
    }
}
