use std::ffi::{OsStr, OsString};

use pretty_assertions::assert_eq;

use super::*;

#[test]
fn collection_is_on_unless_config_or_do_not_track_opts_out() {
    let mut settings = AnalyticsSettings::new("/home", "codex_cli_rs", "ua");
    assert!(settings.is_collection_enabled());
    settings.enabled = Some(true);
    assert!(settings.is_collection_enabled());
    settings.enabled = Some(false);
    assert!(!settings.is_collection_enabled());
    settings.enabled = None;
    settings.do_not_track = true;
    assert!(!settings.is_collection_enabled());
}

#[test]
fn the_events_url_trims_trailing_slashes() {
    assert_eq!(
        events_url("https://chatgpt.com/backend-api/"),
        "https://chatgpt.com/backend-api/codex/analytics-events/events"
    );
    assert_eq!(
        AnalyticsSettings::new("/h", "o", "u").events_url(),
        "https://chatgpt.com/backend-api/codex/analytics-events/events"
    );
}

#[test]
fn do_not_track_accepts_one_and_true() {
    for (value, expected) in [
        ("1", true),
        ("true", true),
        ("TRUE", true),
        (" 1 ", true),
        ("0", false),
        ("", false),
        ("no", false),
    ] {
        assert_eq!(
            is_do_not_track_value(OsStr::new(value)),
            expected,
            "{value:?}"
        );
    }
}

#[test]
fn the_user_agent_names_originator_version_and_platform() {
    assert_eq!(
        user_agent("codex_cli_rs", "0.1.0"),
        format!(
            "codex_cli_rs/0.1.0 ({}; {})",
            std::env::consts::OS,
            std::env::consts::ARCH
        )
    );
}

#[cfg(debug_assertions)]
#[test]
fn the_capture_variable_names_the_file_and_an_empty_value_is_ignored() {
    assert_eq!(
        capture_file_from_value(Some(OsString::from("/tmp/events.jsonl"))),
        Some(PathBuf::from("/tmp/events.jsonl"))
    );
    assert_eq!(capture_file_from_value(Some(OsString::new())), None);
    assert_eq!(capture_file_from_value(None), None);
}

#[cfg(not(debug_assertions))]
#[test]
fn release_builds_ignore_the_capture_variable() {
    assert_eq!(
        capture_file_from_value(Some(OsString::from("/tmp/events.jsonl"))),
        None
    );
}
