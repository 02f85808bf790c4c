//! Property-based fuzzing of the marketplace parser (issue 11 "Proof"): random JSON built from
//! marketplace field names and hostile source paths, and random text, written to a real
//! `marketplace.json`. Loading never panics, fails only with a typed [`MarketplaceError`], and
//! every local source it accepts resolves inside the marketplace root with no `..` left.

use std::path::Component;

use berth_marketplace::{MarketplaceError, PluginSource, load_marketplace};
use proptest::prelude::*;
use serde_json::Value;

const KEYS: [&str; 14] = [
    "name",
    "plugins",
    "source",
    "path",
    "url",
    "ref",
    "policy",
    "installation",
    "authentication",
    "products",
    "interface",
    "displayName",
    "category",
    "version",
];

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("./plugins/a".to_owned()),
        Just("./../outside".to_owned()),
        Just("./a/../../b".to_owned()),
        Just("/etc".to_owned()),
        Just("local".to_owned()),
        Just("git-subdir".to_owned()),
        Just("url".to_owned()),
        Just("NOT_AVAILABLE".to_owned()),
        "[a-z_-]{1,8}",
        ".{0,12}",
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    berth_test_support::fuzz::json_with_keys(&KEYS, text())
}

/// A marketplace-shaped document: a name and a list of random plugin entries.
fn marketplace_document() -> impl Strategy<Value = Value> {
    (
        prop_oneof![text().prop_map(Value::String), json_value()],
        prop::collection::vec(json_value(), 0..6),
    )
        .prop_map(|(name, plugins)| serde_json::json!({"name": name, "plugins": plugins}))
}

fn check(contents: &str) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let file = crate::write_file(dir.path(), ".agents/plugins/marketplace.json", contents);
    match load_marketplace(&file) {
        Err(err) => {
            let _: &MarketplaceError = &err;
            prop_assert!(!err.to_string().is_empty());
        }
        Ok(marketplace) => {
            for plugin in &marketplace.plugins {
                if let PluginSource::Local { path } = &plugin.source {
                    prop_assert!(path.starts_with(&marketplace.root), "{}", path.display());
                    prop_assert!(
                        !path.components().any(|part| part == Component::ParentDir),
                        "{}",
                        path.display()
                    );
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_marketplace_documents_load_safely(document in marketplace_document()) {
        check(&document.to_string())?;
    }

    #[test]
    fn random_marketplace_text_fails_cleanly(contents in ".{0,64}") {
        check(&contents)?;
    }
}
