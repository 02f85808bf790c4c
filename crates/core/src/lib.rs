//! The plugins manager: [`PluginsManager`] owns a Codex home's plugin state (cache, config,
//! marketplaces in scope, Git marketplace snapshots) and its lifecycle (install, uninstall,
//! toggle, marketplace add/upgrade/remove, outdated and update), and is the only place that
//! builds [`PluginTelemetryMetadata`], so every lifecycle event reports the same local and
//! remote ids.
//!
//! [`PluginTelemetryMetadata`]: berth_plugin::PluginTelemetryMetadata

mod detail;
mod entry_files;
mod error;
mod git_marketplaces;
mod leftovers;
mod listing;
mod loaded;
mod manager;
mod marketplaces;
mod mutation;
mod parallel;
mod remote_ops;
mod telemetry;
mod updates;
mod upgrade;

pub use detail::{PluginDetail, PluginReadOutcome, SkillDetail};
pub use error::ManagerError;
pub use git_marketplaces::MarketplaceAddRequest;
pub use leftovers::LeftoverSweep;
pub use listing::{ListOptions, MarketplaceEntry, PluginListItem, PluginListing};
pub use loaded::{LoadedPlugin, LoadedSkill};
pub use manager::{ManagerOptions, PluginsManager};
pub use marketplaces::{
    ConfiguredSource, MarketplaceAddOutcome, MarketplaceRemoveOutcome, MarketplaceSelector,
    UnavailableMarketplace,
};
pub use mutation::{InstallOutcome, InstallRequest, ToggleOutcome, UninstallOutcome};
pub use updates::{
    OutdatedPlugin, OutdatedReport, UpdateFailure, UpdateKind, UpdateReport, UpdateSelection,
};
pub use upgrade::{
    MarketplaceUpgradeError, MarketplaceUpgradeOutcome, PluginUpdate, UpgradedMarketplace,
};

/// The product berth admits plugins for (`policy.products`).
pub const PRODUCT: &str = "CODEX";
