//! Representative edits of a hand-written config, snapshotted as the resulting file.

use berth_config::{ConfigStore, MergeStrategy, parse_key_path};
use insta::assert_snapshot;
use pretty_assertions::assert_eq;
use serde_json::json;

use crate::{HAND_WRITTEN, write_file};

#[expect(clippy::unwrap_used, reason = "test helper: a failure fails the test")]
/// Applies `edit` to [`HAND_WRITTEN`] on disk and returns the file's new text.
fn edited(
    edit: impl FnOnce(&mut berth_config::ConfigFile) -> Result<(), berth_config::ConfigError>,
) -> String {
    let home = tempfile::tempdir().unwrap();
    let store = ConfigStore::new(home.path());
    write_file(store.path(), HAND_WRITTEN);
    store.edit(edit).unwrap();
    std::fs::read_to_string(store.path()).unwrap()
}

/// The lines of `after` that differ from [`HAND_WRITTEN`], as a crude unified diff.
fn changed_lines(after: &str) -> Vec<String> {
    let before: Vec<&str> = HAND_WRITTEN.lines().collect();
    let after: Vec<&str> = after.lines().collect();
    let prefix = before
        .iter()
        .zip(&after)
        .take_while(|(a, b)| a == b)
        .count();
    let suffix = before[prefix..]
        .iter()
        .rev()
        .zip(after[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let removed = before[prefix..before.len() - suffix]
        .iter()
        .map(|l| format!("-{l}"));
    let added = after[prefix..after.len() - suffix]
        .iter()
        .map(|l| format!("+{l}"));
    removed.chain(added).collect()
}

#[test]
fn disabling_an_installed_plugin_changes_only_its_enabled_value() {
    let after = edited(|config| config.set_plugin_enabled("linear@openai-curated", false));
    assert_eq!(
        changed_lines(&after),
        vec!["-enabled = true", "+enabled = false"]
    );
    assert_snapshot!(after);
}

#[test]
fn enabling_a_plugin_in_a_single_quoted_table_keeps_the_quotes() {
    let after = edited(|config| config.set_plugin_enabled("sample@debug", true));
    assert_eq!(
        changed_lines(&after),
        vec!["-enabled=false", "+enabled=true"]
    );
}

#[test]
fn installing_a_new_plugin_appends_a_table_after_the_other_plugins() {
    let after = edited(|config| config.set_plugin_enabled("sample@test", true));
    assert_snapshot!(after);
}

#[test]
fn uninstalling_a_plugin_removes_its_table_and_mcp_server_overrides() {
    let after = edited(|config| config.clear_plugin("linear@openai-curated").map(|_| ()));
    assert_snapshot!(after);
}

#[test]
fn adding_and_removing_marketplaces_touches_only_their_tables() {
    let after = edited(|config| {
        config.set_marketplace("team", "local", "/srv/team market")?;
        config.remove_marketplace("debug").map(|_| ())
    });
    assert_snapshot!(after);
}

#[test]
fn a_config_value_write_with_a_nested_object_creates_standard_tables() {
    let after = edited(|config| {
        config.set_value(
            &parse_key_path("plugins.notion@openai-curated")?,
            &json!({ "enabled": true, "mcp_servers": { "notion": { "enabled": false } } }),
            MergeStrategy::Replace,
        )?;
        config.set_value(
            &parse_key_path("features")?,
            &json!({ "remote_plugin": true }),
            MergeStrategy::Upsert,
        )?;
        config.set_value(
            &parse_key_path("model")?,
            &json!(null),
            MergeStrategy::Replace,
        )
    });
    assert_snapshot!(after);
}

#[test]
fn a_replace_of_a_table_drops_keys_an_upsert_would_keep() {
    let replace = edited(|config| {
        config.set_value(
            &["features"],
            &json!({ "remote_plugin": true }),
            MergeStrategy::Replace,
        )
    });
    let upsert = edited(|config| {
        config.set_value(
            &["features"],
            &json!({ "remote_plugin": true }),
            MergeStrategy::Upsert,
        )
    });
    assert_eq!(
        (changed_lines(&replace), changed_lines(&upsert)),
        (
            vec![
                "-plugins   = true  # master switch".to_owned(),
                "+remote_plugin = true".to_owned(),
            ],
            vec!["+remote_plugin = true".to_owned()]
        )
    );
}
