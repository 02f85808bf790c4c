//! Why a marketplace could not be loaded, or why one of its plugins cannot be installed.

use std::path::PathBuf;

/// A marketplace failure. Everything except [`MarketplaceError::Read`] is the caller's
/// mistake ([`MarketplaceError::is_invalid_request`]).
#[derive(Debug, thiserror::Error)]
pub enum MarketplaceError {
    /// No marketplace file at the path (or under the root).
    #[error(
        "marketplace file `{}` does not exist; a marketplace folder holds `.agents/plugins/marketplace.json` or `.claude-plugin/marketplace.json`",
        path.display()
    )]
    NotFound {
        /// The file looked for.
        path: PathBuf,
    },
    /// The file exists but could not be read.
    #[error("failed to read marketplace file `{}`", path.display())]
    Read {
        /// The marketplace file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a valid marketplace: bad JSON or a missing/invalid top-level field.
    /// `message` carries the parser's line and column.
    #[error("invalid marketplace file `{}`: {message}", path.display())]
    InvalidFile {
        /// The marketplace file.
        path: PathBuf,
        /// What is wrong, e.g. ``missing field `name` at line 1 column 2``.
        message: String,
    },
    /// A local plugin source root is a symlink; berth refuses it wherever it points.
    #[error(
        "plugin source `{}` is a symlink; berth never installs a plugin source through a link, wherever it points (replace the link with the folder itself)",
        path.display()
    )]
    SymlinkedSource {
        /// The source path as the marketplace names it.
        path: PathBuf,
    },
    /// A local plugin source, with links and `..` resolved, is not inside the marketplace root.
    #[error(
        "plugin source `{}` resolves outside the marketplace root `{}`; a local source must stay inside its marketplace",
        path.display(),
        root.display()
    )]
    SourceOutsideMarketplace {
        /// The source path as the marketplace names it.
        path: PathBuf,
        /// The marketplace root, resolved.
        root: PathBuf,
    },
    /// The source or the marketplace root could not be resolved.
    #[error("failed to resolve plugin source `{}`", path.display())]
    ResolveSource {
        /// The path that could not be resolved.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// No plugin of that name in the marketplace.
    #[error("plugin `{plugin}` was not found in marketplace `{marketplace}`")]
    PluginNotFound {
        /// The requested plugin name.
        plugin: String,
        /// The marketplace name.
        marketplace: String,
    },
    /// The entry exists but is invalid (and was skipped while loading).
    #[error(
        "plugin `{plugin}` in marketplace `{marketplace}` cannot be installed: {reason}; the marketplace entry needs fixing"
    )]
    InvalidPluginEntry {
        /// The requested plugin name.
        plugin: String,
        /// The marketplace name.
        marketplace: String,
        /// Why the entry was skipped.
        reason: String,
    },
    /// The plugin is `NOT_AVAILABLE` or not offered for the requesting product.
    #[error("plugin `{plugin}` is not available for install in marketplace `{marketplace}`")]
    PluginNotAvailable {
        /// The requested plugin name.
        plugin: String,
        /// The marketplace name.
        marketplace: String,
    },
}

impl MarketplaceError {
    /// True when the request itself is at fault (JSON-RPC `-32600`), false for I/O failures.
    pub fn is_invalid_request(&self) -> bool {
        match self {
            Self::NotFound { .. }
            | Self::InvalidFile { .. }
            | Self::PluginNotFound { .. }
            | Self::InvalidPluginEntry { .. }
            | Self::PluginNotAvailable { .. }
            | Self::SymlinkedSource { .. }
            | Self::SourceOutsideMarketplace { .. }
            | Self::ResolveSource { .. } => true,
            Self::Read { .. } => false,
        }
    }
}
