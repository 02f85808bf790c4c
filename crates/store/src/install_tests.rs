use std::path::{Path, PathBuf};

use berth_plugin::PluginId;
use pretty_assertions::assert_eq;

use super::FailPoint;
use crate::{PluginStore, StoreError};

fn write(path: &Path, contents: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    berth_fs::write_atomic(path, contents.as_bytes()).unwrap();
}

fn source(root: &Path, version: &str, marker: &str) -> PathBuf {
    let source = root.join(format!("src-{version}-{marker}"));
    write(
        &source.join(".codex-plugin/plugin.json"),
        &format!(r#"{{"name": "sample", "version": "{version}"}}"#),
    );
    write(&source.join("marker.txt"), marker);
    source
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

struct Fixture {
    dir: tempfile::TempDir,
    plugin: PluginId,
}

impl Fixture {
    /// A home with `sample@debug` 1.0.0 (marker `old`) installed and a sidecar.
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let plugin = PluginId::parse("sample@debug").unwrap();
        let store = PluginStore::try_new(dir.path()).unwrap();
        store
            .install(&source(dir.path(), "1.0.0", "old"), &plugin)
            .unwrap();
        store
            .write_remote_plugin_id(&plugin, "plugins~Plugin_sample")
            .unwrap();
        Self { dir, plugin }
    }

    fn failing_store(&self, point: FailPoint) -> PluginStore {
        let mut store = PluginStore::try_new(self.dir.path()).unwrap();
        store.fail_point = Some(point);
        store
    }

    fn assert_old_version_active(&self) {
        let store = PluginStore::try_new(self.dir.path()).unwrap();
        assert_eq!(
            names(&store.plugin_base_root(&self.plugin)),
            vec![
                ".codex-remote-plugin-install.json".to_owned(),
                "1.0.0".to_owned()
            ]
        );
        let root = store.active_plugin_root(&self.plugin).unwrap();
        assert_eq!(
            std::fs::read_to_string(root.join("marker.txt")).unwrap(),
            "old"
        );
        assert_eq!(
            store.remote_plugin_id(&self.plugin).unwrap(),
            Some("plugins~Plugin_sample".to_owned())
        );
        assert_eq!(names(&store.cache_root().join("debug")), vec!["sample"]);
    }
}

#[test]
fn upgrade_keeps_old_version_when_activation_rename_fails() {
    let fixture = Fixture::new();
    let store = fixture.failing_store(FailPoint::Activate);
    let new_source = source(fixture.dir.path(), "2.0.0", "new");
    let err = store.install(&new_source, &fixture.plugin).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "failed to activate updated plugin cache version `{}`",
            store.plugin_root(&fixture.plugin, "2.0.0").display()
        )
    );
    fixture.assert_old_version_active();
}

#[test]
fn upgrade_fails_when_a_later_old_version_cannot_be_pruned() {
    let fixture = Fixture::new();
    let store = fixture.failing_store(FailPoint::PruneOldVersion);
    let err = store
        .install(&source(fixture.dir.path(), "0.5.0", "new"), &fixture.plugin)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "failed to activate updated plugin cache version `0.5.0` while `1.0.0` remains active"
    );
    assert!(matches!(err, StoreError::OldVersionRemainsActive { .. }));
    fixture.assert_old_version_active();
}

#[test]
fn upgrade_ignores_a_prune_failure_of_an_older_version() {
    let fixture = Fixture::new();
    let store = fixture.failing_store(FailPoint::PruneOldVersion);
    store
        .install(&source(fixture.dir.path(), "2.0.0", "new"), &fixture.plugin)
        .unwrap();
    assert_eq!(
        names(&store.plugin_base_root(&fixture.plugin)),
        vec!["1.0.0".to_owned(), "2.0.0".to_owned()]
    );
    assert_eq!(
        store.active_plugin_version(&fixture.plugin),
        Some("2.0.0".to_owned())
    );
}

#[test]
fn fresh_install_leaves_nothing_when_activation_fails() {
    let dir = tempfile::tempdir().unwrap();
    let plugin = PluginId::parse("sample@debug").unwrap();
    let mut store = PluginStore::try_new(dir.path()).unwrap();
    store.fail_point = Some(FailPoint::Activate);
    store
        .install(&source(dir.path(), "1.0.0", "new"), &plugin)
        .unwrap_err();
    assert!(!store.is_installed(&plugin));
    assert_eq!(
        names(&store.cache_root().join("debug")),
        Vec::<String>::new()
    );
}

