//! Store roots, derived paths and active version selection (spec §2.1–2.3).

use std::path::Path;

use berth_plugin::PluginId;
use berth_store::{InstalledPlugin, PluginStore, StoreError};
use pretty_assertions::assert_eq;

use crate::fixture::{home, id};

#[test]
fn try_new_rejects_relative_codex_home() {
    let err = PluginStore::try_new(Path::new("relative")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "failed to resolve plugin cache root: path is not absolute: relative/plugins/cache"
    );
    assert!(matches!(err, StoreError::RelativeCodexHome { .. }));
}

#[test]
fn plugin_root_derives_path_from_key_and_version() {
    let (dir, store) = home();
    assert_eq!(store.codex_home(), dir.path());
    assert_eq!(store.cache_root(), dir.path().join("plugins/cache"));
    assert_eq!(
        store.plugin_root(&id("sample@debug"), "local"),
        dir.path().join("plugins/cache/debug/sample/local")
    );
    assert_eq!(
        store.plugin_base_root(&id("sample@debug")),
        dir.path().join("plugins/cache/debug/sample")
    );
}

#[test]
fn plugin_data_root_derives_path_from_key() {
    let (dir, store) = home();
    assert_eq!(
        store.plugin_data_root(&id("sample@debug")),
        dir.path().join("plugins/data/sample-debug")
    );
}

#[test]
fn plugin_root_rejects_path_separators_in_key_segments() {
    assert_eq!(
        PluginId::parse("../../etc@debug").unwrap_err().to_string(),
        "invalid plugin name: only ASCII letters, digits, `_`, and `-` are allowed in `../../etc@debug`"
    );
    assert_eq!(
        PluginId::parse("sample@../../etc").unwrap_err().to_string(),
        "invalid marketplace name: only ASCII letters, digits, `_`, and `-` are allowed in `sample@../../etc`"
    );
}

#[test]
fn install_rejects_marketplace_names_with_path_separators() {
    assert_eq!(
        PluginId::new("sample", "../../etc")
            .unwrap_err()
            .to_string(),
        "invalid marketplace name: only ASCII letters, digits, `_`, and `-` are allowed"
    );
}

fn make_versions(store: &PluginStore, key: &str, versions: &[&str]) {
    for version in versions {
        std::fs::create_dir_all(store.plugin_root(&id(key), version)).unwrap();
    }
}

#[test]
fn active_plugin_version_reads_version_directory_name() {
    let (_dir, store) = home();
    let plugin = id("sample@debug");
    assert_eq!(store.active_plugin_version(&plugin), None);
    assert!(!store.is_installed(&plugin));
    make_versions(&store, "sample@debug", &["local"]);
    assert_eq!(
        store.active_plugin_version(&plugin),
        Some("local".to_owned())
    );
    assert_eq!(
        store.active_plugin_root(&plugin),
        Some(store.plugin_root(&plugin, "local"))
    );
    assert!(store.is_installed(&plugin));
}

#[test]
fn active_plugin_version_prefers_default_local_version_when_multiple_versions_exist() {
    let (_dir, store) = home();
    make_versions(&store, "sample@debug", &["0123456789abcdef", "local"]);
    assert_eq!(
        store.active_plugin_version(&id("sample@debug")),
        Some("local".to_owned())
    );
}

#[test]
fn active_plugin_version_returns_latest_version_when_default_is_missing() {
    let (_dir, store) = home();
    make_versions(
        &store,
        "sample@debug",
        &["0123456789abcdef", "fedcba9876543210"],
    );
    assert_eq!(
        store.active_plugin_version(&id("sample@debug")),
        Some("fedcba9876543210".to_owned())
    );
}

#[test]
fn active_plugin_version_compares_semver_versions_semantically() {
    let (_dir, store) = home();
    make_versions(&store, "sample@debug", &["9.0.0", "10.0.0"]);
    assert_eq!(
        store.active_plugin_version(&id("sample@debug")),
        Some("10.0.0".to_owned())
    );
}

#[test]
fn active_plugin_version_ignores_files_invalid_names_and_symlinks() {
    let (dir, store) = home();
    let base = store.plugin_base_root(&id("sample@debug"));
    std::fs::create_dir_all(base.join("has space")).unwrap();
    crate::fixture::write(base.join("1.0.0"), "a file, not a version dir");
    crate::fixture::write(base.join(".codex-remote-plugin-install.json"), "{}");
    std::os::unix::fs::symlink(dir.path(), base.join("9.9.9")).unwrap();
    assert_eq!(store.active_plugin_version(&id("sample@debug")), None);
}

#[test]
fn installed_plugins_lists_every_plugin_with_its_active_version() {
    let (_dir, store) = home();
    assert_eq!(store.installed_plugins().unwrap(), vec![]);
    make_versions(&store, "zeta@debug", &["1.0.0", "2.0.0"]);
    make_versions(&store, "alpha@market", &["local"]);
    std::fs::create_dir_all(store.plugin_base_root(&id("empty@debug"))).unwrap();
    std::fs::create_dir_all(
        store
            .cache_root()
            .join("debug/plugin-install-zeta.abc123/zeta/3.0.0"),
    )
    .unwrap();
    std::fs::create_dir_all(store.cache_root().join(".berth-locks/debug")).unwrap();
    std::fs::create_dir_all(store.cache_root().join("bad.market/x/1.0.0")).unwrap();
    let expected = vec![
        InstalledPlugin {
            id: id("alpha@market"),
            version: "local".to_owned(),
            root: store.plugin_root(&id("alpha@market"), "local"),
        },
        InstalledPlugin {
            id: id("zeta@debug"),
            version: "2.0.0".to_owned(),
            root: store.plugin_root(&id("zeta@debug"), "2.0.0"),
        },
    ];
    assert_eq!(store.installed_plugins().unwrap(), expected);
}

#[test]
fn installed_plugins_lists_every_plugin_of_a_large_home_once_at_its_active_version() {
    let (_dir, store) = home();
    for n in 0..200 {
        make_versions(
            &store,
            &format!("plugin-{n}@market-{}", n % 7),
            &["1.0.0", "1.2.0"],
        );
    }
    let installed = store.installed_plugins().unwrap();
    assert_eq!(installed.len(), 200);
    assert!(installed.iter().all(|plugin| plugin.version == "1.2.0"));
}
