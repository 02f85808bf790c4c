//! [`StoreError`]: everything the plugin cache can fail with. Messages keep Codex's wording and
//! name the path or plugin involved; causes stay in `source`.

use std::io;
use std::path::PathBuf;

use berth_fs::{CopyError, LockError};
use berth_plugin::PluginIdError;
use berth_plugin::manifest::ManifestHeaderError;

/// A failed plugin cache operation.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// `CODEX_HOME` is relative; `path` is the cache root it would give.
    #[error("failed to resolve plugin cache root: path is not absolute: {}", path.display())]
    RelativeCodexHome {
        /// The relative cache root.
        path: PathBuf,
    },
    /// A filesystem operation failed; `context` says which step.
    #[error("{context} `{}`", path.display())]
    Io {
        /// What the store was doing, e.g. `failed to activate plugin cache entry`.
        context: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The install source is not a directory.
    #[error("plugin source path is not a directory: {}", path.display())]
    SourceNotDirectory {
        /// The source path.
        path: PathBuf,
    },
    /// The source has no readable manifest with a name.
    #[error("missing or invalid plugin.json in `{}`", source_path.display())]
    MissingOrInvalidManifest {
        /// The plugin source directory.
        source_path: PathBuf,
    },
    /// The manifest name is not a valid plugin name.
    #[error(transparent)]
    InvalidManifestName(PluginIdError),
    /// The manifest name differs from the plugin id's name.
    #[error(
        "plugin.json name `{manifest_name}` does not match marketplace plugin name `{plugin_name}`"
    )]
    ManifestNameMismatch {
        /// The name in plugin.json.
        manifest_name: String,
        /// The name in the plugin id.
        plugin_name: String,
    },
    /// The manifest's version could not be read.
    #[error(transparent)]
    ManifestHeader(#[from] ManifestHeaderError),
    /// The marketplace-provided fallback manifest is not valid JSON.
    #[error("failed to parse the marketplace-provided plugin.json for `{key}`")]
    InvalidFallbackManifest {
        /// The plugin key.
        key: String,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
    /// The marketplace-provided fallback manifest has an unusable `version`.
    #[error(
        "invalid plugin version in plugin.json: {problem} (in the marketplace-provided manifest for `{key}`)"
    )]
    InvalidFallbackManifestVersion {
        /// The plugin key.
        key: String,
        /// `expected string` or `must not be blank`.
        problem: &'static str,
    },
    /// The version is not a valid directory name.
    #[error(transparent)]
    InvalidVersion(PluginIdError),
    /// Copying the source into the staging directory failed.
    #[error("failed to copy plugin source `{}` into the plugin cache", source_path.display())]
    Copy {
        /// The plugin source directory.
        source_path: PathBuf,
        /// The copy error, naming the failing path.
        #[source]
        source: CopyError,
    },
    /// An old version could not be pruned and would still win over the new one.
    #[error("failed to activate updated plugin cache version `{new}` while `{old}` remains active")]
    OldVersionRemainsActive {
        /// The version just installed.
        new: String,
        /// The old version that could not be removed.
        old: String,
        /// Why removing the old version failed.
        #[source]
        source: io::Error,
    },
    /// Activation failed and the previous entry could not be put back either.
    #[error("failed to activate updated plugin cache entry at `{}`; failed to restore previous cache entry (left at `{}`); move it back to restore the plugin", path.display(), backup.display())]
    RollbackFailed {
        /// The plugin base root.
        path: PathBuf,
        /// Where the previous entry was left.
        backup: PathBuf,
        /// Why activation failed.
        #[source]
        source: io::Error,
        /// Why the rollback failed.
        rollback_error: io::Error,
    },
    /// A directory on the way to the plugin is a symlink; berth does not write through it.
    #[error("plugin cache directory `{}` is a symlink; berth will not write through it (remove the link and retry)", path.display())]
    SymlinkedCacheDir {
        /// The symlink.
        path: PathBuf,
    },
    /// Another program (one that takes no berth lock, such as `codex plugin add`) kept
    /// changing the entry while berth activated its copy, even on the retry.
    #[error("another program changed the plugin cache entry `{}` while berth was installing it (a `codex plugin add` or `remove` may be running); run the command again", path.display())]
    ConcurrentChange {
        /// The plugin base root.
        path: PathBuf,
        /// The failure of the last attempt.
        #[source]
        source: io::Error,
    },
    /// The per-plugin lock could not be taken.
    #[error(transparent)]
    Lock(#[from] LockError),
    /// A remote identity was written for a plugin that is not installed.
    #[error("cannot write remote identity for uninstalled plugin `{key}`")]
    RemoteIdentityForUninstalledPlugin {
        /// The plugin key.
        key: String,
    },
    /// A blank remote id was given to `write_remote_plugin_id`.
    #[error("invalid remote plugin install metadata: remote plugin id must not be blank")]
    BlankRemotePluginId,
    /// The sidecar on disk holds a blank remote id.
    #[error("invalid remote plugin install metadata: remote plugin id must not be blank (in `{}`)", path.display())]
    BlankStoredRemotePluginId {
        /// The sidecar file.
        path: PathBuf,
    },
    /// The sidecar is not valid JSON of the expected shape.
    #[error("failed to parse remote plugin install metadata `{}`", path.display())]
    RemoteMetadataParse {
        /// The sidecar file.
        path: PathBuf,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
    /// The sidecar has a schema version this build does not understand.
    #[error("unsupported remote plugin install metadata schema version: {version} (in `{}`)", path.display())]
    UnsupportedRemoteMetadataSchema {
        /// The version found.
        version: u8,
        /// The sidecar file.
        path: PathBuf,
    },
}

impl StoreError {
    /// True when the caller's input (source, manifest, version, remote id) is at fault rather
    /// than the machine; app servers map these to "invalid request".
    pub fn is_invalid_request(&self) -> bool {
        match self {
            Self::SourceNotDirectory { .. }
            | Self::MissingOrInvalidManifest { .. }
            | Self::InvalidManifestName(_)
            | Self::ManifestNameMismatch { .. }
            | Self::ManifestHeader(_)
            | Self::InvalidFallbackManifest { .. }
            | Self::InvalidFallbackManifestVersion { .. }
            | Self::InvalidVersion(_)
            | Self::RemoteIdentityForUninstalledPlugin { .. }
            | Self::BlankRemotePluginId => true,
            Self::RelativeCodexHome { .. }
            | Self::Io { .. }
            | Self::Copy { .. }
            | Self::OldVersionRemainsActive { .. }
            | Self::RollbackFailed { .. }
            | Self::ConcurrentChange { .. }
            | Self::SymlinkedCacheDir { .. }
            | Self::Lock(_)
            | Self::BlankStoredRemotePluginId { .. }
            | Self::RemoteMetadataParse { .. }
            | Self::UnsupportedRemoteMetadataSchema { .. } => false,
        }
    }

    pub(crate) fn io(context: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        Self::Io {
            context,
            path: path.into(),
            source,
        }
    }
}