#[test]
fn two_step_swap_replaces_the_same_version() {
    let fixture = Fixture::new();
    let store = fixture.failing_store(FailPoint::NoExchange);
    store
        .install(&source(fixture.dir.path(), "1.0.0", "new"), &fixture.plugin)
        .unwrap();
    let root = store.active_plugin_root(&fixture.plugin).unwrap();
    assert_eq!(
        std::fs::read_to_string(root.join("marker.txt")).unwrap(),
        "new"
    );
    assert_eq!(store.remote_plugin_id(&fixture.plugin).unwrap(), None);
    assert_eq!(names(&store.cache_root().join("debug")), vec!["sample"]);
}

#[test]
fn same_version_reinstall_rolls_back_when_the_swap_fails() {
    let fixture = Fixture::new();
    let store = fixture.failing_store(FailPoint::SwapInstall);
    let err = store
        .install(&source(fixture.dir.path(), "1.0.0", "new"), &fixture.plugin)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "failed to activate updated plugin cache entry `{}`",
            store.plugin_base_root(&fixture.plugin).display()
        )
    );
    fixture.assert_old_version_active();
}

#[test]
fn a_failed_rollback_keeps_the_backup_and_the_next_operation_restores_it() {
    let fixture = Fixture::new();
    let store = fixture.failing_store(FailPoint::SwapInstallAndRollback);
    let err = store
        .install(&source(fixture.dir.path(), "1.0.0", "new"), &fixture.plugin)
        .unwrap_err();
    let StoreError::RollbackFailed { path, backup, .. } = &err else {
        panic!("unexpected error: {err}");
    };
    assert_eq!(
        err.to_string(),
        format!(
            "failed to activate updated plugin cache entry at `{}`; failed to restore previous cache entry (left at `{}`); move it back to restore the plugin",
            path.display(),
            backup.display()
        )
    );
    assert!(backup.join("1.0.0/marker.txt").is_file());
    assert!(!store.is_installed(&fixture.plugin));

    // The next mutation under the lock puts the backup back.
    let healthy = PluginStore::try_new(fixture.dir.path()).unwrap();
    assert_eq!(
        healthy
            .write_remote_plugin_id(&fixture.plugin, "plugins~Plugin_sample")
            .map_err(|err| err.to_string()),
        Ok(())
    );
    fixture.assert_old_version_active();
}

/// Issue 11 item F: `codex plugin add` (which takes no berth lock) moves the base root aside
/// while it swaps in its own copy; berth's swap then met a missing base root and failed with
/// "failed to activate updated plugin cache entry ...: No such file or directory".
#[test]
fn install_retries_once_when_codex_swaps_the_entry_at_the_same_time() {
    let fixture = Fixture::new();
    let mut store = PluginStore::try_new(fixture.dir.path()).unwrap();
    let base_root = store.plugin_base_root(&fixture.plugin);
    let aside = fixture.dir.path().join("codex-backup");
    let (hook_base, hook_aside) = (base_root.clone(), aside);
    store.before_activate = Some(super::ActivateHook(std::sync::Arc::new(move |attempt| {
        if attempt == 0 {
            // Codex's first rename, between berth's look at the entry and its swap: the entry
            // is away while Codex's new copy is not yet in place.
            berth_fs::rename(&hook_base, &hook_aside).unwrap();
        }
    })));
    let result = store
        .install(&source(fixture.dir.path(), "1.0.0", "new"), &fixture.plugin)
        .unwrap();
    assert_eq!(result.plugin_version, "1.0.0");
    assert_eq!(
        std::fs::read_to_string(base_root.join("1.0.0/marker.txt")).unwrap(),
        "new"
    );
    assert_eq!(names(&store.cache_root().join("debug")), ["sample"]);
}

/// Issue 11 item F: when the other program keeps changing the entry, the second failure is
/// reported as such, with what to do.
#[test]
fn install_reports_another_program_when_the_race_repeats() {
    let fixture = Fixture::new();
    let mut store = PluginStore::try_new(fixture.dir.path()).unwrap();
    let base_root = store.plugin_base_root(&fixture.plugin);
    let aside = fixture.dir.path().join("codex-backup");
    let (hook_base, hook_aside) = (base_root.clone(), aside);
    store.before_activate = Some(super::ActivateHook(std::sync::Arc::new(move |_| {
        // The entry flips between away and back each time berth has looked at it.
        if hook_base.exists() {
            berth_fs::rename(&hook_base, &hook_aside).unwrap();
        } else {
            berth_fs::rename(&hook_aside, &hook_base).unwrap();
        }
    })));
    let err = store
        .install(&source(fixture.dir.path(), "1.0.0", "new"), &fixture.plugin)
        .unwrap_err();
    assert!(
        matches!(err, StoreError::ConcurrentChange { .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "another program changed the plugin cache entry `{}` while berth was installing it (a `codex plugin add` or `remove` may be running); run the command again",
            base_root.display()
        )
    );
}
