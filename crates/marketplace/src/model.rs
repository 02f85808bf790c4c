//! A loaded marketplace, its plugin entries and their install policy, plus install admission.

use std::path::PathBuf;

use berth_plugin::PluginId;
use serde::{Deserialize, Serialize};

use crate::MarketplaceError;

/// The product berth installs for, as written in `policy.products`.
pub const CODEX_PRODUCT: &str = "CODEX";

/// A parsed marketplace file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marketplace {
    /// The marketplace `name`, the `@<marketplace>` half of plugin ids.
    pub name: String,
    /// Absolute path of the marketplace file (canonical when found by discovery).
    pub file: PathBuf,
    /// The directory containing `.agents/` or `.claude-plugin/`; local sources resolve from it.
    pub root: PathBuf,
    /// Trimmed non-blank `interface.displayName`.
    pub display_name: Option<String>,
    /// Valid plugin entries, in file order.
    pub plugins: Vec<MarketplacePlugin>,
    /// Entries skipped, and why (``skipping invalid marketplace plugin `x`: …``).
    pub warnings: Vec<String>,
}

impl Marketplace {
    /// The plugin entry named `name`, if any.
    pub fn plugin(&self, name: &str) -> Option<&MarketplacePlugin> {
        self.plugins.iter().find(|plugin| plugin.name == name)
    }

    /// Why the entry named `name` was skipped while loading, if it was.
    pub fn skip_reason(&self, name: &str) -> Option<&str> {
        let prefix = crate::load::skipped_entry_prefix(name);
        self.warnings
            .iter()
            .find_map(|warning| warning.strip_prefix(&prefix))
    }

    /// The entry named `name` if it may be installed for `product` (normally
    /// [`CODEX_PRODUCT`]): its installation policy is not `NOT_AVAILABLE` and its product list
    /// is absent or contains `product`.
    pub fn find_installable_plugin(
        &self,
        name: &str,
        product: &str,
    ) -> Result<&MarketplacePlugin, MarketplaceError> {
        let plugin = self
            .plugin(name)
            .ok_or_else(|| match self.skip_reason(name) {
                Some(reason) => MarketplaceError::InvalidPluginEntry {
                    plugin: name.to_owned(),
                    marketplace: self.name.clone(),
                    reason: reason.to_owned(),
                },
                None => MarketplaceError::PluginNotFound {
                    plugin: name.to_owned(),
                    marketplace: self.name.clone(),
                },
            })?;
        if plugin.policy.is_available_for(product) {
            Ok(plugin)
        } else {
            Err(MarketplaceError::PluginNotAvailable {
                plugin: name.to_owned(),
                marketplace: self.name.clone(),
            })
        }
    }
}

/// One plugin offered by a marketplace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarketplacePlugin {
    /// `<name>@<marketplace>`.
    pub id: PluginId,
    /// The entry `name`.
    pub name: String,
    /// Where the plugin's files come from.
    pub source: PluginSource,
    /// Install and auth policy.
    pub policy: PluginPolicy,
    /// Marketplace taxonomy; overrides the manifest's `interface.category`.
    pub category: Option<String>,
    /// Manifest JSON synthesised from the entry (spec §4.5), used only when the plugin source
    /// has no `plugin.json`.
    pub fallback_manifest: Option<String>,
}

/// Where a marketplace plugin's files come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PluginSource {
    /// A directory inside the marketplace root.
    Local {
        /// Absolute path, resolved from the marketplace root.
        path: PathBuf,
    },
    /// A git repository (not read before install).
    Git {
        /// Normalised clone URL.
        url: String,
        /// Sub-directory inside the repository, `/`-separated.
        path: Option<String>,
        /// Branch or tag.
        ref_name: Option<String>,
        /// Pinned commit.
        sha: Option<String>,
    },
}

/// `policy` of a marketplace entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginPolicy {
    /// `policy.installation`.
    #[serde(default)]
    pub installation: InstallPolicy,
    /// `policy.authentication`.
    #[serde(default)]
    pub authentication: AuthPolicy,
    /// `policy.products`: `None` means every product, `[]` means none.
    #[serde(default)]
    pub products: Option<Vec<String>>,
}

impl PluginPolicy {
    /// True when the plugin may be installed for `product`.
    pub fn is_available_for(&self, product: &str) -> bool {
        if self.installation == InstallPolicy::NotAvailable {
            return false;
        }
        self.products.as_ref().is_none_or(|products| {
            products
                .iter()
                .any(|candidate| candidate.eq_ignore_ascii_case(product))
        })
    }
}

/// Whether a plugin can be installed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum InstallPolicy {
    /// Listed but not installable.
    NotAvailable,
    /// Installable on request.
    #[default]
    Available,
    /// Installed without being asked.
    InstalledByDefault,
}

impl InstallPolicy {
    /// The wire spelling, e.g. `NOT_AVAILABLE`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotAvailable => "NOT_AVAILABLE",
            Self::Available => "AVAILABLE",
            Self::InstalledByDefault => "INSTALLED_BY_DEFAULT",
        }
    }
}

/// When a plugin's apps ask the user to authenticate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AuthPolicy {
    /// During install.
    #[default]
    OnInstall,
    /// On first use.
    OnUse,
}

impl AuthPolicy {
    /// The wire spelling, e.g. `ON_INSTALL`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OnInstall => "ON_INSTALL",
            Self::OnUse => "ON_USE",
        }
    }
}
