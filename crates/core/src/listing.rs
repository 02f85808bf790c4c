//! Listing the marketplaces in scope with each plugin's installed and enabled state.

use std::collections::HashSet;
use std::path::PathBuf;

use berth_marketplace::{MarketplaceLoadError, MarketplacePlugin, PluginPolicy, PluginSource};
use berth_plugin::PluginId;
use berth_plugin::manifest::{
    ManifestErrorKind, PluginInterface, load_manifest, read_manifest_header,
};

use crate::marketplaces::{ConfiguredSource, UnavailableMarketplace};
use crate::{ManagerError, PRODUCT, PluginsManager};

/// What to list and how much to read per plugin.
#[derive(Debug, Clone, Default)]
pub struct ListOptions {
    /// Working directories whose marketplaces are also in scope.
    pub cwds: Vec<PathBuf>,
    /// Only this marketplace.
    pub marketplace: Option<String>,
    /// Read each uninstalled plugin's manifest version (`local_version`).
    pub local_versions: bool,
    /// Read each plugin's manifest interface, description and keywords.
    pub interfaces: bool,
}

/// Marketplaces in scope and the plugins they offer.
#[derive(Debug, Clone)]
pub struct PluginListing {
    /// Marketplaces, in discovery order; empty ones are dropped.
    pub marketplaces: Vec<MarketplaceEntry>,
    /// Marketplace files that could not be loaded.
    pub errors: Vec<MarketplaceLoadError>,
    /// Marketplaces recorded in config.toml that could not be loaded (their file, if any,
    /// is also in `errors`).
    pub unavailable: Vec<UnavailableMarketplace>,
}

/// One marketplace and its plugins.
#[derive(Debug, Clone)]
pub struct MarketplaceEntry {
    /// Marketplace name.
    pub name: String,
    /// The marketplace file.
    pub file: PathBuf,
    /// The marketplace root folder.
    pub root: PathBuf,
    /// `interface.displayName`.
    pub display_name: Option<String>,
    /// Its config.toml entry, when recorded there.
    pub configured_source: Option<ConfiguredSource>,
    /// The plugins it offers to this product.
    pub plugins: Vec<PluginListItem>,
    /// Entries of the marketplace file that were skipped, and why.
    pub warnings: Vec<String>,
}

/// One plugin of a marketplace with its local state.
#[derive(Debug, Clone)]
pub struct PluginListItem {
    /// Local id.
    pub id: PluginId,
    /// Where the marketplace says the plugin comes from.
    pub source: PluginSource,
    /// Install and auth policy.
    pub policy: PluginPolicy,
    /// Marketplace category (overrides the manifest's).
    pub category: Option<String>,
    /// Installed: recorded in config.toml and present in the cache.
    pub installed: bool,
    /// Installed and enabled in config.toml.
    pub enabled: bool,
    /// Active cache version when installed.
    pub installed_version: Option<String>,
    /// Manifest version of the marketplace source, when requested and readable.
    pub local_version: Option<String>,
    /// Manifest description, when interfaces were requested.
    pub description: Option<String>,
    /// Manifest interface (category overridden by the marketplace), when requested.
    pub interface: Option<PluginInterface>,
    /// Manifest keywords, when interfaces were requested.
    pub keywords: Vec<String>,
}

impl PluginListItem {
    /// The version a user sees: the installed one, else the source manifest's.
    pub fn version(&self) -> Option<&str> {
        self.installed_version
            .as_deref()
            .or(self.local_version.as_deref())
    }
}

