//! `Marketplace::find_installable_plugin`: installation policy and product lists.

use berth_marketplace::{CODEX_PRODUCT, MarketplaceError, load_marketplace};
use pretty_assertions::assert_eq;

use crate::write_marketplace;

fn admission(policy: &str) -> Result<String, String> {
    let dir = tempfile::tempdir().unwrap();
    write_marketplace(
        dir.path(),
        &format!(r#"{{"name":"m","plugins":[{{"name":"p","source":"./p","policy":{policy}}}]}}"#),
    );
    let marketplace = load_marketplace(dir.path()).unwrap();
    marketplace
        .find_installable_plugin("p", CODEX_PRODUCT)
        .map(|plugin| plugin.id.as_key())
        .map_err(|error| error.to_string())
}

#[test]
fn available_plugins_without_products_are_installable() {
    assert_eq!(admission("{}"), Ok("p@m".to_owned()));
    assert_eq!(
        admission(r#"{"installation":"INSTALLED_BY_DEFAULT"}"#),
        Ok("p@m".to_owned())
    );
    assert_eq!(admission(r#"{"products":["CODEX"]}"#), Ok("p@m".to_owned()));
    assert_eq!(
        admission(r#"{"products":["CHATGPT","codex"]}"#),
        Ok("p@m".to_owned())
    );
}

#[test]
fn not_available_plugins_and_product_mismatches_are_refused() {
    let refused = Err("plugin `p` is not available for install in marketplace `m`".to_owned());
    assert_eq!(admission(r#"{"installation":"NOT_AVAILABLE"}"#), refused);
    assert_eq!(admission(r#"{"products":[]}"#), refused);
    assert_eq!(admission(r#"{"products":["CHATGPT"]}"#), refused);
}

#[test]
fn unknown_plugins_are_not_found_and_both_refusals_are_invalid_requests() {
    let dir = tempfile::tempdir().unwrap();
    write_marketplace(
        dir.path(),
        r#"{"name":"m","plugins":[{"name":"p","source":"./p","policy":{"installation":"NOT_AVAILABLE"}}]}"#,
    );
    let marketplace = load_marketplace(dir.path()).unwrap();
    let missing = marketplace
        .find_installable_plugin("other", CODEX_PRODUCT)
        .unwrap_err();
    assert_eq!(
        missing.to_string(),
        "plugin `other` was not found in marketplace `m`"
    );
    assert!(matches!(missing, MarketplaceError::PluginNotFound { .. }));
    assert!(missing.is_invalid_request());
    let unavailable = marketplace
        .find_installable_plugin("p", CODEX_PRODUCT)
        .unwrap_err();
    assert!(unavailable.is_invalid_request());
}

#[test]
fn a_skipped_entry_is_refused_with_the_reason_it_was_skipped() {
    let dir = tempfile::tempdir().unwrap();
    write_marketplace(
        dir.path(),
        r#"{"name":"m","plugins":[{"name":"escape","source":{"source":"git-subdir","url":"o/r","path":"../x"}}]}"#,
    );
    let marketplace = load_marketplace(dir.path()).unwrap();
    let refused = marketplace
        .find_installable_plugin("escape", CODEX_PRODUCT)
        .unwrap_err();
    assert_eq!(
        refused.to_string(),
        "plugin `escape` in marketplace `m` cannot be installed: git plugin source path `../x` must stay inside the repository; the marketplace entry needs fixing"
    );
    assert!(refused.is_invalid_request());
}
