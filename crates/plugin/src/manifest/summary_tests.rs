use pretty_assertions::assert_eq;

use super::*;
use crate::AppConnectorId;
use crate::manifest::fixture::{write_file, write_manifest};

#[test]
fn summary_lists_skills_mcp_servers_and_apps_from_the_root() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_manifest(
        root,
        r#"{"name":"sample","description":"Ignored","interface":{"displayName":"Sample Plugin"}}"#,
    );
    write_file(root, "skills/x/SKILL.md", "---\nname: x\n---\n");
    write_file(
        root,
        ".mcp.json",
        r#"{"mcpServers":{"zeta":{"command":"z"},"alpha":{"command":"a"}}}"#,
    );
    write_file(
        root,
        ".app.json",
        r#"{"apps":{"a":{"id":"calendar"},"b":{"id":"calendar"},"c":{"id":"drive"}}}"#,
    );
    let id = PluginId::new("sample", "debug").unwrap();
    assert_eq!(
        plugin_capability_summary_from_root(&id, root),
        Some(PluginCapabilitySummary {
            config_name: "sample@debug".to_owned(),
            display_name: "sample".to_owned(),
            description: None,
            has_skills: true,
            mcp_server_names: vec!["alpha".to_owned(), "zeta".to_owned()],
            app_connector_ids: vec![
                AppConnectorId("calendar".to_owned()),
                AppConnectorId("drive".to_owned())
            ],
        })
    );
}

#[test]
fn summary_of_a_bare_plugin_has_no_capabilities() {
    let dir = tempfile::tempdir().unwrap();
    write_manifest(dir.path(), r#"{"name":"bare"}"#);
    let id = PluginId::new("bare", "debug").unwrap();
    assert_eq!(
        plugin_capability_summary_from_root(&id, dir.path()),
        Some(PluginCapabilitySummary {
            config_name: "bare@debug".to_owned(),
            display_name: "bare".to_owned(),
            ..PluginCapabilitySummary::default()
        })
    );
}

#[test]
fn summary_is_none_when_the_manifest_is_missing_or_invalid() {
    let dir = tempfile::tempdir().unwrap();
    let id = PluginId::new("sample", "debug").unwrap();
    assert_eq!(plugin_capability_summary_from_root(&id, dir.path()), None);
    write_manifest(dir.path(), "{not json");
    assert_eq!(plugin_capability_summary_from_root(&id, dir.path()), None);
}

#[test]
fn summary_of_the_shipped_notes_example() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/marketplace/plugins/notes");
    let id = PluginId::new("notes", "berth-examples").unwrap();
    assert_eq!(
        plugin_capability_summary_from_root(&id, &root),
        Some(PluginCapabilitySummary {
            config_name: "notes@berth-examples".to_owned(),
            display_name: "notes".to_owned(),
            description: None,
            has_skills: false,
            mcp_server_names: vec!["notes".to_owned()],
            app_connector_ids: vec![AppConnectorId("notes-app".to_owned())],
        })
    );
}
