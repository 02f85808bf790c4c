//! [`ConfigFile`]: one `config.toml` loaded into a format-preserving document, its version
//! hash, and saving it back atomically.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use sha2::{Digest as _, Sha256};
use toml_edit::{DocumentMut, ImDocument, Item, Table};

use crate::error::ConfigError;
use crate::persist;

/// A parsed `config.toml` that remembers the exact bytes it was read from.
///
/// Reads and edits work on the in-memory document; [`ConfigFile::save`] writes it back. Parts
/// of the file that an edit does not touch are rendered byte-for-byte as they were.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    path: PathBuf,
    doc: Document,
    /// `sha256:<hex>` of `on_disk`, computed when first asked for.
    version: OnceLock<String>,
    on_disk: Vec<u8>,
}

/// The parsed document. A file that is only read keeps the parser's output, whose formatting
/// points into the text; the first edit turns it into an editable document, which owns its
/// formatting (a copy that a listing of the config has no use for).
#[derive(Debug, Clone)]
enum Document {
    Read(ImDocument<String>),
    Edit(DocumentMut),
}

impl ConfigFile {
    /// Reads and parses the file at `path`. A missing file is an empty document.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        Self::parse(path, Self::read(path)?)
    }

    /// The bytes of the file at `path` (bounded); a missing file is empty.
    pub(crate) fn read(path: &Path) -> Result<Vec<u8>, ConfigError> {
        match berth_fs::read_bounded(path, berth_fs::FileKind::Config) {
            Ok(bytes) => Ok(bytes),
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(source) => Err(ConfigError::Io {
                path: path.to_path_buf(),
                context: "read",
                source,
            }),
        }
    }

    /// The bytes this document was read from or last saved as.
    pub(crate) fn on_disk(&self) -> &[u8] {
        &self.on_disk
    }

    /// Parses `bytes` as the contents of the file at `path`, without touching the disk.
    pub fn parse(path: &Path, bytes: Vec<u8>) -> Result<Self, ConfigError> {
        let text = std::str::from_utf8(&bytes).map_err(|source| ConfigError::NotUtf8 {
            path: path.to_path_buf(),
            source,
        })?;
        let doc = ImDocument::parse(text.to_owned()).map_err(|err: toml_edit::TomlError| {
            let (line, column) = err
                .span()
                .map_or((1, 1), |span| line_and_column(text, span.start));
            ConfigError::Parse {
                path: path.to_path_buf(),
                line,
                column,
                message: err.message().trim_end().replace('\n', "; "),
            }
        })?;
        Ok(Self {
            path: path.to_path_buf(),
            doc: Document::Read(doc),
            version: OnceLock::new(),
            on_disk: bytes,
        })
    }

    /// The root table, for reading.
    pub(crate) fn table(&self) -> &Table {
        match &self.doc {
            Document::Read(doc) => doc.as_table(),
            Document::Edit(doc) => doc.as_table(),
        }
    }

    /// The root table as an item, for reading.
    pub(crate) fn root(&self) -> &Item {
        match &self.doc {
            Document::Read(doc) => doc.as_item(),
            Document::Edit(doc) => doc.as_item(),
        }
    }

    /// The document, for editing.
    pub(crate) fn doc_mut(&mut self) -> &mut DocumentMut {
        if let Document::Read(_) = self.doc {
            let Document::Read(read) =
                std::mem::replace(&mut self.doc, Document::Edit(DocumentMut::new()))
            else {
                unreachable!("the document was just seen unedited");
            };
            self.doc = Document::Edit(read.into_mut());
        }
        match &mut self.doc {
            Document::Edit(doc) => doc,
            Document::Read(_) => unreachable!("the document was just made editable"),
        }
    }

    /// The file this document was read from and is saved to.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The version of the file as last read or saved: `sha256:<hex>` of its bytes on disk (a
    /// missing file hashes as empty).
    pub fn version(&self) -> &str {
        self.version.get_or_init(|| version_of(&self.on_disk))
    }

    /// The document as TOML text, including any unsaved edits.
    pub fn render(&self) -> String {
        match &self.doc {
            // Unedited: the text it was parsed from.
            Document::Read(doc) => doc.raw().to_owned(),
            Document::Edit(doc) => doc.to_string(),
        }
    }

    /// Whether the rendered document differs from the bytes last read or saved.
    pub fn is_modified(&self) -> bool {
        self.render().as_bytes() != self.on_disk.as_slice()
    }

    /// Writes the document back atomically and returns its new version.
    ///
    /// Nothing is written when the text is unchanged. A symlinked path is written through to
    /// its target (the link stays a link), missing parent directories are created, and an
    /// existing file keeps its permissions.
    pub fn save(&mut self) -> Result<String, ConfigError> {
        let text = self.render();
        if text.as_bytes() == self.on_disk.as_slice() {
            return Ok(self.version().to_owned());
        }
        let target = persist::resolve_symlinks(&self.path).map_err(|source| ConfigError::Io {
            path: self.path.clone(),
            context: "resolve the symlink",
            source,
        })?;
        if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent).map_err(|source| ConfigError::Io {
                path: parent.to_path_buf(),
                context: "create the directory",
                source,
            })?;
        }
        berth_fs::write_atomic_prefixed(&target, text.as_bytes(), &persist::temp_prefix(&target))
            .map_err(|source| ConfigError::Io {
            path: target.clone(),
            context: "write",
            source,
        })?;
        tracing::debug!(path = %target.display(), "wrote config");
        self.on_disk = text.into_bytes();
        self.version = OnceLock::new();
        Ok(self.version().to_owned())
    }
}

/// `sha256:<lowercase hex>` of `bytes`, the version string of a config file.
pub fn version_of(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity("sha256:".len() + digest.len() * 2);
    out.push_str("sha256:");
    for byte in digest {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = text.get(..offset).unwrap_or_default();
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
#[path = "file_tests.rs"]
mod tests;
