//! Uninstall (spec §2.5): removes the base root, never anything outside the cache.

use std::os::unix::fs::symlink;
use std::path::Path;

use pretty_assertions::assert_eq;

use crate::fixture::{home, id, named_source, names, write};

fn outside_victim(dir: &Path) -> std::path::PathBuf {
    let victim = dir.join("outside");
    write(
        victim.join("sample/local/.codex-plugin/plugin.json"),
        r#"{"name": "sample"}"#,
    );
    write(victim.join("keep.txt"), "precious");
    victim
}

#[test]
fn uninstall_removes_every_version_and_the_sidecar() {
    let (dir, store) = home();
    let plugin = id("sample@debug");
    store
        .install(&named_source(dir.path(), "sample", None), &plugin)
        .unwrap();
    store
        .write_remote_plugin_id(&plugin, "plugins~Plugin_sample")
        .unwrap();
    std::fs::create_dir_all(store.plugin_root(&plugin, "0.9.0")).unwrap();
    assert!(store.uninstall(&plugin).unwrap());
    assert!(!store.is_installed(&plugin));
    assert_eq!(
        names(&dir.path().join("plugins/cache/debug")),
        Vec::<String>::new()
    );
    assert!(!store.uninstall(&plugin).unwrap());
}

#[test]
fn uninstall_of_a_missing_plugin_removes_nothing() {
    let (_dir, store) = home();
    assert!(!store.uninstall(&id("sample@debug")).unwrap());
}

#[test]
fn uninstall_removes_a_stray_file_at_the_base_root() {
    let (_dir, store) = home();
    let plugin = id("sample@debug");
    write(store.plugin_base_root(&plugin), "junk");
    assert!(store.uninstall(&plugin).unwrap());
    assert!(!store.plugin_base_root(&plugin).exists());
}

#[test]
fn uninstall_of_a_symlinked_plugin_dir_only_removes_the_link() {
    let (dir, store) = home();
    let plugin = id("sample@debug");
    let victim = outside_victim(dir.path());
    std::fs::create_dir_all(store.cache_root().join("debug")).unwrap();
    symlink(victim.join("sample"), store.plugin_base_root(&plugin)).unwrap();
    assert!(store.uninstall(&plugin).unwrap());
    assert!(std::fs::symlink_metadata(store.plugin_base_root(&plugin)).is_err());
    assert_eq!(names(&victim), vec!["keep.txt", "sample"]);
    assert_eq!(names(&victim.join("sample")), vec!["local"]);
}

#[test]
fn uninstall_through_a_symlinked_marketplace_dir_deletes_nothing_outside() {
    let (dir, store) = home();
    let plugin = id("sample@debug");
    let victim = outside_victim(dir.path());
    std::fs::create_dir_all(store.cache_root()).unwrap();
    symlink(&victim, store.cache_root().join("debug")).unwrap();
    let err = store.uninstall(&plugin).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "plugin cache directory `{}` is a symlink; berth will not write through it (remove the link and retry)",
            store.cache_root().join("debug").display()
        )
    );
    assert_eq!(names(&victim), vec!["keep.txt", "sample"]);
    assert_eq!(names(&victim.join("sample/local")), vec![".codex-plugin"]);
}

#[test]
fn install_refuses_to_write_through_a_symlinked_marketplace_dir() {
    let (dir, store) = home();
    let plugin = id("sample@debug");
    let victim = outside_victim(dir.path());
    std::fs::create_dir_all(store.cache_root()).unwrap();
    symlink(&victim, store.cache_root().join("debug")).unwrap();
    let source = named_source(dir.path(), "sample", Some("2.0.0"));
    assert!(store.install(&source, &plugin).is_err());
    assert_eq!(names(&victim), vec!["keep.txt", "sample"]);
    assert_eq!(names(&victim.join("sample")), vec!["local"]);
}
