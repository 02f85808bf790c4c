//! Finding every marketplace in scope: the user's home first, then configured marketplace
//! roots, then the working directories (or their git repository roots). A missing file means
//! "no marketplace there"; a broken one is reported as data, never aborting the listing.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::Marketplace;
use crate::load::{find_marketplace_file, load_marketplace};

/// Where to look for marketplaces.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiscoveryRequest {
    /// The user's home directory, searched first.
    pub home_dir: Option<PathBuf>,
    /// Roots (or marketplace files) recorded as `[marketplaces.*]` in `config.toml`.
    pub configured_roots: Vec<PathBuf>,
    /// Working directories: each is a marketplace file, a marketplace root, or inside a git
    /// repository whose root is one.
    pub cwd_roots: Vec<PathBuf>,
}

/// The marketplaces found and the ones that failed to load.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MarketplaceListing {
    /// Loaded marketplaces, in discovery order.
    pub marketplaces: Vec<Marketplace>,
    /// Marketplace files that exist but could not be loaded.
    pub errors: Vec<MarketplaceLoadError>,
}

/// A marketplace file that could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarketplaceLoadError {
    /// The marketplace file.
    pub path: PathBuf,
    /// The error with its causes, joined by `: `.
    pub message: String,
}

/// Loads every marketplace in scope, de-duplicating marketplace files by canonical path.
pub fn discover_marketplaces(request: &DiscoveryRequest) -> MarketplaceListing {
    let home = request
        .home_dir
        .iter()
        .filter_map(|home| marketplace_file_at(home));
    let configured = request
        .configured_roots
        .iter()
        .filter_map(|root| marketplace_file_at(root));
    let cwd = request.cwd_roots.iter().filter_map(|root| {
        marketplace_file_at(root).or_else(|| {
            let start = canonical(root);
            find_git_root(&start).and_then(|git_root| find_marketplace_file(&git_root))
        })
    });
    let mut seen = HashSet::new();
    let mut listing = MarketplaceListing::default();
    for file in home.chain(configured).chain(cwd) {
        let file = canonical(&file);
        if !seen.insert(file.clone()) {
            continue;
        }
        match load_marketplace(&file) {
            Ok(marketplace) => listing.marketplaces.push(marketplace),
            Err(error) => {
                tracing::debug!(path = %file.display(), "failed to load marketplace: {error}");
                listing.errors.push(MarketplaceLoadError {
                    path: file,
                    message: error_chain(&error),
                });
            }
        }
    }
    listing
}

/// The marketplace file named by `path` (a file) or found under it (a root).
fn marketplace_file_at(path: &Path) -> Option<PathBuf> {
    if path.is_file() {
        Some(path.to_path_buf())
    } else {
        find_marketplace_file(path)
    }
}

/// The closest directory at or above `start` that holds a `.git` entry (a directory, or a
/// file for worktrees and submodules).
pub fn find_git_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| std::fs::symlink_metadata(dir.join(".git")).is_ok())
        .map(Path::to_path_buf)
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path)
        .or_else(|_| std::path::absolute(path))
        .unwrap_or_else(|_| path.to_path_buf())
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}