impl PluginsManager {
    /// Lists marketplaces in scope with each plugin's state. Broken marketplace files are
    /// returned as errors; the others still load.
    pub fn list_plugins(&self, options: &ListOptions) -> Result<PluginListing, ManagerError> {
        let config = self.config.load()?;
        // An invalid `[plugins]` table is logged where it is read (berth-config).
        let configured = config.plugins().value;
        let scoped = self.marketplaces_in_scope(&config, &options.cwds);
        let mut seen = HashSet::new();
        let mut marketplaces = Vec::new();
        for marketplace in &scoped.listing.marketplaces {
            if options
                .marketplace
                .as_deref()
                .is_some_and(|wanted| wanted != marketplace.name)
            {
                continue;
            }
            let mut plugins = Vec::with_capacity(marketplace.plugins.len());
            for plugin in &marketplace.plugins {
                if !is_offered_to_product(&plugin.policy) || !seen.insert(plugin.id.clone()) {
                    continue;
                }
                let entry = configured.get(&plugin.id.as_key());
                let installed_version =
                    entry.and_then(|_| self.store.active_plugin_version(&plugin.id));
                let installed = installed_version.is_some();
                let enabled = installed && entry.is_some_and(|entry| entry.enabled);
                let mut item = PluginListItem {
                    id: plugin.id.clone(),
                    source: plugin.source.clone(),
                    policy: plugin.policy.clone(),
                    category: plugin.category.clone(),
                    installed,
                    enabled,
                    installed_version,
                    local_version: None,
                    description: None,
                    interface: None,
                    keywords: Vec::new(),
                };
                self.fill_manifest_fields(plugin, &mut item, options);
                plugins.push(item);
            }
            if plugins.is_empty() {
                continue;
            }
            marketplaces.push(MarketplaceEntry {
                name: marketplace.name.clone(),
                file: marketplace.file.clone(),
                root: marketplace.root.clone(),
                display_name: marketplace.display_name.clone(),
                configured_source: scoped.source_for(marketplace).cloned(),
                plugins,
                warnings: marketplace.warnings.clone(),
            });
        }
        let unavailable = scoped
            .unavailable()
            .into_iter()
            .filter(|broken| {
                options
                    .marketplace
                    .as_deref()
                    .is_none_or(|wanted| wanted == broken.name)
            })
            .collect();
        Ok(PluginListing {
            marketplaces,
            errors: scoped.listing.errors,
            unavailable,
        })
    }

    fn fill_manifest_fields(
        &self,
        plugin: &MarketplacePlugin,
        item: &mut PluginListItem,
        options: &ListOptions,
    ) {
        let root = match &plugin.source {
            PluginSource::Local { path } => path.clone(),
            PluginSource::Git { .. } => match self.store.active_plugin_root(&plugin.id) {
                Some(root) if item.installed => root,
                _ => return,
            },
        };
        if options.interfaces {
            let loaded = load_manifest(&root).inspect_err(|err| {
                // A plugin without a manifest is listed from its marketplace entry alone.
                if !matches!(err.kind(), ManifestErrorKind::NotFound { .. }) {
                    tracing::warn!(
                        plugin_id = %plugin.id,
                        "{}",
                        crate::upgrade::error_chain(err)
                    );
                }
            });
            if let Ok(loaded) = loaded {
                let manifest = loaded.manifest;
                item.local_version = manifest.version;
                item.description = manifest.description;
                item.keywords = manifest.keywords;
                item.interface = manifest.interface.map(|mut interface| {
                    if plugin.category.is_some() {
                        interface.category.clone_from(&plugin.category);
                    }
                    interface
                });
            }
        } else if options.local_versions && !item.installed {
            item.local_version = read_manifest_header(&root)
                .ok()
                .and_then(|header| header.version);
        }
    }
}

/// `policy.products`: absent → every product; `[]` → none; else must name this product.
pub(crate) fn is_offered_to_product(policy: &PluginPolicy) -> bool {
    policy.products.as_ref().is_none_or(|products| {
        products
            .iter()
            .any(|product| product.eq_ignore_ascii_case(PRODUCT))
    })
}

impl PluginsManager {
    /// The marketplaces in scope (plugins not read) and the files that failed to load.
    pub fn list_marketplaces(&self) -> Result<PluginListing, ManagerError> {
        let config = self.config.load()?;
        let scoped = self.marketplaces_in_scope(&config, &[]);
        let marketplaces = scoped
            .listing
            .marketplaces
            .iter()
            .map(|marketplace| MarketplaceEntry {
                name: marketplace.name.clone(),
                file: marketplace.file.clone(),
                root: marketplace.root.clone(),
                display_name: marketplace.display_name.clone(),
                configured_source: scoped.source_for(marketplace).cloned(),
                plugins: Vec::new(),
                warnings: marketplace.warnings.clone(),
            })
            .collect();
        Ok(PluginListing {
            marketplaces,
            unavailable: scoped.unavailable(),
            errors: scoped.listing.errors,
        })
    }
}
