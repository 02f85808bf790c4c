use std::error::Error as _;
use std::path::PathBuf;

use pretty_assertions::assert_eq;

use super::*;
use crate::manifest::fixture::{write_file, write_manifest};
use crate::manifest::model::PluginInterface;

fn load(json: &str) -> (tempfile::TempDir, LoadedManifest) {
    let dir = tempfile::tempdir().unwrap();
    write_manifest(dir.path(), json);
    let loaded = load_manifest(dir.path()).unwrap();
    (dir, loaded)
}

#[test]
fn plugin_manifest_reads_trimmed_version() {
    let (_dir, loaded) = load(r#"{"name":"sample","version":"  1.2.3  "}"#);
    assert_eq!(loaded.manifest.version.as_deref(), Some("1.2.3"));
    let (_dir, loaded) = load(r#"{"name":"sample","version":"   "}"#);
    assert_eq!(loaded.manifest.version, None);
}

#[test]
fn plugin_manifest_reads_keywords() {
    let (_dir, loaded) = load(r#"{"name":"sample","keywords":["search"," notes ","",7]}"#);
    assert_eq!(loaded.manifest.keywords, vec!["search", "notes"]);
    assert_eq!(
        loaded.warnings,
        vec!["ignoring keywords[3]: expected a string; found number"]
    );
}

#[test]
fn plugin_manifest_uses_alternate_discoverable_path() {
    let dir = tempfile::tempdir().unwrap();
    write_file(
        dir.path(),
        ".claude-plugin/plugin.json",
        r#"{"name":"claude-sample"}"#,
    );
    let loaded = load_manifest(dir.path()).unwrap();
    assert_eq!(loaded.path, dir.path().join(".claude-plugin/plugin.json"));
    assert_eq!(loaded.manifest.name, "claude-sample");
}

#[test]
fn host_and_executor_sources_parse_the_same_manifest() {
    let json = r#"{"name":"sample","version":"1.0.0","skills":"./skills",
        "interface":{"displayName":"Sample","logo":"./assets/logo.svg"}}"#;
    let dir = tempfile::tempdir().unwrap();
    write_manifest(dir.path(), json);
    let from_disk = load_manifest(dir.path()).unwrap();
    let from_text = parse_manifest_str(
        json,
        dir.path(),
        dir.path().join(".codex-plugin/plugin.json"),
    )
    .unwrap();
    assert_eq!(from_disk, from_text);
}

#[test]
fn full_manifest_is_normalised_with_paths_under_the_root() {
    let (dir, loaded) = load(
        r#"{
          "name": " sample ",
          "version": "1.2.0",
          "description": "Does things",
          "keywords": ["a"],
          "skills": ["./skills", "./more/skills"],
          "mcpServers": "./config/mcp.json",
          "apps": "./config/app.json",
          "hooks": ["./hooks/a.json", {"hooks": {}}],
          "interface": {"displayName": "Sample Plugin", "category": "Productivity"},
          "unknown": true
        }"#,
    );
    let root = dir.path();
    assert_eq!(
        loaded,
        LoadedManifest {
            manifest: PluginManifest {
                name: "sample".to_owned(),
                version: Some("1.2.0".to_owned()),
                description: Some("Does things".to_owned()),
                keywords: vec!["a".to_owned()],
                skills: Some(vec![root.join("skills"), root.join("more/skills")]),
                mcp_servers: Some(McpServersSpec::File(root.join("config/mcp.json"))),
                apps: Some(root.join("config/app.json")),
                hooks: Some(vec![
                    HooksSpec::File(root.join("hooks/a.json")),
                    HooksSpec::Inline(serde_json::json!({"hooks": {}})),
                ]),
                interface: Some(PluginInterface {
                    display_name: Some("Sample Plugin".to_owned()),
                    category: Some("Productivity".to_owned()),
                    ..PluginInterface::default()
                }),
            },
            path: root.join(".codex-plugin/plugin.json"),
            root: root.to_path_buf(),
            warnings: Vec::new(),
        }
    );
    assert_eq!(loaded.manifest.display_name(), "Sample Plugin");
}

#[test]
fn blank_name_falls_back_to_the_root_directory_name() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("my-plugin");
    write_manifest(&root, r#"{"name":"  ","interface":{"displayName":"   "}}"#);
    let loaded = load_manifest(&root).unwrap();
    assert_eq!(loaded.manifest.name, "my-plugin");
    assert_eq!(loaded.manifest.interface, None);
    assert_eq!(loaded.manifest.display_name(), "my-plugin");
}

#[test]
fn relative_root_is_made_absolute() {
    let dir = tempfile::tempdir().unwrap();
    write_manifest(dir.path(), r#"{"name":"sample"}"#);
    let relative = pathdiff(dir.path());
    let loaded = load_manifest(&relative).unwrap();
    assert!(loaded.root.is_absolute());
    assert!(loaded.path.is_absolute());
}

/// A relative spelling of `path` from the current directory (`../../tmp/x`).
fn pathdiff(path: &std::path::Path) -> PathBuf {
    let cwd = std::env::current_dir().unwrap();
    let ups = cwd.components().count() - 1;
    let mut relative = PathBuf::new();
    for _ in 0..ups {
        relative.push("..");
    }
    relative.join(path.strip_prefix("/").unwrap())
}

#[test]
fn invalid_paths_are_ignored_with_warnings() {
    let (_dir, loaded) = load(
        r#"{"name":"p",
          "skills": "skills",
          "mcpServers": "./",
          "apps": "./../app.json",
          "hooks": ["./a/../b.json", "/abs.json", ""],
          "interface": {"logo": "./a/./../logo.svg", "screenshots": ["./ok.png", "shot.png"]}}"#,
    );
    assert_eq!(loaded.manifest.skills, None);
    assert_eq!(loaded.manifest.mcp_servers, None);
    assert_eq!(loaded.manifest.apps, None);
    assert_eq!(loaded.manifest.hooks, None);
    assert_eq!(
        loaded.manifest.interface,
        Some(PluginInterface {
            screenshots: vec![loaded.root.join("ok.png")],
            ..PluginInterface::default()
        })
    );
    assert_eq!(
        loaded.warnings,
        vec![
            "ignoring skills: path must start with `./` relative to plugin root",
            "ignoring mcpServers: path must not be `./`",
            "ignoring apps: path must not contain '..'",
            "ignoring hooks: path must not contain '..'",
            "ignoring hooks: path must start with `./` relative to plugin root",
            "ignoring interface.logo: path must not contain '..'",
            "ignoring interface.screenshots: path must start with `./` relative to plugin root",
        ]
    );
}

#[test]
fn wrong_json_shapes_are_ignored_with_warnings() {
    let (_dir, loaded) = load(
        r#"{"name": 5, "description": ["x"], "keywords": "k", "skills": 1,
          "mcpServers": [], "apps": {}, "hooks": 2, "interface": "x"}"#,
    );
    assert_eq!(loaded.manifest.description, None);
    assert_eq!(loaded.manifest.keywords, Vec::<String>::new());
    assert_eq!(
        loaded.warnings,
        vec![
            "ignoring name: expected a string; found number",
            "ignoring description: expected a string; found array",
            "ignoring keywords: expected a string array; found string",
            "ignoring skills: expected a string or string array; found number",
            "ignoring mcpServers: expected a string or object; found array",
            "ignoring apps: expected a string; found object",
            "ignoring hooks: expected a string, string array, object, or object array; found number",
            "ignoring interface: expected an object; found string",
        ]
    );
}

