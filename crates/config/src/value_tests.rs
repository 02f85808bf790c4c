//! Tests for `value`: generic key-path reads and writes.

use std::path::Path;

use pretty_assertions::assert_eq;
use serde_json::json;

use super::*;

fn config(text: &str) -> ConfigFile {
    ConfigFile::parse(Path::new("config.toml"), text.as_bytes().to_vec()).unwrap()
}

fn set(text: &str, key_path: &str, value: &Json, strategy: MergeStrategy) -> String {
    let mut config = config(text);
    let segments = crate::parse_key_path(key_path).unwrap();
    config.set_value(&segments, value, strategy).unwrap();
    config.render()
}

#[test]
fn a_plugin_toggle_key_path_creates_a_quoted_standard_table() {
    assert_eq!(
        set(
            "",
            "plugins.sample@debug.enabled",
            &json!(false),
            MergeStrategy::Replace
        ),
        "[plugins.\"sample@debug\"]\nenabled = false\n"
    );
}

#[test]
fn replacing_a_scalar_keeps_its_trailing_comment_and_spacing() {
    assert_eq!(
        set(
            "[plugins.\"a@b\"]\nenabled   = true   # keep me\n",
            "plugins.a@b.enabled",
            &json!(false),
            MergeStrategy::Replace
        ),
        "[plugins.\"a@b\"]\nenabled   = false   # keep me\n"
    );
}

#[test]
fn a_nested_object_becomes_standard_tables_with_arrays_inline() {
    let value = json!({
        "enabled": true,
        "mcp_servers": { "srv": { "enabled": false, "enabled_tools": ["a", "b"] } }
    });
    assert_eq!(
        set(
            "model = \"o3\"\n",
            "plugins.x@y",
            &value,
            MergeStrategy::Replace
        ),
        "model = \"o3\"\n\n[plugins.\"x@y\"]\nenabled = true\n\n[plugins.\"x@y\".mcp_servers.srv]\nenabled = false\nenabled_tools = [\"a\", \"b\"]\n"
    );
}

#[test]
fn an_array_of_objects_is_written_inline() {
    assert_eq!(
        set(
            "",
            "list",
            &json!([{ "a": 1 }, { "b": 2.5 }]),
            MergeStrategy::Replace
        ),
        "list = [{ a = 1 }, { b = 2.5 }]\n"
    );
}

#[test]
fn upsert_merges_objects_while_replace_drops_other_keys() {
    let text =
        "[marketplaces.local]\nsource_type = \"local\"\nsource = \"/old\"\nlast_updated = \"x\"\n";
    let update = json!({ "source": "/new" });
    assert_eq!(
        set(text, "marketplaces.local", &update, MergeStrategy::Upsert),
        "[marketplaces.local]\nsource_type = \"local\"\nsource = \"/new\"\nlast_updated = \"x\"\n"
    );
    assert_eq!(
        set(text, "marketplaces.local", &update, MergeStrategy::Replace),
        "[marketplaces.local]\nsource = \"/new\"\n"
    );
}

#[test]
fn a_null_member_in_an_upsert_removes_that_key() {
    assert_eq!(
        set(
            "[a]\nkeep = 1\ndrop = 2\n",
            "a",
            &json!({ "drop": null, "add": true }),
            MergeStrategy::Upsert
        ),
        "[a]\nkeep = 1\nadd = true\n"
    );
}

#[test]
fn writing_null_removes_the_key() {
    assert_eq!(
        set("a = 1\nb = 2\n", "a", &Json::Null, MergeStrategy::Replace),
        "b = 2\n"
    );
}

#[test]
fn writing_inside_an_inline_table_stays_inline() {
    assert_eq!(
        set(
            "tools = { web = true }\n",
            "tools.shell",
            &json!({ "enabled": false }),
            MergeStrategy::Replace
        ),
        "tools = { web = true , shell = { enabled = false } }\n"
    );
}

#[test]
fn upsert_into_a_scalar_replaces_it() {
    assert_eq!(
        set("a = 1\n", "a", &json!({ "b": 2 }), MergeStrategy::Upsert),
        "[a]\nb = 2\n"
    );
}

#[test]
fn a_path_through_a_scalar_is_an_error_naming_the_blocking_key() {
    let mut config = config("model = \"o3\"\n");
    let err = config
        .set_value(&["model", "name"], &json!(1), MergeStrategy::Replace)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot write `model.name` to `config.toml`: `model` is a string, not a table; remove or change it first"
    );
}

#[test]
fn null_inside_an_array_and_huge_integers_are_rejected() {
    let mut config = config("");
    let errors: Vec<String> = [json!([1, null]), json!(u64::MAX)]
        .iter()
        .map(|value| {
            config
                .set_value(&["a"], value, MergeStrategy::Replace)
                .unwrap_err()
                .to_string()
        })
        .collect();
    assert_eq!(
        errors,
        vec![
            "cannot write `a` to `config.toml`: arrays cannot contain null in TOML; remove the null element",
            "cannot write `a` to `config.toml`: integer 18446744073709551615 does not fit in TOML's signed 64-bit integers",
        ]
    );
    assert_eq!(config.render(), "");
}

#[test]
fn an_empty_key_path_is_rejected() {
    let mut config = config("");
    let err = config
        .set_value::<&str>(&[], &json!(1), MergeStrategy::Replace)
        .unwrap_err();
    assert!(matches!(
        err,
        ConfigError::InvalidKeyPath {
            problem: KeyPathProblem::Empty,
            ..
        }
    ));
}

#[test]
fn clear_value_reports_whether_something_was_removed() {
    let mut config = config("a = 1\n[t]\nb = 2\n");
    assert_eq!(
        (
            config.clear_value(&["t", "b"]).unwrap(),
            config.clear_value(&["t", "missing"]).unwrap(),
            config.clear_value(&["nope", "x"]).unwrap(),
            config.clear_value(&["a", "x"]).unwrap(),
        ),
        (true, false, false, false)
    );
    assert_eq!(config.render(), "a = 1\n[t]\n");
}

#[test]
fn get_reads_nested_values_as_json() {
    let config = config(
        "url = \"http://x\"\nwhen = 1979-05-27T07:32:00Z\n[plugins.\"a@b\"]\nenabled = false\n[plugins.\"a@b\".mcp_servers.s]\ntools = [1, 2.5, { x = true }]\n[[arr]]\nk = 1\n",
    );
    assert_eq!(
        config.get::<&str>(&[]).unwrap(),
        json!({
            "url": "http://x",
            "when": "1979-05-27T07:32:00Z",
            "plugins": { "a@b": { "enabled": false, "mcp_servers": { "s": { "tools": [1, 2.5, { "x": true }] } } } },
            "arr": [{ "k": 1 }]
        })
    );
    assert_eq!(
        config.get(&["plugins", "a@b", "enabled"]),
        Some(json!(false))
    );
    assert_eq!(config.get(&["plugins", "zzz"]), None);
    assert_eq!(config.get(&["url", "deeper"]), None);
}
