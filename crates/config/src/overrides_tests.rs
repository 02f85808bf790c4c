use pretty_assertions::assert_eq;
use serde_json::json;

use super::*;
use crate::ConfigStore;

#[test]
fn overrides_are_toml_values_and_bare_words_become_strings() {
    let parsed = parse_overrides(&[
        "model=\"m\"".to_owned(),
        "model_providers.p.request_max_retries=0".to_owned(),
        "analytics.enabled=true".to_owned(),
        "model_provider=p".to_owned(),
    ])
    .unwrap();
    let expected = [
        (vec!["model"], json!("m")),
        (
            vec!["model_providers", "p", "request_max_retries"],
            json!(0),
        ),
        (vec!["analytics", "enabled"], json!(true)),
        (vec!["model_provider"], json!("p")),
    ]
    .map(|(key_path, value)| ConfigOverride {
        key_path: key_path.into_iter().map(str::to_owned).collect(),
        value,
    });
    assert_eq!(parsed, expected.to_vec());
}

#[test]
fn an_override_without_equals_names_the_expected_form() {
    let err = parse_overrides(&["model".to_owned()]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid config override `model`: expected `key=value` (values are TOML, e.g. `model=\"o3\"`)"
    );
}

#[test]
fn a_store_with_overrides_applies_them_to_every_load_and_never_to_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    let original = "# mine\nchatgpt_base_url = \"https://chatgpt.com/backend-api\"\n";
    berth_fs::write_atomic(&path, original.as_bytes()).unwrap();
    let store = ConfigStore::new(dir.path()).with_overrides(
        parse_overrides(&[
            "chatgpt_base_url=\"http://127.0.0.1:9/backend-api\"".to_owned(),
            "features.plugins=false".to_owned(),
        ])
        .unwrap(),
    );
    let loaded = store.load().unwrap();
    assert_eq!(
        (
            loaded.chatgpt_base_url().as_deref(),
            loaded.feature_enabled("plugins")
        ),
        (Some("http://127.0.0.1:9/backend-api"), Some(false))
    );
    // An edit works on the file as it is and writes only its own change.
    store
        .edit(|config| config.set_plugin_enabled("sample@debug", true))
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        format!("{original}\n[plugins.\"sample@debug\"]\nenabled = true\n")
    );
}
