//! `.codex-marketplace-install.json`: what a Git marketplace snapshot was made from (source,
//! ref, sparse paths) and at which revision, written the way Codex writes it.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::SnapshotError;

/// The metadata file inside a snapshot.
pub const INSTALL_METADATA_FILE: &str = ".codex-marketplace-install.json";

/// A Git marketplace as config.toml records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitMarketplaceSource {
    /// The clone URL.
    pub url: String,
    /// The branch, tag or commit followed; `None` for the default branch.
    pub ref_name: Option<String>,
    /// Cone-mode sparse paths; empty for the whole repository.
    pub sparse_paths: Vec<String>,
}

/// The content of [`INSTALL_METADATA_FILE`] (field order as Codex writes it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstallMetadata {
    /// Always `git`.
    pub source_type: String,
    /// The clone URL.
    pub source: String,
    /// The ref, or null.
    pub ref_name: Option<String>,
    /// The sparse paths.
    #[serde(default)]
    pub sparse_paths: Vec<String>,
    /// The full commit id checked out.
    pub revision: String,
}

impl InstallMetadata {
    /// The metadata of a snapshot of `source` at `revision`.
    pub fn new(source: &GitMarketplaceSource, revision: &str) -> Self {
        Self {
            source_type: "git".to_owned(),
            source: source.url.clone(),
            ref_name: source.ref_name.clone(),
            sparse_paths: source.sparse_paths.clone(),
            revision: revision.to_owned(),
        }
    }

    /// Whether the snapshot was made from exactly `source` (its revision aside).
    pub fn is_from(&self, source: &GitMarketplaceSource) -> bool {
        self.source_type == "git"
            && self.source == source.url
            && self.ref_name == source.ref_name
            && self.sparse_paths == source.sparse_paths
    }

    /// Reads the metadata of the snapshot at `root`; `None` when it has none.
    pub fn read(root: &Path) -> Result<Option<Self>, SnapshotError> {
        let path = root.join(INSTALL_METADATA_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(SnapshotError::io(
                    "failed to read marketplace install metadata",
                    path,
                    source,
                ));
            }
        };
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|source| SnapshotError::InvalidMetadata { path, source })
    }

    /// Writes the metadata into the snapshot (or staged checkout) at `root`, pretty-printed
    /// without a trailing newline, as Codex does.
    pub fn write(&self, root: &Path) -> Result<(), SnapshotError> {
        let path = root.join(INSTALL_METADATA_FILE);
        let text = serde_json::to_string_pretty(self).map_err(|source| {
            SnapshotError::InvalidMetadata {
                path: path.clone(),
                source,
            }
        })?;
        berth_fs::write_atomic(&path, text.as_bytes()).map_err(|source| {
            SnapshotError::io("failed to write marketplace install metadata", path, source)
        })
    }
}
