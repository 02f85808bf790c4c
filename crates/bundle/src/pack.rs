//! Deterministic packing of a plugin folder into a gzip tar bundle: entries in sorted order,
//! mtime 0, uid/gid 0, modes normalised to 0755/0644, so the same tree always yields the same
//! bytes and digest.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use flate2::Compression;
use flate2::GzBuilder;
use tar::{EntryType, Header};
use walkdir::WalkDir;

use crate::digest::sha256_hex;
use crate::error::BundleError;

/// A packed bundle and its digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackedBundle {
    /// The gzip-compressed tar bytes.
    pub bytes: Vec<u8>,
    /// The lowercase hex SHA-256 of [`PackedBundle::bytes`].
    pub sha256_hex: String,
    /// The regular files packed, in archive order.
    pub files: Vec<PackedFile>,
}

/// A file in a packed bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackedFile {
    /// Its path inside the bundle, `/`-separated.
    pub path: String,
    /// Its size in bytes.
    pub bytes: u64,
}

/// Packs the plugin folder `dir` so that `dir` itself is the archive root. Only regular
/// files and folders are allowed; a symlink or special file is an error naming its path.
pub fn pack_plugin_dir(dir: &Path) -> Result<PackedBundle, BundleError> {
    let encoder = GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), Compression::default());
    let mut builder = tar::Builder::new(encoder);
    let mut files = Vec::new();
    for entry in WalkDir::new(dir)
        .min_depth(1)
        .follow_links(false)
        .sort_by_file_name()
    {
        let entry = entry.map_err(|err| {
            let path = err.path().unwrap_or(dir).to_path_buf();
            BundleError::PackRead {
                path,
                source: io::Error::other(err),
            }
        })?;
        let path = entry.path();
        let relative = path
            .strip_prefix(dir)
            .map_err(|_| BundleError::PackUnsupported {
                path: path.to_path_buf(),
            })?;
        let file_type = entry.file_type();
        let read_err = |source| BundleError::PackRead {
            path: path.to_path_buf(),
            source,
        };
        let mut header = Header::new_gnu();
        header.set_mtime(0);
        header.set_uid(0);
        header.set_gid(0);
        if file_type.is_symlink() {
            return Err(BundleError::PackLink {
                path: path.to_path_buf(),
            });
        } else if file_type.is_dir() {
            header.set_entry_type(EntryType::Directory);
            header.set_mode(0o755);
            header.set_size(0);
            builder
                .append_data(&mut header, relative, io::empty())
                .map_err(read_err)?;
        } else if file_type.is_file() {
            let metadata = entry
                .metadata()
                .map_err(|err| read_err(io::Error::other(err)))?;
            let bytes = fs::read(path).map_err(read_err)?;
            header.set_entry_type(EntryType::Regular);
            header.set_mode(if is_executable(&metadata) {
                0o755
            } else {
                0o644
            });
            header.set_size(bytes.len() as u64);
            builder
                .append_data(&mut header, relative, bytes.as_slice())
                .map_err(read_err)?;
            files.push(PackedFile {
                path: relative
                    .components()
                    .map(|part| part.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/"),
                bytes: bytes.len() as u64,
            });
        } else {
            return Err(BundleError::PackUnsupported {
                path: path.to_path_buf(),
            });
        }
    }
    let finish_err = |source| BundleError::PackRead {
        path: dir.to_path_buf(),
        source,
    };
    let mut encoder = builder.into_inner().map_err(finish_err)?;
    encoder.flush().map_err(finish_err)?;
    let bytes = encoder.finish().map_err(finish_err)?;
    let sha256_hex = sha256_hex(&bytes);
    Ok(PackedBundle {
        bytes,
        sha256_hex,
        files,
    })
}

#[cfg(unix)]
fn is_executable(metadata: &fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    metadata.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(_metadata: &fs::Metadata) -> bool {
    false
}
