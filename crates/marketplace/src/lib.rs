//! Marketplace files (`.agents/plugins/marketplace.json`, `.claude-plugin/marketplace.json`):
//! finding them ([`discover_marketplaces`]), parsing and validating them ([`load_marketplace`]
//! into [`Marketplace`] and its [`MarketplacePlugin`]s), and deciding whether a plugin may be
//! installed ([`Marketplace::find_installable_plugin`]).

mod discovery;
mod error;
mod fallback;
mod load;
mod model;
mod source;

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
pub use source::{contained_local_source, normalize_git_url};
