//! Issue 11 items 7 and 8: bundles a hostile service crafts, served from the loopback
//! service: a flood of tiny entries, paths nested absurdly deep, and modes with group/other
//! write, setuid and sticky bits.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;

use berth_remote::{NoProgress, RemoteError, install_remote_plugin};
use berth_store::PluginStore;
use flate2::Compression;
use flate2::write::GzEncoder;
use pretty_assertions::assert_eq;
use tar::{EntryType, Header};

use crate::service::{ALLOW_HTTP, TestService, staging_is_empty};

/// A gzip tar of a plugin root named `name` plus `extra` (path, mode, bytes) files.
fn bundle(name: &str, extra: impl IntoIterator<Item = (String, u32, Vec<u8>)>) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    let mut append = |path: &str, mode: u32, bytes: &[u8]| {
        let mut header = Header::new_gnu();
        header.set_entry_type(EntryType::Regular);
        header.set_mode(mode);
        header.set_size(bytes.len() as u64);
        builder.append_data(&mut header, path, bytes).unwrap();
    };
    append(
        ".codex-plugin/plugin.json",
        0o644,
        format!("{{\"name\":\"{name}\",\"version\":\"1.0.0\"}}").as_bytes(),
    );
    for (path, mode, bytes) in extra {
        append(&path, mode, &bytes);
    }
    let tar = builder.into_inner().unwrap();
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(&tar).unwrap();
    encoder.finish().unwrap()
}

async fn install(service: &TestService, id: &str) -> (tempfile::TempDir, Result<(), RemoteError>) {
    let temp = tempfile::tempdir().unwrap();
    let home = temp.path().join("home");
    let client = service.client(&home);
    let store = PluginStore::try_new(&home).unwrap();
    let result = install_remote_plugin(&client, &store, id, ALLOW_HTTP, &NoProgress)
        .await
        .map(|_| ());
    (temp, result)
}

fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Issue 11 item 7: 100,000 empty files from about 1 MB of gzip were all written.
#[tokio::test]
async fn a_bundle_with_a_flood_of_entries_is_refused_naming_the_limit() {
    let service = TestService::start().await;
    let files = (0..100_000).map(|index| (format!("f/{index}"), 0o644, Vec::new()));
    let id = service.publish_bundle("flood", "1.0.0", bundle("flood", files));
    let (temp, result) = install(&service, &id).await;
    let err = result.unwrap_err();
    assert_eq!(
        chain(&err),
        format!(
            "failed to extract the bundle of remote plugin `{id}`: plugin bundle has more than 20000 entries, the limit (set BERTH_MAX_BUNDLE_ENTRIES to raise it)"
        )
    );
    let home = temp.path().join("home");
    assert!(staging_is_empty(&home));
    assert!(
        !home
            .join("plugins/cache/openai-curated-remote/flood")
            .exists()
    );
}

/// Issue 11 item 7: a path hundreds of folders deep.
#[tokio::test]
async fn a_bundle_with_paths_nested_too_deep_is_refused_naming_the_limit() {
    let service = TestService::start().await;
    let deep = format!("{}file", "d/".repeat(200));
    let id = service.publish_bundle("deep", "1.0.0", bundle("deep", [(deep, 0o644, vec![1])]));
    let (temp, result) = install(&service, &id).await;
    let err = result.unwrap_err();
    let text = chain(&err);
    assert!(
        text.ends_with(
            "is 201 levels deep, more than the limit of 64 (set BERTH_MAX_BUNDLE_DEPTH to raise it)"
        ),
        "{text}"
    );
    assert!(staging_is_empty(&temp.path().join("home")));
}

/// Issue 11 item 8: modes from the tar were kept with group/other write and special bits
/// (`0o4777` became `rwxrwxrwx`); files are now 0644, or 0755 when any execute bit was set.
#[tokio::test]
async fn bundle_file_modes_are_normalised_to_0644_or_0755() {
    let service = TestService::start().await;
    let files = [
        ("setuid.sh".to_owned(), 0o4777, b"#!/bin/sh\n".to_vec()),
        ("shared.txt".to_owned(), 0o666, b"x".to_vec()),
        ("group-exec".to_owned(), 0o610, b"x".to_vec()),
        ("private.txt".to_owned(), 0o600, b"x".to_vec()),
    ];
    let id = service.publish_bundle("modes", "1.0.0", bundle("modes", files));
    let (temp, result) = install(&service, &id).await;
    result.unwrap();
    let root = temp
        .path()
        .join("home/plugins/cache/openai-curated-remote/modes/1.0.0");
    let mode = |name: &str| {
        std::fs::metadata(root.join(name))
            .unwrap()
            .permissions()
            .mode()
            & 0o7777
    };
    assert_eq!(
        [
            mode("setuid.sh"),
            mode("shared.txt"),
            mode("group-exec"),
            mode("private.txt")
        ],
        [0o755, 0o644, 0o755, 0o644]
    );
}
