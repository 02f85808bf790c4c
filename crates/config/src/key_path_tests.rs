//! Tests for `parse_key_path`.

use pretty_assertions::assert_eq;

use super::*;

#[test]
fn a_plugin_toggle_key_splits_into_three_segments() {
    assert_eq!(
        parse_key_path("plugins.linear@openai-curated-remote.enabled").unwrap(),
        vec!["plugins", "linear@openai-curated-remote", "enabled"]
    );
}

#[test]
fn a_quoted_segment_may_contain_dots() {
    assert_eq!(
        parse_key_path("marketplaces.\"my.market\".source").unwrap(),
        vec!["marketplaces", "my.market", "source"]
    );
}

#[test]
fn a_single_key_is_one_segment() {
    assert_eq!(
        parse_key_path("chatgpt_base_url").unwrap(),
        vec!["chatgpt_base_url"]
    );
}

#[test]
fn empty_paths_and_segments_are_rejected_with_a_hint() {
    let problems: Vec<String> = ["", "plugins..enabled", ".a", "a.", "a.\"b"]
        .into_iter()
        .map(|path| parse_key_path(path).unwrap_err().to_string())
        .collect();
    assert_eq!(
        problems,
        vec![
            "invalid config key path ``: it is empty; use dot-separated keys such as `plugins.sample@debug.enabled`",
            "invalid config key path `plugins..enabled`: it has an empty segment; use dot-separated keys such as `plugins.sample@debug.enabled`",
            "invalid config key path `.a`: it has an empty segment; use dot-separated keys such as `plugins.sample@debug.enabled`",
            "invalid config key path `a.`: it has an empty segment; use dot-separated keys such as `plugins.sample@debug.enabled`",
            "invalid config key path `a.\"b`: it has an unterminated quote",
        ]
    );
}
