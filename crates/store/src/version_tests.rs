use pretty_assertions::assert_eq;

use super::{old_version_would_stay_active, select_active_version};

fn select(versions: &[&str]) -> Option<String> {
    select_active_version(versions.iter().map(|v| (*v).to_owned()))
}

#[test]
fn old_plugin_version_would_stay_active_for_local_or_later_versions() {
    assert!(old_version_would_stay_active("local", "1.0.0"));
    assert!(old_version_would_stay_active("10.0.0", "9.0.0"));
    assert!(!old_version_would_stay_active("1.0.0", "2.0.0"));
    assert!(!old_version_would_stay_active("local", "local"));
}

#[test]
fn local_wins_then_semver_then_string_order() {
    assert_eq!(select(&[]), None);
    assert_eq!(
        select(&["0123abcd", "local", "zzz"]),
        Some("local".to_owned())
    );
    assert_eq!(select(&["9.0.0", "10.0.0"]), Some("10.0.0".to_owned()));
    assert_eq!(select(&["1.0.0-beta", "1.0.0"]), Some("1.0.0".to_owned()));
    assert_eq!(
        select(&["0123456789abcdef", "fedcba9876543210"]),
        Some("fedcba9876543210".to_owned())
    );
}
