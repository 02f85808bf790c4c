//! Extraction of real archives: what is accepted, what is rejected and with which message.

use std::path::Path;

use berth_bundle::{BundleError, ExtractLimits, extract_bundle};
use pretty_assertions::assert_eq;
use tar::EntryType;
use tempfile::TempDir;

use crate::archive::ArchiveBuilder;

fn extract(
    bytes: &[u8],
    limits: ExtractLimits,
) -> (TempDir, Result<berth_bundle::ExtractedBundle, BundleError>) {
    let temp = TempDir::new().unwrap();
    let dest = temp.path().join("staging");
    let result = extract_bundle(bytes, &dest, limits);
    (temp, result)
}

fn error_text(bytes: &[u8]) -> String {
    let (_temp, result) = extract(bytes, ExtractLimits::default());
    result.unwrap_err().to_string()
}

fn file_names(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = walkdir(root);
    names.sort();
    names
}

fn walkdir(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if entry.file_type().unwrap().is_dir() {
                out.push(format!("{rel}/"));
                stack.push(path);
            } else {
                out.push(rel);
            }
        }
    }
    out
}

#[test]
fn a_plugin_bundle_extracts_files_and_folders_at_the_archive_root() {
    let mut archive = ArchiveBuilder::plugin("linear");
    archive
        .dir("skills")
        .file("skills/a/SKILL.md", b"# skill", 0o644);
    let (temp, result) = extract(&archive.gzip(), ExtractLimits::default());
    let extracted = result.unwrap();
    let dest = temp.path().join("staging");
    assert_eq!(extracted.plugin_root, dest);
    assert_eq!(extracted.files, 2);
    assert_eq!(
        file_names(&dest),
        vec![
            ".codex-plugin/",
            ".codex-plugin/plugin.json",
            "skills/",
            "skills/a/",
            "skills/a/SKILL.md"
        ]
    );
}

#[test]
fn extraction_rejects_tar_path_traversal() {
    let mut archive = ArchiveBuilder::plugin("linear");
    archive.raw("../evil.txt", EntryType::Regular, "", b"x");
    assert_eq!(
        error_text(&archive.gzip()),
        "plugin bundle tar entry `../evil.txt` escapes extraction root"
    );
}

#[test]
fn extraction_rejects_absolute_paths() {
    let mut archive = ArchiveBuilder::plugin("linear");
    archive.raw("/tmp/evil.txt", EntryType::Regular, "", b"x");
    assert_eq!(
        error_text(&archive.gzip()),
        "plugin bundle tar entry `/tmp/evil.txt` escapes extraction root"
    );
}

#[test]
fn extraction_rejects_symlinks() {
    let mut archive = ArchiveBuilder::plugin("linear");
    archive.raw("link", EntryType::Symlink, "/etc/passwd", b"");
    assert_eq!(
        error_text(&archive.gzip()),
        "plugin bundle tar entry `link` is a link"
    );
}

#[test]
fn extraction_rejects_hard_links() {
    let mut archive = ArchiveBuilder::plugin("linear");
    archive.raw("hard", EntryType::Link, ".codex-plugin/plugin.json", b"");
    assert_eq!(
        error_text(&archive.gzip()),
        "plugin bundle tar entry `hard` is a link"
    );
}

#[test]
fn extraction_rejects_device_entries() {
    let mut archive = ArchiveBuilder::plugin("linear");
    archive.raw("dev", EntryType::Char, "", b"");
    assert_eq!(
        error_text(&archive.gzip()),
        "plugin bundle tar entry `dev` has unsupported type character device"
    );
    let mut archive = ArchiveBuilder::plugin("linear");
    archive.raw("pipe", EntryType::Fifo, "", b"");
    assert_eq!(
        error_text(&archive.gzip()),
        "plugin bundle tar entry `pipe` has unsupported type fifo"
    );
}

