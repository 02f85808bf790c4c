//! The plugins manager: [`PluginsManager`] owns a Codex home's plugin state (cache, config,
//! marketplaces in scope) and is the only place that builds [`PluginTelemetryMetadata`], so
//! every lifecycle event reports the same local and remote ids.
//!
//! [`PluginTelemetryMetadata`]: berth_plugin::PluginTelemetryMetadata

mod detail;
mod error;
mod listing;
mod loaded;
mod manager;
mod marketplaces;
mod mutation;
mod remote_ops;
mod telemetry;

pub use detail::{PluginDetail, PluginReadOutcome, SkillDetail};
pub use error::ManagerError;
pub use listing::{ListOptions, MarketplaceEntry, PluginListItem, PluginListing};
pub use loaded::{LoadedPlugin, LoadedSkill};
pub use manager::{ManagerOptions, PluginsManager};
pub use marketplaces::{
    ConfiguredSource, MarketplaceAddOutcome, MarketplaceSelector, UnavailableMarketplace,
};
pub use mutation::{InstallOutcome, InstallRequest, ToggleOutcome, UninstallOutcome};

/// The product berth admits plugins for (`policy.products`).
pub const PRODUCT: &str = "CODEX";
