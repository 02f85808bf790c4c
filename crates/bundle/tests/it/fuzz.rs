//! Property-based fuzzing of the extractor (issue 11 "Proof"): archives built from random
//! entries (hostile names with `..`, absolute paths, deep nesting, links, devices, duplicates,
//! any mode) and random corruptions of valid archives. Whatever the input, extraction never
//! panics, never writes outside its destination, fails only with a typed [`BundleError`], and
//! leaves only files of mode 0644 or 0755. Case counts are bounded for CI.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use berth_bundle::{BundleError, ExtractLimits, extract_bundle};
use flate2::Compression;
use flate2::write::GzEncoder;
use proptest::prelude::*;
use tar::{EntryType, Header};

/// One path component, hostile ones included.
fn component() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-z]{1,6}",
        1 => Just("..".to_owned()),
        1 => Just(".".to_owned()),
        1 => Just(".codex-plugin".to_owned()),
        1 => Just("plugin.json".to_owned()),
    ]
}

/// A raw entry name: components joined by `/`, sometimes absolute.
fn entry_name() -> impl Strategy<Value = String> {
    (any::<bool>(), prop::collection::vec(component(), 1..8)).prop_map(|(absolute, parts)| {
        let joined = parts.join("/");
        if absolute {
            format!("/{joined}")
        } else {
            joined
        }
    })
}

fn entry_type() -> impl Strategy<Value = EntryType> {
    prop_oneof![
        6 => Just(EntryType::Regular),
        3 => Just(EntryType::Directory),
        1 => Just(EntryType::Symlink),
        1 => Just(EntryType::Link),
        1 => Just(EntryType::Fifo),
        1 => Just(EntryType::Char),
    ]
}

#[derive(Debug, Clone)]
struct Entry {
    name: String,
    kind: EntryType,
    mode: u32,
    data: Vec<u8>,
}

fn entry() -> impl Strategy<Value = Entry> {
    (
        entry_name(),
        entry_type(),
        0u32..0o10000,
        prop::collection::vec(any::<u8>(), 0..64),
    )
        .prop_map(|(name, kind, mode, data)| Entry {
            name,
            kind,
            mode,
            data,
        })
}

/// A gzip tar of `entries`, names written verbatim (no validation by the builder), optionally
/// after a valid plugin manifest.
fn archive(entries: &[Entry], with_manifest: bool) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    if with_manifest {
        let manifest = br#"{"name":"fuzz"}"#;
        let mut header = Header::new_gnu();
        header.set_entry_type(EntryType::Regular);
        header.set_mode(0o644);
        header.set_size(manifest.len() as u64);
        builder
            .append_data(&mut header, ".codex-plugin/plugin.json", &manifest[..])
            .unwrap();
    }
    for entry in entries {
        let mut header = Header::new_old();
        let name = entry.name.as_bytes();
        let raw = &mut header.as_old_mut().name;
        let len = name.len().min(raw.len());
        raw[..len].copy_from_slice(&name[..len]);
        header.set_entry_type(entry.kind);
        header.set_mode(entry.mode);
        let data: &[u8] = if entry.kind == EntryType::Regular {
            &entry.data
        } else {
            &[]
        };
        if matches!(entry.kind, EntryType::Symlink | EntryType::Link) {
            let link = b"../../outside";
            header.as_old_mut().linkname[..link.len()].copy_from_slice(link);
        }
        header.set_size(data.len() as u64);
        header.set_cksum();
        builder.append(&header, data).unwrap();
    }
    let tar = builder.into_inner().unwrap();
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    encoder.write_all(&tar).unwrap();
    encoder.finish().unwrap()
}

/// Extracts `bytes` into `<temp>/dest` and checks the invariants; returns the error, if any.
fn check_extraction(bytes: &[u8]) -> Result<(), TestCaseError> {
    let temp = tempfile::tempdir().unwrap();
    let dest = temp.path().join("dest");
    let limits = ExtractLimits {
        max_total_bytes: 64 * 1024,
        max_entries: 64,
        max_depth: 6,
    };
    let result = extract_bundle(bytes, &dest, limits);
    if let Err(err) = &result {
        // Typed, with a message (the Display impl must not panic either).
        prop_assert!(!err.to_string().is_empty());
        let _: &BundleError = err;
    }
    // Nothing outside `dest`: the temp folder holds `dest` alone.
    let top: Vec<_> = std::fs::read_dir(temp.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    prop_assert_eq!(top, vec![std::ffi::OsString::from("dest")]);
    check_tree(&dest)
}

/// Every entry under `dir` is a folder or a regular file of mode 0644 or 0755.
fn check_tree(dir: &Path) -> Result<(), TestCaseError> {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let meta = std::fs::symlink_metadata(entry.path()).unwrap();
            if meta.is_dir() {
                stack.push(entry.path());
            } else {
                prop_assert!(
                    meta.is_file(),
                    "{} is not a regular file",
                    entry.path().display()
                );
                let mode = meta.permissions().mode() & 0o7777;
                prop_assert!(mode == 0o644 || mode == 0o755, "mode {mode:o}");
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_archives_extract_safely(
        entries in prop::collection::vec(entry(), 0..12),
        with_manifest in any::<bool>(),
    ) {
        check_extraction(&archive(&entries, with_manifest))?;
    }

    #[test]
    fn corrupted_archives_fail_cleanly(
        entries in prop::collection::vec(entry(), 0..6),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let mut bytes = archive(&entries, true);
        for (index, value) in flips {
            let at = index.index(bytes.len());
            bytes[at] ^= value;
        }
        if truncate {
            bytes.truncate(cut.index(bytes.len()));
        }
        check_extraction(&bytes)?;
    }
}
