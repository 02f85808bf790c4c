//! `marketplace add` for every kind of source: a local folder is recorded as it is; a Git
//! repository is cloned into staging, named by its marketplace file, moved into
//! `.tmp/marketplaces/<name>` and recorded with its `ref` and `sparse_paths`, following
//! Codex's rules for re-adding the same source.

use std::path::{Component, Path, PathBuf};

use berth_git::GitProgress;
use berth_marketplace::{GitMarketplaceSource, MarketplaceAddSource};

use crate::marketplaces::{ConfiguredSource, MarketplaceAddOutcome};
use crate::{ManagerError, PluginsManager};

/// What `marketplace add` was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarketplaceAddRequest {
    /// A local path, `owner/repo[@ref]`, an `http(s)://` URL or an SSH URL.
    pub source: String,
    /// `--ref`: a branch, tag or commit (overrides one embedded in `source`).
    pub ref_name: Option<String>,
    /// `--sparse`: the folders to check out.
    pub sparse_paths: Vec<String>,
    /// Where relative local paths start.
    pub cwd: PathBuf,
}

impl PluginsManager {
    /// Adds a marketplace from any source `marketplace add` accepts.
    pub fn add_marketplace_source(
        &self,
        request: &MarketplaceAddRequest,
        progress: &dyn GitProgress,
    ) -> Result<MarketplaceAddOutcome, ManagerError> {
        let source =
            MarketplaceAddSource::parse(&request.source, &request.cwd, self.home_dir.as_deref())?;
        match source {
            MarketplaceAddSource::Local(path) => {
                let option = if request.ref_name.is_some() {
                    Some("--ref")
                } else if request.sparse_paths.is_empty() {
                    None
                } else {
                    Some("--sparse")
                };
                if let Some(option) = option {
                    return Err(ManagerError::GitOptionForLocalSource {
                        option,
                        folder: path,
                    });
                }
                self.add_marketplace(&path)
            }
            MarketplaceAddSource::Git { url, ref_name } => {
                // A local add sweeps in `add_marketplace`.
                self.sweep_stale_leftovers();
                let source = GitMarketplaceSource {
                    url,
                    ref_name: request
                        .ref_name
                        .as_deref()
                        .map(str::trim)
                        .filter(|name| !name.is_empty())
                        .map(str::to_owned)
                        .or(ref_name),
                    sparse_paths: request
                        .sparse_paths
                        .iter()
                        .map(|path| sparse_path(path))
                        .collect::<Result<_, _>>()?,
                };
                self.add_git_marketplace(&source, progress)
            }
        }
    }

    fn add_git_marketplace(
        &self,
        source: &GitMarketplaceSource,
        progress: &dyn GitProgress,
    ) -> Result<MarketplaceAddOutcome, ManagerError> {
        let recorded = configured_source(source);
        // Codex: the same source, ref and sparse paths with its snapshot in place is already
        // added, without a clone.
        let config = self.config.load()?;
        if let Some(existing) = config
            .marketplaces()
            .value
            .into_iter()
            .find(|entry| ConfiguredSource::from_config(entry) == recorded)
            && self.snapshots.has_snapshot(&existing.name)
        {
            return Ok(MarketplaceAddOutcome {
                root: self.snapshots.snapshot_root(&existing.name),
                name: existing.name,
                already_added: true,
                source: recorded,
            });
        }
        let staged = self
            .snapshots
            .fetch_marketplace(&self.git, source, None, progress)?;
        let name = staged.marketplace.name.clone();
        let _lock = self.snapshots.lock(&name)?;
        let (root, _version) = self.config.edit(|config| {
            if let Some(existing) = config
                .marketplaces()
                .value
                .into_iter()
                .find(|entry| entry.name == name)
            {
                let existing = ConfiguredSource::from_config(&existing);
                // Re-adding the same source whose snapshot went missing puts it back.
                if existing != recorded {
                    return Err(ManagerError::MarketplaceAlreadyConfigured {
                        name: name.clone(),
                        existing: existing.display(),
                    });
                }
            }
            let root = self.snapshots.install(staged, false)?;
            config.set_git_marketplace(
                &name,
                &source.url,
                source.ref_name.as_deref(),
                &source.sparse_paths,
            )?;
            Ok::<_, ManagerError>(root)
        })?;
        tracing::debug!(marketplace = %name, url = %source.url, "added git marketplace");
        Ok(MarketplaceAddOutcome {
            name,
            root,
            already_added: false,
            source: recorded,
        })
    }
}

/// How `source` is recorded in config.toml.
pub(crate) fn configured_source(source: &GitMarketplaceSource) -> ConfiguredSource {
    ConfiguredSource {
        source_type: "git".to_owned(),
        source: source.url.clone(),
        ref_name: source.ref_name.clone(),
        sparse_paths: source.sparse_paths.clone(),
    }
}

/// A `--sparse` path as Git takes it: relative, `/`-separated, inside the repository.
fn sparse_path(path: &str) -> Result<String, ManagerError> {
    let trimmed = path.trim().trim_end_matches('/');
    let invalid = || ManagerError::InvalidSparsePath {
        path: path.to_owned(),
    };
    if trimmed.is_empty() || trimmed.contains('\\') {
        return Err(invalid());
    }
    let mut parts = Vec::new();
    for component in Path::new(trimmed).components() {
        match component {
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => {
                return Err(invalid());
            }
        }
    }
    if parts.is_empty() {
        return Err(invalid());
    }
    Ok(parts.join("/"))
}