#[test]
fn extraction_rejects_total_size_over_limit() {
    let mut archive = ArchiveBuilder::plugin("linear");
    archive.file("big.bin", &[7u8; 64], 0o644);
    let manifest_len = br#"{"name":"linear","version":"1.0.0"}"#.len() as u64;
    let (_temp, result) = extract(
        &archive.gzip(),
        ExtractLimits {
            max_total_bytes: 64,
            ..ExtractLimits::default()
        },
    );
    assert_eq!(
        result.unwrap_err().to_string(),
        format!(
            "plugin bundle extracted size would be {} bytes, exceeding maximum total size of 64 bytes (set BERTH_MAX_EXTRACTED_BYTES to raise it)",
            manifest_len + 64
        )
    );
}

#[test]
fn extraction_stops_before_writing_an_entry_over_the_limit() {
    let mut archive = ArchiveBuilder::plugin("linear");
    archive.file("big.bin", &[7u8; 4096], 0o644);
    let (temp, result) = extract(
        &archive.gzip(),
        ExtractLimits {
            max_total_bytes: 1024,
            ..ExtractLimits::default()
        },
    );
    assert!(matches!(result, Err(BundleError::ExtractedTooLarge { .. })));
    assert!(!temp.path().join("staging/big.bin").exists());
}

#[test]
fn install_rejects_invalid_tar_gz_bundle() {
    let text = error_text(b"this is not a gzip stream");
    assert_eq!(text, "failed to read plugin bundle tar");
}

#[test]
fn a_truncated_bundle_is_a_read_error() {
    let mut archive = ArchiveBuilder::plugin("linear");
    archive.file("big.bin", &vec![1u8; 100_000], 0o644);
    let bytes = archive.gzip();
    let (_temp, result) = extract(&bytes[..bytes.len() / 2], ExtractLimits::default());
    assert!(matches!(result, Err(BundleError::ReadTar(_))), "{result:?}");
}

#[test]
fn install_rejects_bundle_without_standard_plugin_root() {
    let mut archive = ArchiveBuilder::new();
    archive.file("README.md", b"# hi", 0o644);
    assert_eq!(
        error_text(&archive.gzip()),
        "remote plugin bundle did not contain a standard plugin root with plugin.json"
    );
}

#[test]
fn find_extracted_plugin_root_rejects_nested_plugin_root() {
    let mut archive = ArchiveBuilder::new();
    archive.dir("linear").dir("linear/.codex-plugin").file(
        "linear/.codex-plugin/plugin.json",
        br#"{"name":"linear"}"#,
        0o644,
    );
    assert_eq!(
        error_text(&archive.gzip()),
        "remote plugin bundle did not contain a standard plugin root with plugin.json"
    );
}

#[test]
fn extraction_supports_gnu_long_name_entries() {
    let long_dir = "d".repeat(120);
    let long_path = format!("{long_dir}/{}.md", "n".repeat(120));
    let mut archive = ArchiveBuilder::plugin("linear");
    archive.file(&long_path, b"long", 0o644);
    let (temp, result) = extract(&archive.gzip(), ExtractLimits::default());
    result.unwrap();
    assert_eq!(
        std::fs::read(temp.path().join("staging").join(&long_path)).unwrap(),
        b"long"
    );
}

#[cfg(unix)]
#[test]
fn extraction_preserves_executable_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let mut archive = ArchiveBuilder::plugin("linear");
    archive
        .file("bin/run.sh", b"#!/bin/sh\n", 0o755)
        .file("notes.txt", b"n", 0o644);
    let (temp, result) = extract(&archive.gzip(), ExtractLimits::default());
    result.unwrap();
    let mode = |rel: &str| {
        std::fs::metadata(temp.path().join("staging").join(rel))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!((mode("bin/run.sh"), mode("notes.txt")), (0o755, 0o644));
}

#[test]
fn a_duplicate_file_entry_is_rejected() {
    let mut archive = ArchiveBuilder::plugin("linear");
    archive
        .file("a.txt", b"1", 0o644)
        .file("a.txt", b"2", 0o644);
    assert_eq!(
        error_text(&archive.gzip()),
        "plugin bundle tar entry `a.txt` conflicts with an earlier entry"
    );
}
