use pretty_assertions::assert_eq;
use serde_json::json;

use super::*;

const BERTH_UA: &str = "berth-test-client/0.1.0 (linux; x86_64) (berth-test-client; 0.1.0)";

#[test]
fn the_uninstalled_event_is_required_by_default_and_optional_only_on_request() {
    assert_eq!(UninstallEvent::default(), UninstallEvent::Required);
    assert!(UninstallEvent::Required.is_required());
    assert_eq!(UninstallEvent::Required.note(), None);
    assert!(!UninstallEvent::Optional.is_required());
    assert!(
        UninstallEvent::Optional
            .note()
            .unwrap()
            .starts_with("note: uninstall analytics not asserted")
    );
}

#[test]
fn probe_reads_the_user_agent_and_tolerates_a_server_without_version_output() {
    let probed = ServerIdentity::probe(
        Path::new("/nonexistent/server"),
        &json!({"userAgent": BERTH_UA}),
    );
    assert_eq!(
        probed,
        ServerIdentity {
            user_agent: BERTH_UA.to_owned(),
            version_line: String::new(),
        }
    );
    assert_eq!(
        probed.describe(),
        format!("server: unknown version (userAgent `{BERTH_UA}`)")
    );
}
