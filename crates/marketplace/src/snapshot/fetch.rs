//! Fetching into staging: a marketplace repository at its ref (checked for its marketplace
//! file and sparse paths), or a repository holding Git plugin sources (checked for the
//! plugin's folder, without `.git`, so the cache gets the plugin files only).

use std::path::PathBuf;

use berth_git::{Checkout, Git, GitProgress, Resolution, Sparse, Target};
use berth_plugin::validate_plugin_segment;

use super::{GitMarketplaceSource, MarketplaceSnapshots, SnapshotError, StagingDir};
use crate::{Marketplace, find_marketplace_file, load_marketplace};

/// A repository checked out into a staging folder; removed when dropped.
#[derive(Debug)]
pub struct StagedCheckout {
    staging: StagingDir,
    url: String,
    revision: String,
}

impl StagedCheckout {
    /// The working copy.
    pub fn root(&self) -> PathBuf {
        self.staging.checkout_path()
    }

    /// The repository URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The full commit id checked out.
    pub fn revision(&self) -> &str {
        &self.revision
    }

    /// The folder `path` (`a/b`) of the checkout, which must be a folder;
    /// [`SnapshotError::SubdirMissing`] otherwise. `None` is the checkout itself.
    pub fn subdir(&self, path: Option<&str>) -> Result<PathBuf, SnapshotError> {
        let root = self.root();
        let Some(path) = path else {
            return Ok(root);
        };
        let dir = root.join(path);
        if std::fs::symlink_metadata(&dir).is_ok_and(|meta| meta.is_dir()) {
            // A folder of the repository may still be reached through a linked parent.
            let inside = match (root.canonicalize(), dir.canonicalize()) {
                (Ok(root), Ok(dir)) => dir.starts_with(root),
                _ => false,
            };
            if inside {
                Ok(dir)
            } else {
                Err(SnapshotError::SubdirOutside {
                    url: self.url.clone(),
                    path: path.to_owned(),
                    revision: self.revision.clone(),
                })
            }
        } else {
            Err(SnapshotError::SubdirMissing {
                url: self.url.clone(),
                path: path.to_owned(),
                revision: self.revision.clone(),
            })
        }
    }
}

/// A marketplace repository checked out into staging, with its marketplace loaded from there
/// (its name already checked to be a valid folder name).
#[derive(Debug)]
pub struct StagedMarketplace {
    /// The checkout.
    pub checkout: StagedCheckout,
    /// What it was fetched from.
    pub source: GitMarketplaceSource,
    /// The marketplace, loaded from the checkout (its paths point into staging).
    pub marketplace: Marketplace,
}

impl MarketplaceSnapshots {
    /// Checks `url` at `resolution` out into a new staging folder.
    pub fn fetch(
        &self,
        git: &Git,
        url: &str,
        resolution: &Resolution,
        sparse: Sparse<'_>,
        progress: &dyn GitProgress,
    ) -> Result<StagedCheckout, SnapshotError> {
        let staging = self.stage()?;
        let revision = git.checkout_into(
            &Checkout {
                url,
                target: &resolution.target,
                sparse,
            },
            &staging.checkout_path(),
            progress,
        )?;
        Ok(StagedCheckout {
            staging,
            url: url.to_owned(),
            revision,
        })
    }

    /// Fetches a Git marketplace into staging and loads its marketplace file. `resolution`
    /// saves the `ls-remote` when the caller already resolved the ref.
    pub fn fetch_marketplace(
        &self,
        git: &Git,
        source: &GitMarketplaceSource,
        resolution: Option<Resolution>,
        progress: &dyn GitProgress,
    ) -> Result<StagedMarketplace, SnapshotError> {
        let resolution = match resolution {
            Some(resolution) => resolution,
            None => resolve_for_clone(git, &source.url, source.ref_name.as_deref())?,
        };
        let sparse = if source.sparse_paths.is_empty() {
            Sparse::All
        } else {
            Sparse::Cone(&source.sparse_paths)
        };
        let checkout = self.fetch(git, &source.url, &resolution, sparse, progress)?;
        let root = checkout.root();
        for path in &source.sparse_paths {
            if !root.join(path.trim_matches('/')).exists() {
                return Err(SnapshotError::SparsePathMissing {
                    url: source.url.clone(),
                    path: path.clone(),
                    revision: checkout.revision,
                });
            }
        }
        if find_marketplace_file(&root).is_none() {
            return Err(SnapshotError::NotAMarketplace {
                url: source.url.clone(),
                revision: checkout.revision,
                sparse: !source.sparse_paths.is_empty(),
            });
        }
        let marketplace = match load_marketplace(&root) {
            Ok(marketplace) => marketplace,
            Err(source_error) => {
                return Err(SnapshotError::InvalidMarketplace {
                    url: source.url.clone(),
                    revision: checkout.revision,
                    source: source_error,
                });
            }
        };
        // The name becomes a folder name: it must be a plain segment.
        if let Err(invalid) = validate_plugin_segment(&marketplace.name, "marketplace name") {
            return Err(SnapshotError::InvalidName {
                url: source.url.clone(),
                name: marketplace.name,
                source: invalid,
            });
        }
        Ok(StagedMarketplace {
            checkout,
            source: source.clone(),
            marketplace,
        })
    }

    /// Fetches the repository of Git plugin sources into staging: at `sha` when given, else at
    /// `ref_name` (the default branch when `None`); only `paths` when given (exact paths, as
    /// Codex's `git-subdir`). `.git` is removed, so the checkout holds files only.
    pub fn fetch_plugin_sources(
        &self,
        git: &Git,
        url: &str,
        ref_name: Option<&str>,
        sha: Option<&str>,
        paths: &[String],
        progress: &dyn GitProgress,
    ) -> Result<StagedCheckout, SnapshotError> {
        let resolution = match sha {
            Some(sha) => Resolution {
                target: Target::Commit(sha.to_owned()),
                revision: None,
            },
            None => resolve_for_clone(git, url, ref_name)?,
        };
        let sparse = if paths.is_empty() {
            Sparse::All
        } else {
            Sparse::Paths(paths)
        };
        let checkout = self.fetch(git, url, &resolution, sparse, progress)?;
        let dot_git = checkout.root().join(".git");
        berth_fs::remove_tree_within(checkout.staging.path(), &dot_git).map_err(|source| {
            SnapshotError::io(
                "failed to remove `.git` from the plugin source",
                dot_git,
                source,
            )
        })?;
        Ok(checkout)
    }
}

/// How to check `reference` out: the default branch needs no `ls-remote` (the clone itself
/// finds it); a named ref is resolved first, so a missing one is named as such.
fn resolve_for_clone(
    git: &Git,
    url: &str,
    reference: Option<&str>,
) -> Result<Resolution, SnapshotError> {
    match reference {
        None => Ok(Resolution {
            target: Target::DefaultBranch,
            revision: None,
        }),
        Some(reference) => Ok(git.resolve(url, Some(reference))?),
    }
}
