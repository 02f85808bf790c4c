//! Installing into the cache (spec §2.4 and Codex's `store_tests.rs`).

use berth_plugin::DEFAULT_PLUGIN_VERSION;
use berth_store::PluginInstallResult;
use pretty_assertions::assert_eq;

use crate::fixture::{home, id, named_source, names, plugin_source, write};

#[test]
fn install_copies_plugin_into_default_marketplace() {
    let (dir, store) = home();
    let source = plugin_source(dir.path(), "sample-plugin", r#"{"name": "sample-plugin"}"#);
    let plugin = id("sample-plugin@debug");
    let result = store.install(&source, &plugin).unwrap();
    let installed = dir.path().join("plugins/cache/debug/sample-plugin/local");
    assert_eq!(
        result,
        PluginInstallResult {
            plugin_id: plugin,
            plugin_version: DEFAULT_PLUGIN_VERSION.to_owned(),
            installed_path: installed.clone(),
        }
    );
    assert_eq!(
        std::fs::read_to_string(installed.join(".codex-plugin/plugin.json")).unwrap(),
        r#"{"name": "sample-plugin"}"#
    );
    assert!(installed.join("skills/hello/SKILL.md").is_file());
    assert_eq!(
        names(&dir.path().join("plugins/cache/debug")),
        vec!["sample-plugin"]
    );
}

#[test]
fn install_accepts_manifest_mcp_server_objects() {
    let (dir, store) = home();
    let source = plugin_source(
        dir.path(),
        "counter",
        r#"{"name": "counter-sample", "version": "1.1.1", "mcpServers": {"counter": {"command": "counter"}}}"#,
    );
    let result = store.install(&source, &id("counter-sample@debug")).unwrap();
    assert_eq!(
        result.installed_path,
        dir.path().join("plugins/cache/debug/counter-sample/1.1.1")
    );
}

#[test]
fn install_uses_manifest_name_for_destination_and_key() {
    let (dir, store) = home();
    let source = plugin_source(dir.path(), "some-other-dir-name", r#"{"name": "sample"}"#);
    let result = store.install(&source, &id("sample@debug")).unwrap();
    assert_eq!(
        result.installed_path,
        dir.path().join("plugins/cache/debug/sample/local")
    );
    assert_eq!(result.plugin_id.as_key(), "sample@debug");
}

#[test]
fn install_with_version_uses_requested_cache_version() {
    let (dir, store) = home();
    let source = named_source(dir.path(), "sample", Some("1.0.0"));
    let result = store
        .install_with_version(&source, &id("sample@debug"), "0123456789abcdef")
        .unwrap();
    assert_eq!(result.plugin_version, "0123456789abcdef");
    assert_eq!(
        result.installed_path,
        dir.path()
            .join("plugins/cache/debug/sample/0123456789abcdef")
    );
}

#[test]
fn install_prefers_on_disk_manifest_version_over_fallback() {
    let (dir, store) = home();
    let source = named_source(dir.path(), "sample", Some("1.2.3-beta+7"));
    let result = store
        .install_with_fallback_manifest(
            &source,
            &id("sample@debug"),
            None,
            Some(r#"{"name": "sample", "version": "9.9.9"}"#),
        )
        .unwrap();
    assert_eq!(result.plugin_version, "1.2.3-beta+7");
    assert_eq!(
        std::fs::read_to_string(result.installed_path.join(".codex-plugin/plugin.json")).unwrap(),
        r#"{"name": "sample", "version": "1.2.3-beta+7"}"#
    );
}

#[test]
fn install_stages_fallback_manifest_when_source_has_no_manifest() {
    let (dir, store) = home();
    let source = dir.path().join("bare");
    write(source.join("skills/hello/SKILL.md"), "hi");
    let fallback = "{\n  \"name\": \"sample\",\n  \"version\": \"2.0.0\"\n}\n";
    let result = store
        .install_with_fallback_manifest(&source, &id("sample@debug"), None, Some(fallback))
        .unwrap();
    assert_eq!(result.plugin_version, "2.0.0");
    assert_eq!(
        std::fs::read_to_string(result.installed_path.join(".codex-plugin/plugin.json")).unwrap(),
        fallback
    );
    assert_eq!(
        names(&source),
        vec!["skills"],
        "the source is never modified"
    );
}

#[test]
fn install_rejects_blank_manifest_version() {
    let (dir, store) = home();
    let source = plugin_source(
        dir.path(),
        "sample",
        r#"{"name": "sample", "version": "   "}"#,
    );
    let err = store.install(&source, &id("sample@debug")).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "invalid plugin version in plugin.json: must not be blank (in `{}`)",
            source.join(".codex-plugin/plugin.json").display()
        )
    );
    assert!(err.is_invalid_request());
}

#[test]
fn install_without_any_manifest_reports_missing_plugin_json_first() {
    let (dir, store) = home();
    let missing = dir.path().join("does-not-exist");
    let err = store.install(&missing, &id("sample@debug")).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("missing plugin.json under `{}`", missing.display())
    );
    let err = store
        .install_with_version(&missing, &id("sample@debug"), "1.0.0")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "plugin source path is not a directory: {}",
            missing.display()
        )
    );
}

