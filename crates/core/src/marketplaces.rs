//! Which marketplaces are in scope (the user's home folder, those recorded in config.toml,
//! and any working directories a caller passes) and adding a local one or removing any.

use std::path::{Path, PathBuf};

use berth_config::{ConfigFile, MarketplaceConfig};
use berth_marketplace::{DiscoveryRequest, Marketplace, MarketplaceListing, load_marketplace};
use berth_plugin::validate_plugin_segment;

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
    /// `source_type`: `local`, or `git`.
    pub source_type: String,
    /// `source`: the marketplace root folder, or the clone URL.
    pub source: String,
    /// `ref` of a Git marketplace.
    pub ref_name: Option<String>,
    /// `sparse_paths` of a Git marketplace.
    pub sparse_paths: Vec<String>,
}

impl ConfiguredSource {
    /// True for a Git marketplace (anything not `local`, as Codex reads it).
    pub fn is_git(&self) -> bool {
        self.source_type != "local"
    }

    /// The source as people write it: the folder, or the URL with `#ref`.
    pub fn display(&self) -> String {
        match &self.ref_name {
            Some(ref_name) => format!("{}#{ref_name}", self.source),
            None => self.source.clone(),
        }
    }

    pub(crate) fn from_config(entry: &MarketplaceConfig) -> Self {
        Self {
            source_type: entry.source_type.clone(),
            source: entry.source.clone(),
            ref_name: entry.ref_name.clone(),
            sparse_paths: entry.sparse_paths.clone(),
        }
    }
}

/// Result of recording a marketplace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarketplaceAddOutcome {
    /// The marketplace name from its file.
    pub name: String,
    /// The marketplace root: the local folder, or the Git snapshot.
    pub root: PathBuf,
    /// True when the same marketplace was already recorded.
    pub already_added: bool,
    /// What was recorded.
    pub source: ConfiguredSource,
}

/// Result of removing a marketplace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarketplaceRemoveOutcome {
    /// The marketplace name.
    pub name: String,
    /// Its config.toml entry, if it had one.
    pub source: Option<ConfiguredSource>,
    /// The Git snapshot removed, if there was one.
    pub removed_root: Option<PathBuf>,
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
        if source.is_git() {
            self.snapshots.snapshot_root(name)
        } else {
            PathBuf::from(&source.source)
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
            let source = ConfiguredSource::from_config(&entry);
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

    /// The commit a Git marketplace's snapshot is at: from its install metadata, else from
    /// its checkout (`None` when it has neither, e.g. no snapshot).
    pub fn snapshot_revision(&self, name: &str) -> Option<String> {
        if let Ok(Some(metadata)) = self.snapshots.install_metadata(name) {
            return Some(metadata.revision);
        }
        let root = self.snapshots.snapshot_root(name);
        root.join(".git")
            .exists()
            .then(|| self.git.head_revision(&root).ok())
            .flatten()
    }

    /// Records a local marketplace in config.toml (`source_type = "local"`).
    pub fn add_marketplace(&self, path: &Path) -> Result<MarketplaceAddOutcome, ManagerError> {
        self.sweep_stale_leftovers();
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
                let existing = ConfiguredSource::from_config(&existing);
                if !existing.is_git() && canonical(Path::new(&existing.source)) == root {
                    return Ok(true);
                }
                return Err(ManagerError::MarketplaceAlreadyConfigured {
                    name: marketplace.name.clone(),
                    existing: existing.display(),
                });
            }
            config.set_marketplace(&marketplace.name, "local", &root_text)?;
            Ok(false)
        })?;
        Ok(MarketplaceAddOutcome {
            name: marketplace.name,
            root,
            already_added,
            source: ConfiguredSource {
                source_type: "local".to_owned(),
                source: root_text,
                ref_name: None,
                sparse_paths: Vec::new(),
            },
        })
    }

    /// Removes a recorded marketplace from config.toml and, for a Git marketplace, its
    /// snapshot (a snapshot left without a config entry is removed too). Installed plugins
    /// stay in the cache, as with Codex.
    pub fn remove_marketplace(&self, name: &str) -> Result<MarketplaceRemoveOutcome, ManagerError> {
        self.sweep_stale_leftovers();
        // A name that is not a folder name has no snapshot (and no lock file) to touch.
        let snapshot_name = validate_plugin_segment(name, "marketplace name").is_ok();
        let _lock = snapshot_name
            .then(|| self.snapshots.lock(name))
            .transpose()?;
        let (source, _version) = self.config.edit(|config| {
            let existing = config
                .marketplaces()
                .value
                .into_iter()
                .find(|entry| entry.name == name);
            if existing.is_some() {
                config.remove_marketplace(name)?;
            }
            Ok::<_, ManagerError>(existing.map(|entry| ConfiguredSource::from_config(&entry)))
        })?;
        let removes_snapshot =
            snapshot_name && source.as_ref().is_none_or(ConfiguredSource::is_git);
        let removed_root = if removes_snapshot && self.snapshots.remove(name)? {
            Some(self.snapshots.snapshot_root(name))
        } else {
            None
        };
        if source.is_none() && removed_root.is_none() {
            return Err(ManagerError::MarketplaceNotConfigured {
                name: name.to_owned(),
            });
        }
        Ok(MarketplaceRemoveOutcome {
            name: name.to_owned(),
            source,
            removed_root,
        })
    }
}
