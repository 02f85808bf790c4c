use super::*;
use pretty_assertions::assert_eq;

#[test]
fn parse_splits_on_the_last_at_sign() {
    let id = PluginId::parse("sample@test").unwrap();
    assert_eq!(id.plugin_name(), "sample");
    assert_eq!(id.marketplace_name(), "test");
    assert_eq!(id.as_key(), "sample@test");
    assert_eq!(id.to_string(), "sample@test");
}

#[test]
fn parse_rejects_keys_without_both_sides() {
    for key in ["sample", "@test", "sample@", "@"] {
        assert_eq!(
            PluginId::parse(key).unwrap_err().to_string(),
            format!("invalid plugin key `{key}`; expected <plugin>@<marketplace>")
        );
    }
}

#[test]
fn parse_rejects_path_separators_with_the_key_suffix() {
    assert_eq!(
        PluginId::parse("../../etc@debug").unwrap_err().to_string(),
        "invalid plugin name: only ASCII letters, digits, `_`, and `-` are allowed in `../../etc@debug`"
    );
    assert_eq!(
        PluginId::parse("sample@../../etc").unwrap_err().to_string(),
        "invalid marketplace name: only ASCII letters, digits, `_`, and `-` are allowed in `sample@../../etc`"
    );
    // The right split keeps every `@` but the last in the plugin name, which then fails.
    assert_eq!(
        PluginId::parse("a@b@c").unwrap_err().to_string(),
        "invalid plugin name: only ASCII letters, digits, `_`, and `-` are allowed in `a@b@c`"
    );
}

#[test]
fn new_validates_the_plugin_name_before_the_marketplace_name() {
    assert_eq!(
        PluginId::new("", "../x").unwrap_err().to_string(),
        "invalid plugin name: must not be empty"
    );
    assert_eq!(
        PluginId::new("sample", "../../etc")
            .unwrap_err()
            .to_string(),
        "invalid marketplace name: only ASCII letters, digits, `_`, and `-` are allowed"
    );
}

#[test]
fn version_segments_follow_the_directory_name_rules() {
    for ok in ["1.2.3-beta+7", "local", "0123456789abcdef", "export-backup"] {
        validate_plugin_version_segment(ok).unwrap();
    }
    assert_eq!(
        validate_plugin_version_segment("").unwrap_err().to_string(),
        "invalid plugin version: must not be empty"
    );
    for traversal in [".", ".."] {
        assert_eq!(
            validate_plugin_version_segment(traversal)
                .unwrap_err()
                .to_string(),
            "invalid plugin version: path traversal is not allowed"
        );
    }
    assert_eq!(
        validate_plugin_version_segment("../1.2.3")
            .unwrap_err()
            .to_string(),
        "invalid plugin version: only ASCII letters, digits, `.`, `+`, `_`, and `-` are allowed"
    );
}

#[test]
fn remote_plugin_ids_allow_tilde_but_not_at_or_slash() {
    assert!(is_valid_remote_plugin_id("plugins~Plugin_linear"));
    assert!(is_valid_remote_plugin_id("plugins~Plugin_0000aaaa-1"));
    for bad in ["", "linear@openai-curated-remote", "../x", "a b"] {
        assert!(!is_valid_remote_plugin_id(bad), "{bad}");
    }
    assert_eq!(
        validate_remote_plugin_id("../x").unwrap_err().to_string(),
        "invalid remote plugin id: only ASCII letters, digits, `_`, `-`, and `~` are allowed"
    );
}
