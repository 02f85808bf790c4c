//! Packing: deterministic bytes, normalised metadata, links refused, round trip through
//! extraction.

use berth_bundle::{ExtractLimits, extract_bundle, pack_plugin_dir, sha256_hex};
use flate2::read::GzDecoder;
use pretty_assertions::assert_eq;
use tempfile::TempDir;

fn write(path: &std::path::Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    #[expect(clippy::disallowed_methods, reason = "test fixture")]
    std::fs::write(path, bytes).unwrap();
}

fn sample_plugin(root: &std::path::Path) {
    write(
        &root.join(".codex-plugin/plugin.json"),
        br#"{"name":"linear"}"#,
    );
    write(&root.join("skills/b/SKILL.md"), b"b");
    write(&root.join("skills/a/SKILL.md"), b"a");
    write(&root.join("bin/run.sh"), b"#!/bin/sh\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            root.join("bin/run.sh"),
            std::fs::Permissions::from_mode(0o775),
        )
        .unwrap();
        std::fs::set_permissions(
            root.join("skills/a/SKILL.md"),
            std::fs::Permissions::from_mode(0o600),
        )
        .unwrap();
    }
}

#[test]
fn packing_the_same_tree_twice_gives_identical_bytes_and_digest() {
    let first = TempDir::new().unwrap();
    let second = TempDir::new().unwrap();
    sample_plugin(first.path());
    // Different creation order and times must not change the bytes.
    std::thread::sleep(std::time::Duration::from_millis(20));
    write(&second.path().join("bin/run.sh"), b"#!/bin/sh\n");
    sample_plugin(second.path());
    let a = pack_plugin_dir(first.path()).unwrap();
    let b = pack_plugin_dir(second.path()).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.sha256_hex, sha256_hex(&a.bytes));
    assert_eq!(a.sha256_hex.len(), 64);
}

#[test]
fn packed_entries_are_sorted_with_zero_times_owners_and_normalised_modes() {
    let temp = TempDir::new().unwrap();
    sample_plugin(temp.path());
    let packed = pack_plugin_dir(temp.path()).unwrap();
    let mut archive = tar::Archive::new(GzDecoder::new(packed.bytes.as_slice()));
    let entries: Vec<(String, u32, u64, u64, u64)> = archive
        .entries()
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            let header = entry.header();
            (
                entry.path().unwrap().to_string_lossy().into_owned(),
                header.mode().unwrap(),
                header.mtime().unwrap(),
                header.uid().unwrap(),
                header.gid().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        entries,
        vec![
            (".codex-plugin".to_owned(), 0o755, 0, 0, 0),
            (".codex-plugin/plugin.json".to_owned(), 0o644, 0, 0, 0),
            ("bin".to_owned(), 0o755, 0, 0, 0),
            ("bin/run.sh".to_owned(), 0o755, 0, 0, 0),
            ("skills".to_owned(), 0o755, 0, 0, 0),
            ("skills/a".to_owned(), 0o755, 0, 0, 0),
            ("skills/a/SKILL.md".to_owned(), 0o644, 0, 0, 0),
            ("skills/b".to_owned(), 0o755, 0, 0, 0),
            ("skills/b/SKILL.md".to_owned(), 0o644, 0, 0, 0),
        ]
    );
}

#[test]
fn a_packed_plugin_extracts_to_the_same_files() {
    let temp = TempDir::new().unwrap();
    let source = temp.path().join("src");
    sample_plugin(&source);
    let packed = pack_plugin_dir(&source).unwrap();
    let dest = temp.path().join("out");
    let extracted =
        extract_bundle(packed.bytes.as_slice(), &dest, ExtractLimits::default()).unwrap();
    assert_eq!(extracted.files, 4);
    assert_eq!(
        std::fs::read(dest.join("skills/b/SKILL.md")).unwrap(),
        b"b".to_vec()
    );
}

#[cfg(unix)]
#[test]
fn packing_refuses_a_symlink_and_names_it() {
    let temp = TempDir::new().unwrap();
    sample_plugin(temp.path());
    std::os::unix::fs::symlink("/etc/passwd", temp.path().join("link")).unwrap();
    let err = pack_plugin_dir(temp.path()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "cannot pack `{}`: symbolic links are not allowed in plugin bundles",
            temp.path().join("link").display()
        )
    );
}
