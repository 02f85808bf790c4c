use berth_service_protocol::{DirectoryItem, Release, Scope};
use pretty_assertions::assert_eq;

use super::{BundleUrlPolicy, validate_remote_plugin_bundle};

fn item(version: Option<&str>, url: Option<&str>) -> DirectoryItem {
    serde_json::from_value(serde_json::json!({
        "id": "plugins~Plugin_linear",
        "name": "linear",
        "scope": Scope::Global,
        "release": Release {
            version: version.map(str::to_owned),
            bundle_download_url: url.map(str::to_owned),
            ..Release::default()
        },
    }))
    .unwrap()
}

fn error(version: Option<&str>, url: Option<&str>, policy: BundleUrlPolicy) -> String {
    validate_remote_plugin_bundle(&item(version, url), policy)
        .unwrap_err()
        .to_string()
}

#[test]
fn validate_remote_plugin_bundle_uses_detail_name_for_local_plugin_id() {
    let bundle = validate_remote_plugin_bundle(
        &item(Some("1.2.3"), Some("https://example.com/linear.tar.gz")),
        BundleUrlPolicy::default(),
    )
    .unwrap();
    assert_eq!(bundle.plugin_id.as_key(), "linear@openai-curated-remote");
    assert_eq!(bundle.plugin_version, "1.2.3");
    assert_eq!(bundle.remote_plugin_id, "plugins~Plugin_linear");
    assert_eq!(
        bundle.bundle_download_url.as_str(),
        "https://example.com/linear.tar.gz"
    );
}

#[test]
fn validate_remote_plugin_bundle_rejects_missing_invalid_versions_and_urls() {
    let policy = BundleUrlPolicy::default();
    let url = Some("https://example.com/b.tar.gz");
    assert_eq!(
        error(None, url, policy),
        "backend did not return a release version for remote plugin `plugins~Plugin_linear`"
    );
    assert_eq!(
        error(Some("../1.2.3"), url, policy),
        "backend returned an invalid release version for remote plugin `plugins~Plugin_linear`"
    );
    assert_eq!(
        error(Some("1.2.3"), None, policy),
        "backend did not return a download URL for remote plugin `plugins~Plugin_linear`"
    );
    assert_eq!(
        error(Some("1.2.3"), Some("not a url"), policy),
        "backend returned an invalid download URL for remote plugin `plugins~Plugin_linear`: not a url"
    );
    assert_eq!(
        error(Some("1.2.3"), Some("http://example.com/b.tar.gz"), policy),
        "backend returned an unsupported download URL scheme for remote plugin `plugins~Plugin_linear`: http"
    );
}

#[test]
fn plain_http_is_allowed_only_to_loopback_and_only_when_opted_in() {
    let allow = BundleUrlPolicy {
        allow_http_loopback: true,
    };
    let loopback = "http://127.0.0.1:9/b.tar.gz".parse().unwrap();
    let localhost = "http://localhost:9/b.tar.gz".parse().unwrap();
    let v6 = "http://[::1]:9/b.tar.gz".parse().unwrap();
    let remote = "http://10.1.2.3/b.tar.gz".parse().unwrap();
    assert!(!BundleUrlPolicy::default().allows(&loopback));
    assert!(!allow.allows(&remote));
    assert_eq!(
        (
            allow.allows(&loopback),
            allow.allows(&localhost),
            allow.allows(&v6)
        ),
        (
            cfg!(debug_assertions),
            cfg!(debug_assertions),
            cfg!(debug_assertions)
        )
    );
}

#[cfg(not(debug_assertions))]
#[test]
fn http_bundle_urls_are_refused_in_release_builds_even_when_opted_in() {
    let allow = BundleUrlPolicy {
        allow_http_loopback: true,
    };
    assert_eq!(
        error(Some("1.2.3"), Some("http://127.0.0.1:9/b.tar.gz"), allow),
        "backend returned an unsupported download URL scheme for remote plugin `plugins~Plugin_linear`: http"
    );
}