#[test]
fn missing_manifest_is_an_error_naming_the_root() {
    let dir = tempfile::tempdir().unwrap();
    let error = load_manifest(dir.path()).unwrap_err();
    assert_eq!(error.to_string(), "missing or invalid plugin.json");
    assert_eq!(error.path(), dir.path());
    assert_eq!(
        error.source().unwrap().to_string(),
        format!(
            "no `.codex-plugin/plugin.json` or `.claude-plugin/plugin.json` under `{}`; add a manifest to the plugin",
            dir.path().display()
        )
    );
}

#[test]
fn json_syntax_error_is_an_error_with_the_parse_position() {
    let dir = tempfile::tempdir().unwrap();
    write_manifest(dir.path(), "{\"name\": \"x\",\n}");
    let error = load_manifest(dir.path()).unwrap_err();
    let manifest = dir.path().join(".codex-plugin/plugin.json");
    assert_eq!(error.to_string(), "missing or invalid plugin.json");
    assert_eq!(error.path(), manifest);
    let cause = error.source().unwrap();
    assert_eq!(
        cause.to_string(),
        format!("failed to parse plugin manifest `{}`", manifest.display())
    );
    assert_eq!(
        cause.source().unwrap().to_string(),
        "trailing comma at line 2 column 1"
    );
}

#[test]
fn non_object_manifest_and_non_string_version_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    write_manifest(dir.path(), "[]");
    assert!(matches!(
        load_manifest(dir.path()).unwrap_err().kind(),
        ManifestErrorKind::NotAnObject { .. }
    ));
    write_manifest(dir.path(), r#"{"name":"x","version":1}"#);
    let error = load_manifest(dir.path()).unwrap_err();
    assert_eq!(
        error.source().unwrap().to_string(),
        format!(
            "invalid plugin version in plugin.json: expected string (in `{}`)",
            dir.path().join(".codex-plugin/plugin.json").display()
        )
    );
}

#[test]
fn inline_mcp_servers_accept_both_shapes() {
    let (_dir, flat) = load(r#"{"name":"p","mcpServers":{"a":{"command":"x"}}}"#);
    let (_dir2, wrapped) =
        load(r#"{"name":"p","mcpServers":{"mcpServers":{"a":{"command":"x"}}}}"#);
    let expected = serde_json::json!({"a": {"command": "x"}});
    let Some(serde_json::Value::Object(expected)) = Some(expected) else {
        unreachable!()
    };
    assert_eq!(
        flat.manifest.mcp_servers,
        Some(McpServersSpec::Inline(expected.clone()))
    );
    assert_eq!(
        wrapped.manifest.mcp_servers,
        Some(McpServersSpec::Inline(expected))
    );
}
