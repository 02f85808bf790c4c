//! Why a plugin manifest could not be loaded at all. Everything short of a missing file or a JSON
//! syntax error is a warning on the loaded manifest instead.

use std::path::{Path, PathBuf};

/// A plugin whose manifest is missing or unreadable. `Display` is Codex's message; the path and
/// the cause are in [`ManifestError::kind`], which is also the error's `source()`.
#[derive(Debug, thiserror::Error)]
#[error("missing or invalid plugin.json")]
pub struct ManifestError {
    #[source]
    kind: ManifestErrorKind,
}

impl ManifestError {
    pub(crate) fn new(kind: ManifestErrorKind) -> Self {
        Self { kind }
    }

    /// What went wrong, naming the file.
    pub fn kind(&self) -> &ManifestErrorKind {
        &self.kind
    }

    /// The manifest file, or the plugin root when no manifest was found.
    pub fn path(&self) -> &Path {
        match &self.kind {
            ManifestErrorKind::NotFound { root } => root,
            ManifestErrorKind::Read { path, .. }
            | ManifestErrorKind::Syntax { path, .. }
            | ManifestErrorKind::NotAnObject { path }
            | ManifestErrorKind::VersionNotString { path } => path,
        }
    }
}

/// The cause behind a [`ManifestError`].
#[derive(Debug, thiserror::Error)]
pub enum ManifestErrorKind {
    /// Neither `.codex-plugin/plugin.json` nor `.claude-plugin/plugin.json` exists.
    #[error(
        "no `.codex-plugin/plugin.json` or `.claude-plugin/plugin.json` under `{}`; add a manifest to the plugin",
        root.display()
    )]
    NotFound {
        /// The plugin root searched.
        root: PathBuf,
    },
    /// The manifest exists but could not be read.
    #[error("failed to read plugin manifest `{}`", path.display())]
    Read {
        /// The manifest path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The manifest is not valid JSON.
    #[error("failed to parse plugin manifest `{}`", path.display())]
    Syntax {
        /// The manifest path.
        path: PathBuf,
        /// The JSON error, with line and column.
        #[source]
        source: serde_json::Error,
    },
    /// The manifest is valid JSON but not an object.
    #[error("plugin manifest `{}` must be a JSON object", path.display())]
    NotAnObject {
        /// The manifest path.
        path: PathBuf,
    },
    /// `version` is present but not a string, which Codex's parser rejects outright.
    #[error("invalid plugin version in plugin.json: expected string (in `{}`)", path.display())]
    VersionNotString {
        /// The manifest path.
        path: PathBuf,
    },
}
