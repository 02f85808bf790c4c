use pretty_assertions::assert_eq;

use super::*;

const BASE_URL: &str = "https://chatgpt.com/backend-api/";
const EVENTS_URL: &str = "https://chatgpt.com/backend-api/codex/analytics-events/events";

#[test]
fn analytics_destination_uses_http_without_capture_file() {
    assert_eq!(
        AnalyticsDestination::from_base_url_and_capture_file(BASE_URL, None),
        AnalyticsDestination::Http {
            url: EVENTS_URL.to_owned()
        }
    );
}

#[cfg(debug_assertions)]
#[test]
fn analytics_destination_uses_explicit_capture_file_and_creates_it_private_and_empty() {
    use std::os::unix::fs::PermissionsExt as _;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.jsonl");
    assert_eq!(
        AnalyticsDestination::from_base_url_and_capture_file(BASE_URL, Some(path.clone())),
        AnalyticsDestination::CaptureFile { path: path.clone() }
    );
    let metadata = std::fs::metadata(&path).unwrap();
    assert_eq!(metadata.len(), 0);
    assert_eq!(metadata.permissions().mode() & 0o777, 0o600);
}

#[cfg(debug_assertions)]
#[test]
fn selecting_a_capture_file_never_truncates_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.jsonl");
    crate::capture::append_line(&path, b"{\"events\":[]}").unwrap();
    AnalyticsDestination::from_base_url_and_capture_file(BASE_URL, Some(path.clone()));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "{\"events\":[]}\n");
}

#[cfg(debug_assertions)]
#[test]
fn a_capture_file_in_a_missing_folder_is_still_selected_and_the_folder_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing").join("events.jsonl");
    assert_eq!(
        AnalyticsDestination::from_base_url_and_capture_file(BASE_URL, Some(path.clone())),
        AnalyticsDestination::CaptureFile { path }
    );
    assert!(!dir.path().join("missing").exists());
}

#[cfg(not(debug_assertions))]
#[test]
fn analytics_destination_ignores_capture_file_in_release() {
    assert_eq!(
        AnalyticsDestination::from_base_url_and_capture_file(
            BASE_URL,
            Some(PathBuf::from("ignored.jsonl"))
        ),
        AnalyticsDestination::Http {
            url: EVENTS_URL.to_owned()
        }
    );
    assert!(!std::path::Path::new("ignored.jsonl").exists());
}
