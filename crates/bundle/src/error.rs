//! Errors from packing and extracting plugin bundles.

use std::io;
use std::path::PathBuf;

/// Why a plugin bundle could not be packed or extracted.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// The archive could not be read (not gzip, truncated, or a corrupt tar header).
    #[error("failed to read plugin bundle tar")]
    ReadTar(#[source] io::Error),
    /// A tar entry is a symbolic or hard link; bundles may contain only files and folders.
    #[error("plugin bundle tar entry `{}` is a link", path.display())]
    Link {
        /// The entry path as stored in the archive.
        path: PathBuf,
    },
    /// A tar entry is neither a regular file nor a folder (device, fifo, sparse file...).
    #[error("plugin bundle tar entry `{}` has unsupported type {entry_type}", path.display())]
    UnsupportedType {
        /// The entry path as stored in the archive.
        path: PathBuf,
        /// The tar type flag, rendered for humans.
        entry_type: String,
    },
    /// A tar entry is absolute, has a `..` component or a platform prefix.
    #[error("plugin bundle tar entry `{}` escapes extraction root", path.display())]
    EscapesRoot {
        /// The entry path as stored in the archive.
        path: PathBuf,
    },
    /// A tar entry has an empty path.
    #[error("plugin bundle contains a tar entry with an empty path")]
    EmptyPath,
    /// The archive has more entries than [`crate::ExtractLimits::max_entries`].
    #[error(
        "plugin bundle has more than {max} entries, the limit (set {} to raise it)",
        crate::env_vars::MAX_BUNDLE_ENTRIES_ENV
    )]
    TooManyEntries {
        /// The limit.
        max: usize,
    },
    /// An entry path has more components than [`crate::ExtractLimits::max_depth`].
    #[error(
        "plugin bundle tar entry `{}` is {depth} levels deep, more than the limit of {max} (set {} to raise it)",
        path.display(),
        crate::env_vars::MAX_BUNDLE_DEPTH_ENV
    )]
    PathTooDeep {
        /// The entry path as stored in the archive.
        path: PathBuf,
        /// Its number of components.
        depth: usize,
        /// The limit.
        max: usize,
    },
    /// The same file appears twice, or a file and a folder share a path.
    #[error("plugin bundle tar entry `{}` conflicts with an earlier entry", path.display())]
    DuplicateEntry {
        /// The entry path as stored in the archive.
        path: PathBuf,
    },
    /// Extracting the next entry would exceed the total size limit.
    #[error(
        "plugin bundle extracted size would be {size} bytes, exceeding maximum total size of {max} bytes (set {} to raise it)",
        crate::env_vars::MAX_EXTRACTED_BYTES_ENV
    )]
    ExtractedTooLarge {
        /// The cumulative size including the offending entry.
        size: u64,
        /// The configured limit.
        max: u64,
    },
    /// Writing an extracted entry failed.
    #[error("failed to write extracted plugin bundle entry `{}`", path.display())]
    Write {
        /// The destination path on disk.
        path: PathBuf,
        /// The I/O failure.
        #[source]
        source: io::Error,
    },
    /// The archive root is not a plugin root (no `.codex-plugin/plugin.json` at the top).
    #[error("remote plugin bundle did not contain a standard plugin root with plugin.json")]
    MissingPluginRoot {
        /// The extraction folder that was searched.
        root: PathBuf,
    },
    /// The folder to pack holds a symlink; bundles may contain only files and folders.
    #[error("cannot pack `{}`: symbolic links are not allowed in plugin bundles", path.display())]
    PackLink {
        /// The link on disk.
        path: PathBuf,
    },
    /// The folder to pack holds something other than files, folders and links.
    #[error("cannot pack `{}`: only regular files and folders are allowed in plugin bundles", path.display())]
    PackUnsupported {
        /// The offending path on disk.
        path: PathBuf,
    },
    /// Reading the folder to pack failed.
    #[error("failed to read `{}` while packing a plugin bundle", path.display())]
    PackRead {
        /// The path being read.
        path: PathBuf,
        /// The I/O failure.
        #[source]
        source: io::Error,
    },
}
