//! Files on disk: malformed configs, symlinks, versions and optimistic concurrency.

use std::fmt::Write as _;
use std::fs;

use berth_config::{ConfigError, ConfigFile, ConfigStore, version_of};
use pretty_assertions::assert_eq;
use sha2::{Digest as _, Sha256};

use crate::{HAND_WRITTEN, write_file};

#[test]
fn a_malformed_config_fails_the_edit_and_is_left_byte_for_byte() {
    let home = tempfile::tempdir().unwrap();
    let store = ConfigStore::new(home.path());
    let broken = "model = \"o3\"\n[plugins.\"a@b\"]\nenabled = tru\n";
    write_file(store.path(), broken);
    let err = store
        .edit(|config| config.set_plugin_enabled("a@b", false))
        .unwrap_err();
    let shown = err
        .to_string()
        .replace(&home.path().display().to_string(), "[HOME]");
    insta::assert_snapshot!(shown, @"failed to parse `[HOME]/config.toml` at line 3, column 11: invalid string; expected `\"`, `'`; fix the file by hand, berth will not overwrite it");
    assert!(matches!(err, ConfigError::Parse { line: 3, .. }));
    assert_eq!(fs::read(store.path()).unwrap(), broken.as_bytes());
}

#[cfg(unix)]
#[test]
fn a_symlinked_config_is_written_through_and_stays_a_link() {
    use std::os::unix::fs::symlink;
    let home = tempfile::tempdir().unwrap();
    let dotfiles = tempfile::tempdir().unwrap();
    let target = dotfiles.path().join("codex.toml");
    write_file(&target, HAND_WRITTEN);
    let store = ConfigStore::new(home.path());
    symlink(&target, store.path()).unwrap();

    let ((), version) = store
        .edit(|config| config.set_plugin_enabled("sample@debug", true))
        .unwrap();

    assert!(
        fs::symlink_metadata(store.path())
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(fs::read_link(store.path()).unwrap(), target);
    let written = fs::read(&target).unwrap();
    assert_eq!(
        String::from_utf8(written.clone()).unwrap(),
        HAND_WRITTEN.replace("enabled=false", "enabled=true")
    );
    assert_eq!(version, version_of(&written));
}

#[cfg(unix)]
#[test]
fn a_dangling_symlink_gets_its_target_created() {
    use std::os::unix::fs::symlink;
    let home = tempfile::tempdir().unwrap();
    let store = ConfigStore::new(home.path());
    symlink("real/config.toml", store.path()).unwrap();
    store
        .edit(|config| config.set_plugin_enabled("a@b", true))
        .unwrap();
    assert!(
        fs::symlink_metadata(store.path())
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        fs::read_to_string(home.path().join("real/config.toml")).unwrap(),
        "[plugins.\"a@b\"]\nenabled = true\n"
    );
}

#[test]
fn the_version_is_sha256_of_the_file_bytes_before_and_after_an_edit() {
    let home = tempfile::tempdir().unwrap();
    let store = ConfigStore::new(home.path());
    write_file(store.path(), HAND_WRITTEN);
    let hex = |bytes: &[u8]| -> String {
        Sha256::digest(bytes)
            .iter()
            .fold(String::new(), |mut hex, b| {
                let _ = write!(hex, "{b:02x}");
                hex
            })
    };
    assert_eq!(
        store.load().unwrap().version(),
        format!("sha256:{}", hex(HAND_WRITTEN.as_bytes()))
    );
    let ((), version) = store
        .edit(|config| config.set_plugin_enabled("x@y", false))
        .unwrap();
    assert_eq!(
        version,
        format!("sha256:{}", hex(&fs::read(store.path()).unwrap()))
    );
}

#[test]
fn an_edit_that_changes_nothing_does_not_rewrite_the_file() {
    let home = tempfile::tempdir().unwrap();
    let store = ConfigStore::new(home.path());
    write_file(store.path(), HAND_WRITTEN);
    let inode_before = file_identity(store.path());
    let (changed, version) = store
        .edit(|config| {
            config.set_plugin_enabled("linear@openai-curated", true)?;
            Ok::<_, ConfigError>(config.is_modified())
        })
        .unwrap();
    assert!(!changed);
    assert_eq!(version, version_of(HAND_WRITTEN.as_bytes()));
    assert_eq!(file_identity(store.path()), inode_before);
}

#[cfg(unix)]
#[expect(clippy::unwrap_used, reason = "test helper: a failure fails the test")]
fn file_identity(path: &std::path::Path) -> u64 {
    use std::os::unix::fs::MetadataExt as _;
    fs::metadata(path).unwrap().ino()
}

#[cfg(not(unix))]
#[expect(clippy::unwrap_used, reason = "test helper: a failure fails the test")]
fn file_identity(path: &std::path::Path) -> u64 {
    fs::read(path).unwrap().len() as u64
}

#[test]
fn a_stale_expected_version_is_a_conflict_and_writes_nothing() {
    let home = tempfile::tempdir().unwrap();
    let store = ConfigStore::new(home.path());
    write_file(store.path(), HAND_WRITTEN);
    let seen = store.load().unwrap().version().to_owned();
    let ((), newer) = store
        .edit_if_version(Some(&seen), |config| config.set_plugin_enabled("a@b", true))
        .unwrap();

    let err = store
        .edit_if_version(Some(&seen), |config| config.set_plugin_enabled("c@d", true))
        .unwrap_err();

    let ConfigError::VersionConflict {
        expected, actual, ..
    } = &err
    else {
        panic!("expected a version conflict, got {err:?}");
    };
    assert_eq!((expected, actual), (&seen, &newer));
    assert_eq!(
        err.to_string(),
        format!(
            "`{}` changed since it was read (expected version `{seen}`, found `{newer}`); read it again and retry",
            store.path().display()
        )
    );
    assert_eq!(ConfigFile::load(store.path()).unwrap().version(), newer);
}
