//! Marketplace files (`.agents/plugins/marketplace.json`, `.claude-plugin/marketplace.json`):
//! finding them ([`discover_marketplaces`]), parsing and validating them ([`load_marketplace`]
//! into [`Marketplace`] and its [`MarketplacePlugin`]s), and deciding whether a plugin may be
//! installed ([`Marketplace::find_installable_plugin`]), what `marketplace add` accepts
//! ([`MarketplaceAddSource`]), and Git marketplace snapshots under `.tmp/marketplaces`
//! ([`MarketplaceSnapshots`]), which also stages Git plugin sources.

mod add_source;
mod discovery;
mod error;
mod fallback;
mod load;
mod model;
mod snapshot;
mod source;

pub use add_source::{AddSourceError, MarketplaceAddSource};
pub use discovery::{
    DiscoveryRequest, MarketplaceListing, MarketplaceLoadError, discover_marketplaces,
    find_git_root,
};
pub use error::MarketplaceError;
pub use load::{MARKETPLACE_RELATIVE_PATHS, find_marketplace_file, load_marketplace};
pub use model::{
    AuthPolicy, CODEX_PRODUCT, InstallPolicy, Marketplace, MarketplacePlugin, PluginPolicy,
    PluginSource,
};
pub use snapshot::{
    GitMarketplaceSource, INSTALL_METADATA_FILE, InstallMetadata, MARKETPLACES_DIR,
    MarketplaceSnapshots, SnapshotError, StagedCheckout, StagedMarketplace, StagingDir,
};
pub use source::{contained_local_source, normalize_git_url};
