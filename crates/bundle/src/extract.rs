//! Safe extraction of an untrusted plugin bundle: regular files and folders only, no links or
//! special files, no path that leaves the destination, caps on the total extracted size, the
//! number of entries and the path depth, and file modes normalised to 0644 or 0755. The
//! archive root must itself be the plugin root.

use std::fs::{self, OpenOptions};
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

use flate2::read::GzDecoder;
use tar::EntryType;

use crate::env_vars::{MAX_BUNDLE_DEPTH_ENV, MAX_BUNDLE_ENTRIES_ENV, MAX_EXTRACTED_BYTES_ENV};
use crate::error::BundleError;

/// The default cap on the cumulative size of extracted files: 250 MiB.
pub const DEFAULT_MAX_EXTRACTED_BYTES: u64 = 250 * 1024 * 1024;
/// The default cap on the number of tar entries (files and folders): 20,000.
pub const DEFAULT_MAX_ENTRIES: usize = 20_000;
/// The default cap on the number of components in an entry path: 64.
pub const DEFAULT_MAX_DEPTH: usize = 64;

/// Limits applied while extracting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExtractLimits {
    /// The maximum cumulative size of all extracted files, in bytes.
    pub max_total_bytes: u64,
    /// The maximum number of tar entries, folders included.
    pub max_entries: usize,
    /// The maximum number of components in an entry path.
    pub max_depth: usize,
}

impl Default for ExtractLimits {
    fn default() -> Self {
        Self {
            max_total_bytes: DEFAULT_MAX_EXTRACTED_BYTES,
            max_entries: DEFAULT_MAX_ENTRIES,
            max_depth: DEFAULT_MAX_DEPTH,
        }
    }
}

impl ExtractLimits {
    /// The defaults with the overrides of [`crate::env_vars`] applied.
    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// The defaults with overrides taken from `lookup` (an env lookup); unset, zero or
    /// unparsable values keep the default (an unusable one is logged).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        fn positive<T: std::str::FromStr + PartialOrd + Default + Copy + std::fmt::Display>(
            lookup: &impl Fn(&str) -> Option<String>,
            name: &str,
            default: T,
        ) -> T {
            let Some(value) = lookup(name) else {
                return default;
            };
            match value.trim().parse::<T>() {
                Ok(parsed) if parsed > T::default() => parsed,
                _ => {
                    tracing::warn!(
                        "ignoring {name}={value:?}: expected a positive integer; using {default}"
                    );
                    default
                }
            }
        }
        Self {
            max_total_bytes: positive(
                &lookup,
                MAX_EXTRACTED_BYTES_ENV,
                DEFAULT_MAX_EXTRACTED_BYTES,
            ),
            max_entries: positive(&lookup, MAX_BUNDLE_ENTRIES_ENV, DEFAULT_MAX_ENTRIES),
            max_depth: positive(&lookup, MAX_BUNDLE_DEPTH_ENV, DEFAULT_MAX_DEPTH),
        }
    }
}

/// What an extraction produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractedBundle {
    /// The plugin root: the extraction destination, which holds the manifest.
    pub plugin_root: PathBuf,
    /// The number of regular files written.
    pub files: usize,
    /// The cumulative size of the files written, in bytes.
    pub total_bytes: u64,
}

/// Extracts the gzip tar read from `reader` into `dest` (created if missing, expected to be
/// empty) and checks that the archive root is a plugin root. Any error leaves partial output
/// in `dest`, which the caller owns and removes.
pub fn extract_bundle<R: Read>(
    reader: R,
    dest: &Path,
    limits: ExtractLimits,
) -> Result<ExtractedBundle, BundleError> {
    fs::create_dir_all(dest).map_err(|source| BundleError::Write {
        path: dest.to_path_buf(),
        source,
    })?;
    let mut archive = tar::Archive::new(GzDecoder::new(reader));
    let mut files = 0usize;
    let mut total_bytes = 0u64;
    for (index, entry) in archive.entries().map_err(BundleError::ReadTar)?.enumerate() {
        if index >= limits.max_entries {
            return Err(BundleError::TooManyEntries {
                max: limits.max_entries,
            });
        }
        let mut entry = entry.map_err(BundleError::ReadTar)?;
        let raw_path = entry.path().map_err(BundleError::ReadTar)?.into_owned();
        let relative = checked_relative_path(&raw_path)?;
        if let Some(relative) = &relative {
            let depth = relative.components().count();
            if depth > limits.max_depth {
                return Err(BundleError::PathTooDeep {
                    path: raw_path,
                    depth,
                    max: limits.max_depth,
                });
            }
        }
        let entry_type = entry.header().entry_type();
        match entry_type {
            EntryType::Symlink | EntryType::Link => {
                return Err(BundleError::Link { path: raw_path });
            }
            EntryType::Directory => {
                if let Some(relative) = relative {
                    let target = dest.join(relative);
                    create_dir(&target, &raw_path)?;
                }
            }
            EntryType::Regular | EntryType::Continuous => {
                let Some(relative) = relative else {
                    return Err(BundleError::EmptyPath);
                };
                let size = entry.header().size().map_err(BundleError::ReadTar)?;
                let next_total = total_bytes.saturating_add(size);
                if next_total > limits.max_total_bytes {
                    return Err(BundleError::ExtractedTooLarge {
                        size: next_total,
                        max: limits.max_total_bytes,
                    });
                }
                let target = dest.join(&relative);
                if let Some(parent) = target.parent() {
                    create_dir(parent, &raw_path)?;
                }
                let mode = entry.header().mode().map_err(BundleError::ReadTar)?;
                let written = write_file(&mut entry, &target, mode, size, &raw_path)?;
                total_bytes = total_bytes.saturating_add(written);
                files += 1;
            }
            other => {
                return Err(BundleError::UnsupportedType {
                    path: raw_path,
                    entry_type: describe_entry_type(other),
                });
            }
        }
    }
    let plugin_root = find_extracted_plugin_root(dest)?;
    tracing::debug!(root = %plugin_root.display(), files, total_bytes, "extracted plugin bundle");
    Ok(ExtractedBundle {
        plugin_root,
        files,
        total_bytes,
    })
}

