//! Finding a plugin's manifest and reading the two fields the installer needs from it: the
//! name and the cache version.

use std::path::{Path, PathBuf};

/// Manifest locations under a plugin root, in priority order.
pub const MANIFEST_RELATIVE_PATHS: [&str; 2] =
    [".codex-plugin/plugin.json", ".claude-plugin/plugin.json"];

/// Returns the first manifest under `root` that is a regular file. A symlinked manifest is
/// not followed: it could point outside the plugin root.
pub fn find_manifest(root: &Path) -> Option<PathBuf> {
    MANIFEST_RELATIVE_PATHS
        .iter()
        .map(|rel| root.join(rel))
        .find(|path| std::fs::symlink_metadata(path).is_ok_and(|meta| meta.file_type().is_file()))
}

/// The installer's view of a manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestHeader {
    /// Where the manifest was read from.
    pub path: PathBuf,
    /// The `name` field, trimmed; `None` when absent or blank.
    pub name: Option<String>,
    /// The `version` field, trimmed; `None` when absent.
    pub version: Option<String>,
}

/// Why a manifest header could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ManifestHeaderError {
    /// No manifest under the plugin root.
    #[error("missing plugin.json under `{}`", root.display())]
    Missing {
        /// The plugin root searched.
        root: PathBuf,
    },
    /// The manifest could not be read.
    #[error("failed to read plugin.json `{}`", path.display())]
    Read {
        /// The manifest path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The manifest is not valid JSON.
    #[error("failed to parse plugin.json `{}`", path.display())]
    Parse {
        /// The manifest path.
        path: PathBuf,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
    /// `version` is present but not a string.
    #[error("invalid plugin version in plugin.json: expected string (in `{}`)", path.display())]
    VersionNotString {
        /// The manifest path.
        path: PathBuf,
    },
    /// `version` is blank.
    #[error("invalid plugin version in plugin.json: must not be blank (in `{}`)", path.display())]
    VersionBlank {
        /// The manifest path.
        path: PathBuf,
    },
}

/// Reads `name` and `version` from the manifest under `root`.
pub fn read_manifest_header(root: &Path) -> Result<ManifestHeader, ManifestHeaderError> {
    let path = find_manifest(root).ok_or_else(|| ManifestHeaderError::Missing {
        root: root.to_path_buf(),
    })?;
    let text = berth_fs::read_bounded_to_string(&path, berth_fs::FileKind::Manifest).map_err(
        |source| ManifestHeaderError::Read {
            path: path.clone(),
            source,
        },
    )?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|source| ManifestHeaderError::Parse {
            path: path.clone(),
            source,
        })?;
    let name = value
        .get("name")
        .and_then(serde_json::Value::as_str)
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(str::to_owned);
    let version = match value.get("version") {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(version)) => {
            let trimmed = version.trim();
            if trimmed.is_empty() {
                return Err(ManifestHeaderError::VersionBlank { path });
            }
            Some(trimmed.to_owned())
        }
        Some(_) => return Err(ManifestHeaderError::VersionNotString { path }),
    };
    Ok(ManifestHeader {
        path,
        name,
        version,
    })
}

#[cfg(test)]
#[path = "location_tests.rs"]
mod tests;
