//! Builds gzip tar archives entry by entry, including hostile ones (raw names with `..`,
//! links, devices) that `tar::Builder`'s safe path setter refuses to write.

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;
use tar::{EntryType, Header};

/// An archive under construction.
pub(crate) struct ArchiveBuilder {
    builder: tar::Builder<Vec<u8>>,
}

impl ArchiveBuilder {
    pub(crate) fn new() -> Self {
        Self {
            builder: tar::Builder::new(Vec::new()),
        }
    }

    /// A plugin root with a manifest named `name` at the archive root.
    pub(crate) fn plugin(name: &str) -> Self {
        let mut archive = Self::new();
        archive.dir(".codex-plugin");
        archive.file(
            ".codex-plugin/plugin.json",
            format!("{{\"name\":\"{name}\",\"version\":\"1.0.0\"}}").as_bytes(),
            0o644,
        );
        archive
    }

    pub(crate) fn dir(&mut self, path: &str) -> &mut Self {
        let mut header = Header::new_gnu();
        header.set_entry_type(EntryType::Directory);
        header.set_mode(0o755);
        header.set_size(0);
        self.builder
            .append_data(&mut header, path, std::io::empty())
            .unwrap();
        self
    }

    /// A regular file; long names go through the GNU long-name extension.
    pub(crate) fn file(&mut self, path: &str, bytes: &[u8], mode: u32) -> &mut Self {
        let mut header = Header::new_gnu();
        header.set_entry_type(EntryType::Regular);
        header.set_mode(mode);
        header.set_size(bytes.len() as u64);
        self.builder.append_data(&mut header, path, bytes).unwrap();
        self
    }

    /// An entry whose name bytes are written verbatim (no validation), with the given type,
    /// link target and data.
    pub(crate) fn raw(
        &mut self,
        name: &str,
        entry_type: EntryType,
        link: &str,
        data: &[u8],
    ) -> &mut Self {
        let mut header = Header::new_old();
        let raw_name = &mut header.as_old_mut().name;
        raw_name[..name.len()].copy_from_slice(name.as_bytes());
        let raw_link = &mut header.as_old_mut().linkname;
        raw_link[..link.len()].copy_from_slice(link.as_bytes());
        header.set_entry_type(entry_type);
        header.set_mode(0o644);
        header.set_size(data.len() as u64);
        header.set_cksum();
        self.builder.append(&header, data).unwrap();
        self
    }

    pub(crate) fn gzip(self) -> Vec<u8> {
        let tar = self.builder.into_inner().unwrap();
        let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
        encoder.write_all(&tar).unwrap();
        encoder.finish().unwrap()
    }
}
