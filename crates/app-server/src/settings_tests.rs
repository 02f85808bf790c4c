use pretty_assertions::assert_eq;
use serde_json::json;

use super::*;

#[test]
fn overrides_are_toml_values_and_bare_words_become_strings() {
    let parsed = parse_overrides(&[
        "model=\"m\"".to_owned(),
        "model_providers.p.request_max_retries=0".to_owned(),
        "analytics.enabled=true".to_owned(),
        "model_provider=p".to_owned(),
    ])
    .unwrap();
    assert_eq!(
        parsed,
        vec![
            ConfigOverride {
                key_path: vec!["model".to_owned()],
                value: json!("m"),
            },
            ConfigOverride {
                key_path: vec![
                    "model_providers".to_owned(),
                    "p".to_owned(),
                    "request_max_retries".to_owned()
                ],
                value: json!(0),
            },
            ConfigOverride {
                key_path: vec!["analytics".to_owned(), "enabled".to_owned()],
                value: json!(true),
            },
            ConfigOverride {
                key_path: vec!["model_provider".to_owned()],
                value: json!("p"),
            },
        ]
    );
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
fn overrides_apply_in_memory_only() {
    let dir = tempfile::tempdir().unwrap();
    let store = ConfigStore::new(dir.path());
    let overrides = parse_overrides(&["features.plugins=true".to_owned()]).unwrap();
    let config = effective_config(&store, &overrides).unwrap();
    assert_eq!(config.feature_enabled("plugins"), Some(true));
    assert!(!dir.path().join("config.toml").exists());
}

#[test]
fn the_test_user_config_file_replaces_the_home_config_in_debug_builds_only() {
    let home = ConfigStore::new("/h/.codex");
    let chosen = |value: Option<&str>| {
        user_config_store(&home, value.map(str::to_owned))
            .path()
            .to_path_buf()
    };
    let expected = if cfg!(debug_assertions) {
        PathBuf::from("/tmp/isolated.toml")
    } else {
        PathBuf::from("/h/.codex/config.toml")
    };
    assert_eq!(
        (
            chosen(None),
            chosen(Some("")),
            chosen(Some("/tmp/isolated.toml"))
        ),
        (
            PathBuf::from("/h/.codex/config.toml"),
            PathBuf::from("/h/.codex/config.toml"),
            expected
        )
    );
}