/// Returns `root` when it holds a plugin manifest. Bundles whose plugin sits in a subfolder
/// (a "nested root") are rejected: the archive root must be the plugin root.
pub fn find_extracted_plugin_root(root: &Path) -> Result<PathBuf, BundleError> {
    match berth_plugin::manifest::find_manifest(root) {
        Some(_) => Ok(root.to_path_buf()),
        None => Err(BundleError::MissingPluginRoot {
            root: root.to_path_buf(),
        }),
    }
}

/// Returns the entry path relative to the root (`None` for the root itself, e.g. `./`), or
/// an error when it is absolute, has `..` or a prefix, or is empty.
fn checked_relative_path(raw: &Path) -> Result<Option<PathBuf>, BundleError> {
    if raw.as_os_str().is_empty() {
        return Err(BundleError::EmptyPath);
    }
    let mut relative = PathBuf::new();
    for component in raw.components() {
        match component {
            Component::Normal(part) => relative.push(part),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => {
                return Err(BundleError::EscapesRoot {
                    path: raw.to_path_buf(),
                });
            }
        }
    }
    Ok((!relative.as_os_str().is_empty()).then_some(relative))
}

fn create_dir(path: &Path, raw: &Path) -> Result<(), BundleError> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => return Ok(()),
        Ok(_) => {
            return Err(BundleError::DuplicateEntry {
                path: raw.to_path_buf(),
            });
        }
        Err(_) => {}
    }
    fs::create_dir_all(path).map_err(|source| BundleError::Write {
        path: path.to_path_buf(),
        source,
    })
}

fn write_file(
    reader: &mut impl Read,
    target: &Path,
    mode: u32,
    size: u64,
    raw: &Path,
) -> Result<u64, BundleError> {
    let write_err = |source| BundleError::Write {
        path: target.to_path_buf(),
        source,
    };
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(file_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = match options.open(target) {
        Ok(file) => file,
        Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {
            return Err(BundleError::DuplicateEntry {
                path: raw.to_path_buf(),
            });
        }
        Err(err) => return Err(write_err(err)),
    };
    // Never trust the header size alone: read at most `size` bytes.
    let written = io::copy(&mut reader.take(size), &mut file).map_err(|err| {
        if err.kind() == io::ErrorKind::UnexpectedEof || err.kind() == io::ErrorKind::InvalidData {
            BundleError::ReadTar(err)
        } else {
            write_err(err)
        }
    })?;
    #[cfg(unix)]
    {
        // The umask may have narrowed the creation mode; keep the archive's exec bits exactly.
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(fs::Permissions::from_mode(file_mode(mode)))
            .map_err(write_err)?;
    }
    Ok(written)
}

/// 0755 when the archive gave any execute bit, else 0644: never group or other write, and
/// never setuid, setgid or sticky bits.
fn file_mode(mode: u32) -> u32 {
    if mode & 0o111 == 0 { 0o644 } else { 0o755 }
}

fn describe_entry_type(entry_type: EntryType) -> String {
    match entry_type {
        EntryType::Char => "character device".to_owned(),
        EntryType::Block => "block device".to_owned(),
        EntryType::Fifo => "fifo".to_owned(),
        EntryType::GNUSparse => "sparse file".to_owned(),
        other => format!("{:?} (type flag {})", other, other.as_byte()),
    }
}

#[cfg(test)]
#[path = "extract_tests.rs"]
mod tests;
