//! Which marketplaces are in scope (the user's home folder, those recorded in config.toml,
//! and any working directories a caller passes) and adding or removing recorded ones.

use std::path::{Path, PathBuf};

use berth_config::ConfigFile;
use berth_marketplace::{DiscoveryRequest, Marketplace, MarketplaceListing, load_marketplace};

use crate::{ManagerError, PluginsManager};

/// How a caller names a marketplace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MarketplaceSelector {
    /// A marketplace in scope, by name.
    Name(String),
    /// A marketplace file or root folder, in scope or not.
    Path(PathBuf),
}

/// How a marketplace is recorded in config.toml (`[marketplaces.<name>]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfiguredSource {
    /// `source_type`, e.g. `local`.
    pub source_type: String,
    /// `source`, e.g. the marketplace root folder.
    pub source: String,
}

/// Result of recording a marketplace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarketplaceAddOutcome {
    /// The marketplace name from its file.
    pub name: String,
    /// The marketplace root folder recorded.
    pub root: PathBuf,
    /// True when the same marketplace was already recorded.
    pub already_added: bool,
}

/// A marketplace recorded in config.toml that could not be loaded: its folder was moved or
/// deleted, or its file is broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnavailableMarketplace {
    /// The name it is recorded under.
    pub name: String,
    /// The root folder it is recorded at.
    pub root: PathBuf,
    /// Why it could not be loaded.
    pub reason: String,
}

/// Marketplaces in scope with, for each recorded one, its config entry.
pub(crate) struct ScopedMarketplaces {
    pub(crate) listing: MarketplaceListing,
    pub(crate) sources: Vec<(PathBuf, String, ConfiguredSource)>,
}

impl ScopedMarketplaces {
    /// The recorded marketplaces that did not load, with the load error of their file or,
    /// when there is no file, why.
    pub(crate) fn unavailable(&self) -> Vec<UnavailableMarketplace> {
        self.sources
            .iter()
            .filter(|(root, _, _)| {
                !self
                    .listing
                    .marketplaces
                    .iter()
                    .any(|marketplace| canonical(&marketplace.root) == *root)
            })
            .map(|(root, name, _)| {
                let reason = self
                    .listing
                    .errors
                    .iter()
                    .find(|error| error.path.starts_with(root))
                    .map_or_else(
                        || "the folder holds no `.agents/plugins/marketplace.json`; was it moved or deleted?".to_owned(),
                        |error| error.message.clone(),
                    );
                UnavailableMarketplace {
                    name: name.clone(),
                    root: root.clone(),
                    reason,
                }
            })
            .collect()
    }

    pub(crate) fn source_for(&self, marketplace: &Marketplace) -> Option<&ConfiguredSource> {
        let root = canonical(&marketplace.root);
        self.sources
            .iter()
            .find(|(configured_root, name, _)| {
                *configured_root == root && *name == marketplace.name
            })
            .map(|(_, _, source)| source)
    }
}

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

impl PluginsManager {
    pub(crate) fn configured_marketplace_root(
        &self,
        name: &str,
        source: &ConfiguredSource,
    ) -> PathBuf {
        if source.source_type == "local" {
            PathBuf::from(&source.source)
        } else {
            self.codex_home().join(".tmp/marketplaces").join(name)
        }
    }

    pub(crate) fn marketplaces_in_scope(
        &self,
        config: &ConfigFile,
        cwds: &[PathBuf],
    ) -> ScopedMarketplaces {
        let mut sources = Vec::new();
        let mut configured_roots = Vec::new();
        let marketplaces = config.marketplaces();
        for warning in &marketplaces.warnings {
            tracing::warn!("{warning}");
        }
        for entry in marketplaces.value {
            let source = ConfiguredSource {
                source_type: entry.source_type.clone(),
                source: entry.source.clone(),
            };
            let root = self.configured_marketplace_root(&entry.name, &source);
            sources.push((canonical(&root), entry.name.clone(), source));
            configured_roots.push(root);
        }
        let listing = berth_marketplace::discover_marketplaces(&DiscoveryRequest {
            home_dir: self.home_dir.clone(),
            configured_roots,
            cwd_roots: cwds.to_vec(),
        });
        ScopedMarketplaces { listing, sources }
    }

    /// Finds one marketplace by name (in scope) or path.
    pub(crate) fn resolve_marketplace(
        &self,
        config: &ConfigFile,
        selector: &MarketplaceSelector,
    ) -> Result<Marketplace, ManagerError> {
        match selector {
            MarketplaceSelector::Path(path) => Ok(load_marketplace(path)?),
            MarketplaceSelector::Name(name) => {
                let scoped = self.marketplaces_in_scope(config, &[]);
                if let Some(found) = scoped
                    .listing
                    .marketplaces
                    .into_iter()
                    .find(|marketplace| marketplace.name == *name)
                {
                    return Ok(found);
                }
                // A recorded marketplace whose file is broken: report why, not "not found".
                if let Some((root, _, _)) = scoped
                    .sources
                    .iter()
                    .find(|(_, configured, _)| configured == name)
                {
                    load_marketplace(root)?;
                }
                Err(ManagerError::MarketplaceNotFound { name: name.clone() })
            }
        }
    }

    /// Records a local marketplace in config.toml (`source_type = "local"`).
    pub fn add_marketplace(&self, path: &Path) -> Result<MarketplaceAddOutcome, ManagerError> {
        let marketplace = load_marketplace(path)?;
        let root = canonical(&marketplace.root);
        let root_text = root.to_string_lossy().into_owned();
        let (already_added, _version) = self.config.edit(|config| {
            if let Some(existing) = config
                .marketplaces()
                .value
                .into_iter()
                .find(|entry| entry.name == marketplace.name)
            {
                if existing.source_type == "local" && canonical(Path::new(&existing.source)) == root
                {
                    return Ok(true);
                }
                return Err(ManagerError::MarketplaceAlreadyConfigured {
                    name: marketplace.name.clone(),
                    existing: PathBuf::from(existing.source),
                });
            }
            config.set_marketplace(&marketplace.name, "local", &root_text)?;
            Ok(false)
        })?;
        Ok(MarketplaceAddOutcome {
            name: marketplace.name,
            root,
            already_added,
        })
    }

    /// Removes a recorded marketplace from config.toml. Installed plugins stay in the cache.
    pub fn remove_marketplace(&self, name: &str) -> Result<ConfiguredSource, ManagerError> {
        let (removed, _version) = self.config.edit(|config| {
            let existing = config
                .marketplaces()
                .value
                .into_iter()
                .find(|entry| entry.name == name)
                .ok_or_else(|| ManagerError::MarketplaceNotConfigured {
                    name: name.to_owned(),
                })?;
            config.remove_marketplace(name)?;
            Ok::<_, ManagerError>(ConfiguredSource {
                source_type: existing.source_type,
                source: existing.source,
            })
        })?;
        Ok(removed)
    }
}
