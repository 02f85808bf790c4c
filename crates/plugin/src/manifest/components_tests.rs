use std::collections::BTreeMap;

use pretty_assertions::assert_eq;
use serde_json::json;

use crate::AppConnectorId;
use crate::manifest::fixture::{write_file, write_manifest};
use crate::manifest::{PluginHook, WithWarnings, load_manifest};

#[test]
fn mcp_servers_come_from_the_default_file_sorted_by_name() {
    let dir = tempfile::tempdir().unwrap();
    write_manifest(dir.path(), r#"{"name":"p"}"#);
    write_file(
        dir.path(),
        ".mcp.json",
        r#"{"mcpServers":{"zeta":{"command":"z"},"alpha":{"type":"http","url":"https://x/mcp"},"bad":3}}"#,
    );
    let servers = load_manifest(dir.path()).unwrap().mcp_servers();
    assert_eq!(
        servers,
        WithWarnings {
            value: BTreeMap::from([
                (
                    "alpha".to_owned(),
                    json!({"type":"http","url":"https://x/mcp"})
                ),
                ("zeta".to_owned(), json!({"command":"z"})),
            ]),
            warnings: vec![
                "ignoring MCP server `bad`: expected an object; found number".to_owned()
            ],
        }
    );
}

#[test]
fn declared_mcp_file_replaces_the_default_and_inline_servers_need_no_file() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), ".mcp.json", r#"{"mcpServers":{"default":{}}}"#);
    write_file(
        dir.path(),
        "config/mcp.json",
        r#"{"mcpServers":{"declared":{}}}"#,
    );
    write_manifest(
        dir.path(),
        r#"{"name":"p","mcpServers":"./config/mcp.json"}"#,
    );
    let names: Vec<String> = load_manifest(dir.path())
        .unwrap()
        .mcp_servers()
        .value
        .into_keys()
        .collect();
    assert_eq!(names, vec!["declared"]);

    write_manifest(
        dir.path(),
        r#"{"name":"p","mcpServers":{"b":{"command":"b"},"a":{"command":"a"}}}"#,
    );
    let names: Vec<String> = load_manifest(dir.path())
        .unwrap()
        .mcp_servers()
        .value
        .into_keys()
        .collect();
    assert_eq!(names, vec!["a", "b"]);
}

