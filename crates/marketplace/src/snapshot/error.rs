//! [`SnapshotError`]: why a Git marketplace snapshot or a Git plugin source could not be
//! fetched, activated or removed, naming the URL, ref, path and what to do.

use std::path::PathBuf;

use berth_fs::LockError;
use berth_git::GitError;
use berth_plugin::PluginIdError;

use crate::MarketplaceError;

/// A failed snapshot operation.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// Running `git` failed.
    #[error(transparent)]
    Git(#[from] GitError),
    /// A snapshot or staging lock could not be taken.
    #[error(transparent)]
    Lock(#[from] LockError),
    /// A filesystem step failed.
    #[error("{context} `{}`", path.display())]
    Io {
        /// What was being done.
        context: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The repository has no marketplace file at the checked-out revision.
    #[error(
        "`{url}` at {revision} has no marketplace file; a marketplace repository holds `.agents/plugins/marketplace.json` or `.claude-plugin/marketplace.json`{}",
        sparse_hint(*sparse)
    )]
    NotAMarketplace {
        /// The repository.
        url: String,
        /// The commit checked out.
        revision: String,
        /// Whether only sparse paths were checked out.
        sparse: bool,
    },
    /// The cloned marketplace file does not load.
    #[error("the marketplace in `{url}` at {revision} is invalid")]
    InvalidMarketplace {
        /// The repository.
        url: String,
        /// The commit checked out.
        revision: String,
        /// Why.
        #[source]
        source: MarketplaceError,
    },
    /// The marketplace's name cannot be a folder name.
    #[error("the marketplace in `{url}` has an invalid name `{name}`")]
    InvalidName {
        /// The repository.
        url: String,
        /// The name in its marketplace file.
        name: String,
        /// Why.
        #[source]
        source: PluginIdError,
    },
    /// A `--sparse` path is not in the repository.
    #[error(
        "sparse path `{path}` does not exist in `{url}` at {revision}; pass folders of the repository to --sparse"
    )]
    SparsePathMissing {
        /// The repository.
        url: String,
        /// The path asked for.
        path: String,
        /// The commit checked out.
        revision: String,
    },
    /// A `git-subdir` path is not a folder of the repository.
    #[error(
        "path `{path}` is not a folder of `{url}` at {revision}; check the marketplace entry's `path`"
    )]
    SubdirMissing {
        /// The repository.
        url: String,
        /// The path in the marketplace entry.
        path: String,
        /// The commit checked out.
        revision: String,
    },
    /// The entry's `path` leads out of the checkout (through a symbolic link in the repository).
    #[error(
        "path `{path}` of `{url}` at {revision} leads outside the repository (through a symbolic link); berth installs only files inside it"
    )]
    SubdirOutside {
        /// The repository.
        url: String,
        /// The path in the marketplace entry.
        path: String,
        /// The commit checked out.
        revision: String,
    },
    /// `.codex-marketplace-install.json` of a snapshot does not parse.
    #[error("invalid marketplace install metadata `{}`", path.display())]
    InvalidMetadata {
        /// The file.
        path: PathBuf,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
}

fn sparse_hint(sparse: bool) -> &'static str {
    if sparse {
        " (only the --sparse paths were checked out; include `.agents`)"
    } else {
        ""
    }
}

impl SnapshotError {
    pub(crate) fn io(
        context: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        Self::Io {
            context,
            path: path.into(),
            source,
        }
    }

    /// True when the input (source, ref, paths, repository content) is at fault rather than
    /// the machine.
    pub fn is_invalid_request(&self) -> bool {
        match self {
            Self::Git(GitError::RefNotFound { .. })
            | Self::NotAMarketplace { .. }
            | Self::InvalidMarketplace { .. }
            | Self::InvalidName { .. }
            | Self::SparsePathMissing { .. }
            | Self::SubdirMissing { .. }
            | Self::SubdirOutside { .. } => true,
            Self::Git(_) | Self::Lock(_) | Self::Io { .. } | Self::InvalidMetadata { .. } => false,
        }
    }
}
