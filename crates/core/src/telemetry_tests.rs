use std::collections::HashMap;
use std::path::Path;

use berth_plugin::{PluginCapabilitySummary, PluginId, PluginTelemetryMetadata};
use berth_test_support::write;
use pretty_assertions::assert_eq;

use crate::{ManagerOptions, PluginsManager};

fn manager(codex_home: &Path) -> PluginsManager {
    PluginsManager::new(ManagerOptions {
        codex_home: codex_home.to_path_buf(),
        home_dir: None,
    })
    .unwrap()
}

/// Installs a plugin with one skill straight into the cache.
fn cache_plugin(manager: &PluginsManager, source_root: &Path, id: &PluginId) {
    let source = source_root.join(id.plugin_name());
    write(
        &source.join(".codex-plugin/plugin.json"),
        &format!(r#"{{"name":"{}"}}"#, id.plugin_name()),
    );
    write(
        &source.join("skills/hello/SKILL.md"),
        "---\nname: hello\n---\nhi\n",
    );
    manager.store().install(&source, id).unwrap();
}

fn sample_summary(key: &str, name: &str) -> PluginCapabilitySummary {
    PluginCapabilitySummary {
        config_name: key.to_owned(),
        display_name: name.to_owned(),
        description: None,
        has_skills: true,
        mcp_server_names: Vec::new(),
        app_connector_ids: Vec::new(),
    }
}

#[test]
fn installed_plugin_telemetry_metadata_collects_capabilities() {
    let dir = tempfile::tempdir().unwrap();
    let manager = manager(&dir.path().join("codex"));
    let id = PluginId::parse("sample@test").unwrap();
    cache_plugin(&manager, dir.path(), &id);
    assert_eq!(
        manager.telemetry_metadata_for_installed_plugin(&id),
        PluginTelemetryMetadata {
            plugin_id: id,
            remote_plugin_id: None,
            capability_summary: Some(sample_summary("sample@test", "sample")),
        }
    );
}

#[test]
fn installed_plugin_telemetry_metadata_accepts_authoritative_remote_identity() {
    let dir = tempfile::tempdir().unwrap();
    let manager = manager(&dir.path().join("codex"));
    let id = PluginId::parse("linear@openai-curated-remote").unwrap();
    assert_eq!(
        manager
            .telemetry_metadata_for_installed_plugin_with_remote_id(&id, "plugins~Plugin_linear"),
        PluginTelemetryMetadata {
            plugin_id: id,
            remote_plugin_id: Some("plugins~Plugin_linear".to_owned()),
            capability_summary: None,
        }
    );
}

#[test]
fn capability_summary_telemetry_metadata_uses_local_identity() {
    let dir = tempfile::tempdir().unwrap();
    let manager = manager(&dir.path().join("codex"));
    let summary = sample_summary("sample@test", "Sample");
    assert_eq!(
        manager.telemetry_metadata_for_capability_summary(&summary),
        Some(PluginTelemetryMetadata {
            plugin_id: PluginId::parse("sample@test").unwrap(),
            remote_plugin_id: None,
            capability_summary: Some(summary),
        })
    );
    let unparsable = sample_summary("not a key", "x");
    assert_eq!(
        manager.telemetry_metadata_for_capability_summary(&unparsable),
        None
    );
}

#[test]
fn installed_plugin_telemetry_metadata_resolves_persisted_remote_identity() {
    let dir = tempfile::tempdir().unwrap();
    let manager = manager(&dir.path().join("codex"));
    let id = PluginId::parse("linear@openai-curated-remote").unwrap();
    cache_plugin(&manager, dir.path(), &id);
    manager
        .store()
        .write_remote_plugin_id(&id, "plugins~Plugin_linear")
        .unwrap();
    let metadata = manager.telemetry_metadata_for_installed_plugin(&id);
    assert_eq!(
        metadata.remote_plugin_id.as_deref(),
        Some("plugins~Plugin_linear")
    );
    assert_eq!(
        metadata.capability_summary,
        Some(sample_summary("linear@openai-curated-remote", "linear"))
    );
    let summary = sample_summary("linear@openai-curated-remote", "Linear");
    assert_eq!(
        manager
            .telemetry_metadata_for_capability_summary(&summary)
            .unwrap()
            .remote_plugin_id
            .as_deref(),
        Some("plugins~Plugin_linear")
    );
}

#[test]
fn installed_plugin_telemetry_metadata_prefers_remote_snapshot_identity() {
    let dir = tempfile::tempdir().unwrap();
    let manager = manager(&dir.path().join("codex"));
    let id = PluginId::parse("linear@openai-curated-remote").unwrap();
    cache_plugin(&manager, dir.path(), &id);
    manager
        .store()
        .write_remote_plugin_id(&id, "plugins~Plugin_stale")
        .unwrap();
    manager.set_remote_installed_snapshot(Some(HashMap::from([(
        id.clone(),
        "plugins~Plugin_fresh".to_owned(),
    )])));
    assert_eq!(
        manager
            .telemetry_metadata_for_plugin_id(&id)
            .remote_plugin_id
            .as_deref(),
        Some("plugins~Plugin_fresh")
    );
    manager.set_remote_installed_snapshot(None);
    assert_eq!(
        manager
            .telemetry_metadata_for_plugin_id(&id)
            .remote_plugin_id
            .as_deref(),
        Some("plugins~Plugin_stale")
    );
}

#[test]
fn plugin_telemetry_ignores_local_marketplace_sidecars() {
    let dir = tempfile::tempdir().unwrap();
    let manager = manager(&dir.path().join("codex"));
    let id = PluginId::parse("sample@debug").unwrap();
    cache_plugin(&manager, dir.path(), &id);
    manager
        .store()
        .write_remote_plugin_id(&id, "plugins~Plugin_sample")
        .unwrap();
    assert_eq!(
        manager
            .telemetry_metadata_for_installed_plugin(&id)
            .remote_plugin_id,
        None
    );
}

#[test]
fn unreadable_sidecar_reports_no_remote_id_instead_of_failing() {
    let dir = tempfile::tempdir().unwrap();
    let manager = manager(&dir.path().join("codex"));
    let id = PluginId::parse("linear@openai-curated-remote").unwrap();
    cache_plugin(&manager, dir.path(), &id);
    write(
        &manager
            .store()
            .plugin_base_root(&id)
            .join(".codex-remote-plugin-install.json"),
        "{\"schema_version\": 2, \"remote_plugin_id\": \"x\"}",
    );
    let metadata = manager.telemetry_metadata_for_installed_plugin(&id);
    assert_eq!(metadata.remote_plugin_id, None);
    assert!(metadata.capability_summary.is_some());
}
