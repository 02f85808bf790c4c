use std::path::Path;

use berth_fs::LockedFile;
use pretty_assertions::assert_eq;

use super::staging::{CLEANUP_LOCK, STAGING_DIR, staging_prefix};
use super::*;

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    berth_fs::write_atomic(path, text.as_bytes()).unwrap();
}

#[test]
fn staging_folders_use_codex_s_names_and_go_away_when_dropped() {
    let home = tempfile::tempdir().unwrap();
    let snapshots = MarketplaceSnapshots::new(home.path());
    let staging = snapshots.stage().unwrap();
    let name = staging
        .path()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(name.starts_with("marketplace-linux-"), "{name}");
    assert_eq!(entries(staging.path()), vec![".lock"]);
    assert_eq!(entries(snapshots.root()), vec![".staging", ".staging.lock"]);
    let dir = staging.path().to_path_buf();
    drop(staging);
    assert!(!dir.exists());
}

#[test]
fn cleanup_removes_only_abandoned_staging_folders() {
    let home = tempfile::tempdir().unwrap();
    let snapshots = MarketplaceSnapshots::new(home.path());
    let staging_root = snapshots.root().join(STAGING_DIR);
    let prefix = staging_prefix();
    // Killed before its `.lock` existed, killed while holding it, and some other tool's folder.
    write(
        &staging_root.join(format!("{prefix}nolock/checkout/a")),
        "a",
    );
    write(&staging_root.join(format!("{prefix}freelock/.lock")), "");
    write(&staging_root.join("someone-else/file"), "x");
    let in_use = snapshots.stage().unwrap();
    let in_use_name = in_use
        .path()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();

    assert_eq!(snapshots.clean_abandoned_staging(), 2);
    assert_eq!(entries(&staging_root), {
        let mut expected = vec![in_use_name, "someone-else".to_owned()];
        expected.sort();
        expected
    });
}

#[test]
fn cleanup_is_skipped_while_another_process_cleans_up() {
    let home = tempfile::tempdir().unwrap();
    let snapshots = MarketplaceSnapshots::new(home.path());
    let staging_root = snapshots.root().join(STAGING_DIR);
    write(
        &staging_root.join(format!("{}nolock/x", staging_prefix())),
        "x",
    );
    let _other = LockedFile::try_acquire(&snapshots.root().join(CLEANUP_LOCK), "test")
        .unwrap()
        .unwrap();
    assert_eq!(snapshots.clean_abandoned_staging(), 0);
    assert_eq!(entries(&staging_root).len(), 1);
}

#[test]
fn activation_replaces_a_snapshot_atomically_and_keeps_nothing_of_the_old_one() {
    let home = tempfile::tempdir().unwrap();
    let snapshots = MarketplaceSnapshots::new(home.path());
    let dest = snapshots.snapshot_root("gm");
    let first = snapshots.stage().unwrap();
    write(&first.checkout_path().join("one.txt"), "1");
    snapshots.activate(&first.checkout_path(), &dest).unwrap();
    drop(first);
    assert_eq!(entries(&dest), vec!["one.txt"]);

    let second = snapshots.stage().unwrap();
    write(&second.checkout_path().join("two.txt"), "2");
    snapshots.activate(&second.checkout_path(), &dest).unwrap();
    // The old snapshot now sits in the staging folder and goes with it.
    assert_eq!(entries(&second.checkout_path()), vec!["one.txt"]);
    drop(second);
    assert_eq!(entries(&dest), vec!["two.txt"]);
    assert_eq!(
        entries(&snapshots.root().join(STAGING_DIR)),
        Vec::<String>::new()
    );
}

#[test]
fn activation_through_a_backup_puts_the_old_snapshot_back_when_it_fails() {
    let home = tempfile::tempdir().unwrap();
    let snapshots = MarketplaceSnapshots::new(home.path());
    let dest = snapshots.snapshot_root("gm");
    write(&dest.join("old.txt"), "old");
    let missing = home.path().join("no-such-checkout");
    assert!(snapshots.activate_with_backup(&missing, &dest).is_err());
    assert_eq!(entries(&dest), vec!["old.txt"]);
    assert_eq!(entries(snapshots.root()), vec!["gm"]);
}

#[test]
fn removal_moves_the_snapshot_out_before_deleting_it() {
    let home = tempfile::tempdir().unwrap();
    let snapshots = MarketplaceSnapshots::new(home.path());
    write(
        &snapshots
            .snapshot_root("gm")
            .join(".agents/plugins/marketplace.json"),
        "{}",
    );
    assert!(snapshots.has_snapshot("gm"));
    assert!(snapshots.remove("gm").unwrap());
    assert!(!snapshots.snapshot_root("gm").exists());
    assert!(!snapshots.remove("gm").unwrap());
    assert_eq!(
        entries(&snapshots.root().join(STAGING_DIR)),
        Vec::<String>::new()
    );
}

#[test]
fn install_metadata_is_written_as_codex_writes_it() {
    let dir = tempfile::tempdir().unwrap();
    let source = GitMarketplaceSource {
        url: "http://127.0.0.1:1/gm.git".to_owned(),
        ref_name: None,
        sparse_paths: Vec::new(),
    };
    let metadata = InstallMetadata::new(&source, "546b04c840cbfa17858aba4383385faca4ef99e9");
    metadata.write(dir.path()).unwrap();
    // Byte for byte what Codex 0.169.0 wrote after an upgrade.
    assert_eq!(
        std::fs::read_to_string(dir.path().join(INSTALL_METADATA_FILE)).unwrap(),
        "{\n  \"source_type\": \"git\",\n  \"source\": \"http://127.0.0.1:1/gm.git\",\n  \"ref_name\": null,\n  \"sparse_paths\": [],\n  \"revision\": \"546b04c840cbfa17858aba4383385faca4ef99e9\"\n}"
    );
    assert_eq!(
        InstallMetadata::read(dir.path()).unwrap(),
        Some(metadata.clone())
    );
    assert!(metadata.is_from(&source));
    assert!(!metadata.is_from(&GitMarketplaceSource {
        ref_name: Some("v1".to_owned()),
        ..source
    }));
}