#[test]
fn install_with_version_rejects_a_source_without_manifest() {
    let (dir, store) = home();
    let source = dir.path().join("bare");
    std::fs::create_dir(&source).unwrap();
    let err = store
        .install_with_version(&source, &id("sample@debug"), "1.0.0")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("missing or invalid plugin.json in `{}`", source.display())
    );
}

#[test]
fn install_rejects_manifest_names_with_path_separators() {
    let (dir, store) = home();
    let source = plugin_source(dir.path(), "evil", r#"{"name": "../../etc"}"#);
    let err = store.install(&source, &id("sample@debug")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid plugin name: only ASCII letters, digits, `_`, and `-` are allowed"
    );
    assert_eq!(
        names(&dir.path().join("plugins/cache/debug")),
        Vec::<String>::new()
    );
}

#[test]
fn install_rejects_manifest_names_that_do_not_match_marketplace_plugin_name() {
    let (dir, store) = home();
    let source = named_source(dir.path(), "other", None);
    let err = store.install(&source, &id("sample@debug")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "plugin.json name `other` does not match marketplace plugin name `sample`"
    );
}

#[test]
fn install_rejects_invalid_requested_versions() {
    let (dir, store) = home();
    let source = named_source(dir.path(), "sample", None);
    let err = store
        .install_with_version(&source, &id("sample@debug"), "../1.2.3")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid plugin version: only ASCII letters, digits, `.`, `+`, `_`, and `-` are allowed"
    );
}

#[test]
fn install_with_new_version_keeps_existing_plugin_root_and_prunes_old_versions() {
    let (dir, store) = home();
    let plugin = id("sample@debug");
    store
        .install(&named_source(dir.path(), "sample", Some("1.0.0")), &plugin)
        .unwrap();
    let base = store.plugin_base_root(&plugin);
    write(base.join("notes.txt"), "kept");
    store
        .install(&named_source(dir.path(), "sample", Some("2.0.0")), &plugin)
        .unwrap();
    assert_eq!(names(&base), vec!["2.0.0", "notes.txt"]);
    assert_eq!(
        store.active_plugin_version(&plugin),
        Some("2.0.0".to_owned())
    );
    assert_eq!(
        names(&dir.path().join("plugins/cache/debug")),
        vec!["sample"]
    );
}

#[test]
fn downgrade_replaces_a_later_version() {
    let (dir, store) = home();
    let plugin = id("sample@debug");
    for version in ["10.0.0", "9.0.0"] {
        store
            .install(&named_source(dir.path(), "sample", Some(version)), &plugin)
            .unwrap();
    }
    assert_eq!(names(&store.plugin_base_root(&plugin)), vec!["9.0.0"]);
}

#[test]
fn same_version_reinstall_replaces_the_content() {
    let (dir, store) = home();
    let plugin = id("sample@debug");
    let source = named_source(dir.path(), "sample", Some("1.0.0"));
    write(source.join("old-only.txt"), "old");
    store.install(&source, &plugin).unwrap();
    std::fs::remove_file(source.join("old-only.txt")).unwrap();
    write(source.join("new-only.txt"), "new");
    let result = store.install(&source, &plugin).unwrap();
    assert_eq!(
        names(&result.installed_path),
        vec![".codex-plugin", "new-only.txt", "skills"]
    );
    assert_eq!(
        names(&dir.path().join("plugins/cache/debug")),
        vec!["sample"]
    );
}

#[test]
fn symlinks_in_the_source_are_skipped() {
    let (dir, store) = home();
    let source = named_source(dir.path(), "sample", None);
    write(dir.path().join("outside/secret"), "secret");
    std::os::unix::fs::symlink(dir.path().join("outside"), source.join("linked-dir")).unwrap();
    std::os::unix::fs::symlink(
        dir.path().join("outside/secret"),
        source.join("linked-file"),
    )
    .unwrap();
    let result = store.install(&source, &id("sample@debug")).unwrap();
    assert_eq!(
        names(&result.installed_path),
        vec![".codex-plugin", "skills"]
    );
}