#[test]
fn missing_declared_mcp_file_and_bad_shapes_are_warnings() {
    let dir = tempfile::tempdir().unwrap();
    write_manifest(dir.path(), r#"{"name":"p","mcpServers":"./nope.json"}"#);
    let servers = load_manifest(dir.path()).unwrap().mcp_servers();
    assert_eq!(servers.value, BTreeMap::new());
    assert_eq!(servers.warnings.len(), 1);
    assert!(servers.warnings[0].starts_with(&format!(
        "failed to read `{}`",
        dir.path().join("nope.json").display()
    )));

    write_manifest(dir.path(), r#"{"name":"p"}"#);
    write_file(dir.path(), ".mcp.json", r#"{"servers":{}}"#);
    assert_eq!(
        load_manifest(dir.path()).unwrap().mcp_servers().warnings,
        vec![format!(
            "ignoring MCP config `{}`: expected an `mcpServers` object",
            dir.path().join(".mcp.json").display()
        )]
    );

    write_file(dir.path(), ".mcp.json", "{");
    assert_eq!(
        load_manifest(dir.path()).unwrap().mcp_servers().warnings,
        vec![format!(
            "failed to parse `{}`: EOF while parsing an object at line 1 column 1",
            dir.path().join(".mcp.json").display()
        )]
    );
}

#[test]
fn app_ids_drop_blanks_and_duplicates_keeping_declaration_order() {
    let dir = tempfile::tempdir().unwrap();
    write_manifest(dir.path(), r#"{"name":"p"}"#);
    write_file(
        dir.path(),
        ".app.json",
        r#"{"apps":{"z":{"id":"zeta"},"blank":{"id":"  "},"a":{"id":"alpha"},"again":{"id":"zeta"},"none":{}}}"#,
    );
    assert_eq!(
        load_manifest(dir.path()).unwrap().app_connector_ids(),
        WithWarnings {
            value: vec![
                AppConnectorId("zeta".to_owned()),
                AppConnectorId("alpha".to_owned())
            ],
            warnings: vec![
                "ignoring app `blank`: id must not be blank".to_owned(),
                "ignoring app `none`: id must not be blank".to_owned(),
            ],
        }
    );
}

#[test]
fn apps_come_from_the_declared_file() {
    let dir = tempfile::tempdir().unwrap();
    write_manifest(dir.path(), r#"{"name":"p","apps":"./config/apps.json"}"#);
    write_file(
        dir.path(),
        ".app.json",
        r#"{"apps":{"d":{"id":"default"}}}"#,
    );
    write_file(
        dir.path(),
        "config/apps.json",
        r#"{"apps":{"c":{"id":"calendar"}}}"#,
    );
    assert_eq!(
        load_manifest(dir.path()).unwrap().app_connector_ids().value,
        vec![AppConnectorId("calendar".to_owned())]
    );
}

#[test]
fn no_component_files_means_no_components_and_no_warnings() {
    let dir = tempfile::tempdir().unwrap();
    write_manifest(dir.path(), r#"{"name":"p"}"#);
    let loaded = load_manifest(dir.path()).unwrap();
    assert_eq!(loaded.mcp_servers(), WithWarnings::default());
    assert_eq!(loaded.app_connector_ids(), WithWarnings::default());
    assert_eq!(loaded.hooks(), WithWarnings::default());
}

#[test]
fn hooks_from_the_default_file_are_keyed_by_file_event_and_index() {
    let dir = tempfile::tempdir().unwrap();
    write_manifest(dir.path(), r#"{"name":"p"}"#);
    write_file(
        dir.path(),
        "hooks/hooks.json",
        r#"{"hooks":{
            "PreToolUse":[{"matcher":"Bash","hooks":[{"type":"command","command":"a"}]},{"hooks":[]}],
            "SessionStart":[{"hooks":[{"type":"command","command":"b"}]}],
            "Stop":"not-a-list"}}"#,
    );
    let hook = |key: &str, event_name: &str| PluginHook {
        key: key.to_owned(),
        event_name: event_name.to_owned(),
    };
    assert_eq!(
        load_manifest(dir.path()).unwrap().hooks(),
        WithWarnings {
            value: vec![
                hook("hooks/hooks.json:PreToolUse:0", "PreToolUse"),
                hook("hooks/hooks.json:PreToolUse:1", "PreToolUse"),
                hook("hooks/hooks.json:SessionStart:0", "SessionStart"),
            ],
            warnings: vec![
                "ignoring hooks for `Stop` in `hooks/hooks.json`: expected an array; found string"
                    .to_owned()
            ],
        }
    );
}

#[test]
fn declared_hooks_mix_files_and_inline_objects() {
    let dir = tempfile::tempdir().unwrap();
    write_manifest(
        dir.path(),
        r#"{"name":"p","hooks":["./extra/h.json",{"hooks":{"Stop":[{}]}},{"hooks":{}}]}"#,
    );
    write_file(
        dir.path(),
        "hooks/hooks.json",
        r#"{"hooks":{"Ignored":[{}]}}"#,
    );
    write_file(
        dir.path(),
        "extra/h.json",
        r#"{"hooks":{"PostToolUse":[{}]}}"#,
    );
    let hooks: Vec<(String, String)> = load_manifest(dir.path())
        .unwrap()
        .hooks()
        .value
        .into_iter()
        .map(|hook| (hook.key, hook.event_name))
        .collect();
    assert_eq!(
        hooks,
        vec![
            (
                "extra/h.json:PostToolUse:0".to_owned(),
                "PostToolUse".to_owned()
            ),
            ("inline[1]:Stop:0".to_owned(), "Stop".to_owned()),
        ]
    );
}
