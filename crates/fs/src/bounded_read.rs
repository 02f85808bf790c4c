//! Bounded reads of the files berth parses from the Codex home and from plugins (config,
//! auth, sidecars, marketplaces, manifests, skills): regular files only (a symlink to one is
//! fine), opened without blocking so a FIFO cannot hang the reader, and capped per
//! [`FileKind`] so a symlink to `/dev/zero` or a huge file cannot exhaust memory.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::env_vars::{
    MAX_AUTH_BYTES_ENV, MAX_CA_CERTIFICATE_BYTES_ENV, MAX_CONFIG_BYTES_ENV, MAX_MANIFEST_BYTES_ENV,
    MAX_MARKETPLACE_BYTES_ENV, MAX_SIDECAR_BYTES_ENV, MAX_SKILL_BYTES_ENV,
};

const MIB: u64 = 1024 * 1024;

/// What a bounded read is reading; each kind has its own size cap and override.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// `config.toml` (cap [`FileKind::default_max_bytes`]: 8 MiB).
    Config,
    /// `auth.json` (1 MiB).
    Auth,
    /// `.codex-remote-plugin-install.json` (64 KiB).
    Sidecar,
    /// `marketplace.json` (16 MiB).
    Marketplace,
    /// `plugin.json` and the component files it names (4 MiB).
    Manifest,
    /// `SKILL.md` (4 MiB).
    Skill,
    /// The PEM file of extra certificate authorities `CODEX_CA_CERTIFICATE` names (1 MiB).
    CaCertificate,
}

impl FileKind {
    const ALL: [Self; 7] = [
        Self::Config,
        Self::Auth,
        Self::Sidecar,
        Self::Marketplace,
        Self::Manifest,
        Self::Skill,
        Self::CaCertificate,
    ];

    /// The cap when [`FileKind::env_var`] is unset.
    pub const fn default_max_bytes(self) -> u64 {
        match self {
            Self::Config => 8 * MIB,
            Self::Auth | Self::CaCertificate => MIB,
            Self::Sidecar => 64 * 1024,
            Self::Marketplace => 16 * MIB,
            Self::Manifest | Self::Skill => 4 * MIB,
        }
    }

    /// The environment variable that overrides the cap (a positive number of bytes).
    pub const fn env_var(self) -> &'static str {
        match self {
            Self::Config => MAX_CONFIG_BYTES_ENV,
            Self::Auth => MAX_AUTH_BYTES_ENV,
            Self::Sidecar => MAX_SIDECAR_BYTES_ENV,
            Self::Marketplace => MAX_MARKETPLACE_BYTES_ENV,
            Self::Manifest => MAX_MANIFEST_BYTES_ENV,
            Self::Skill => MAX_SKILL_BYTES_ENV,
            Self::CaCertificate => MAX_CA_CERTIFICATE_BYTES_ENV,
        }
    }

    /// The cap in force: the override when set and valid (read once per process), else the
    /// default.
    pub fn max_bytes(self) -> u64 {
        static CAPS: OnceLock<[u64; 7]> = OnceLock::new();
        let caps = CAPS.get_or_init(|| {
            Self::ALL.map(|kind| {
                max_bytes_from_env_value(kind, std::env::var(kind.env_var()).ok().as_deref())
            })
        });
        let index = Self::ALL.iter().position(|kind| *kind == self).unwrap_or(0);
        caps[index]
    }

    fn describe(self) -> &'static str {
        match self {
            Self::Config => "config",
            Self::Auth => "auth",
            Self::Sidecar => "remote plugin install metadata",
            Self::Marketplace => "marketplace",
            Self::Manifest => "plugin manifest",
            Self::Skill => "skill",
            Self::CaCertificate => "certificate authority",
        }
    }
}

/// Parses an override of `kind`'s cap; absent, zero or unparsable values give the default
/// (an unusable one is logged).
pub fn max_bytes_from_env_value(kind: FileKind, value: Option<&str>) -> u64 {
    let Some(value) = value else {
        return kind.default_max_bytes();
    };
    match value.trim().parse::<u64>() {
        Ok(bytes) if bytes > 0 => bytes,
        _ => {
            tracing::warn!(
                "ignoring {}={value:?}: expected a positive number of bytes; using {}",
                kind.env_var(),
                kind.default_max_bytes()
            );
            kind.default_max_bytes()
        }
    }
}

/// Why a bounded read refused a file. It reaches callers inside an [`io::Error`] (kind
/// `InvalidInput` or `FileTooLarge`), so their "failed to read `path`" context stays as is.
#[derive(Debug, thiserror::Error)]
pub enum BoundedReadError {
    /// The path (after symlinks) is not a regular file.
    #[error(
        "`{}` is a {file_type}, not a regular file; berth reads {} files only from regular files",
        path.display(),
        kind.describe()
    )]
    NotRegularFile {
        /// The path read.
        path: PathBuf,
        /// What it is: `FIFO`, `directory`, `character device`...
        file_type: &'static str,
        /// What was being read.
        kind: FileKind,
    },
    /// The file is larger than its kind's cap.
    #[error(
        "`{}` is larger than {max} bytes, the limit for {} files (set {} to raise it)",
        path.display(),
        kind.describe(),
        kind.env_var()
    )]
    TooLarge {
        /// The path read.
        path: PathBuf,
        /// The cap in force.
        max: u64,
        /// What was being read.
        kind: FileKind,
    },
}

/// Reads the whole regular file at `path`, refusing anything else and anything larger than
/// `kind`'s cap. A missing file is the usual `NotFound` error.
pub fn read_bounded(path: &Path, kind: FileKind) -> io::Result<Vec<u8>> {
    read_bounded_with_max(path, kind, kind.max_bytes())
}

/// [`read_bounded`] as UTF-8 text (`InvalidData` when it is not).
pub fn read_bounded_to_string(path: &Path, kind: FileKind) -> io::Result<String> {
    String::from_utf8(read_bounded(path, kind)?)
        .map_err(|err| io::Error::new(io::ErrorKind::InvalidData, err))
}

/// [`read_bounded`] with an explicit cap instead of `kind`'s.
pub fn read_bounded_with_max(path: &Path, kind: FileKind, max: u64) -> io::Result<Vec<u8>> {
    let file = open_nonblocking(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            BoundedReadError::NotRegularFile {
                path: path.to_path_buf(),
                file_type: describe_file_type(meta.file_type()),
                kind,
            },
        ));
    }
    let too_large = || {
        io::Error::new(
            io::ErrorKind::FileTooLarge,
            BoundedReadError::TooLarge {
                path: path.to_path_buf(),
                max,
                kind,
            },
        )
    };
    if meta.len() > max {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // The file may grow after the check: read one byte past the cap to notice.
    file.take(max.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(too_large());
    }
    Ok(bytes)
}

/// Opens for reading with `O_NONBLOCK`, so opening a FIFO returns at once instead of waiting
/// for a writer; the type is checked on the opened descriptor, so nothing can be swapped in
/// between the check and the read.
fn open_nonblocking(path: &Path) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(rustix::fs::OFlags::NONBLOCK.bits().cast_signed());
    }
    options.open(path)
}

fn describe_file_type(file_type: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "FIFO";
        }
        if file_type.is_char_device() {
            return "character device";
        }
        if file_type.is_block_device() {
            return "block device";
        }
        if file_type.is_socket() {
            return "socket";
        }
    }
    if file_type.is_dir() {
        "directory"
    } else {
        "special file"
    }
}

#[cfg(test)]
#[path = "bounded_read_tests.rs"]
mod tests;
