//! Property-based fuzzing of the manifest parser (issue 11 "Proof"): random JSON built from
//! manifest field names and hostile path strings, and random text. Parsing never panics,
//! fails only with a typed [`ManifestError`], and every path a parsed manifest holds is
//! inside the plugin root with no `..` left.

use std::path::{Component, Path, PathBuf};

use proptest::prelude::*;
use serde_json::Value;

use super::parse_manifest_str;
use crate::manifest::model::{HooksSpec, McpServersSpec};

const KEYS: [&str; 16] = [
    "name",
    "version",
    "description",
    "keywords",
    "skills",
    "mcpServers",
    "apps",
    "hooks",
    "interface",
    "displayName",
    "defaultPrompt",
    "logo",
    "logoDark",
    "composerIcon",
    "screenshots",
    "mcpServers ",
];

fn path_string() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("./skills".to_owned()),
        Just("../outside".to_owned()),
        Just("./a/../../b".to_owned()),
        Just("/etc/passwd".to_owned()),
        Just("./".to_owned()),
        Just(String::new()),
        "\\./[a-z./]{0,12}",
        ".{0,16}",
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    berth_test_support::fuzz::json_with_keys(&KEYS, path_string())
}

fn assert_contained(root: &Path, path: &Path) -> Result<(), TestCaseError> {
    prop_assert!(
        path.starts_with(root),
        "{} not under {}",
        path.display(),
        root.display()
    );
    prop_assert!(
        !path
            .components()
            .any(|component| component == Component::ParentDir),
        "{} keeps `..`",
        path.display()
    );
    Ok(())
}

fn check(text: &str) -> Result<(), TestCaseError> {
    let root = PathBuf::from("/plugins/fuzz");
    match parse_manifest_str(text, &root, root.join(".codex-plugin/plugin.json")) {
        Err(err) => prop_assert!(!err.to_string().is_empty()),
        Ok(loaded) => {
            let manifest = &loaded.manifest;
            let mut paths: Vec<&PathBuf> = Vec::new();
            paths.extend(manifest.skills.iter().flatten());
            paths.extend(manifest.apps.iter());
            if let Some(McpServersSpec::File(path)) = &manifest.mcp_servers {
                paths.push(path);
            }
            for hooks in manifest.hooks.iter().flatten() {
                if let HooksSpec::File(path) = hooks {
                    paths.push(path);
                }
            }
            if let Some(interface) = &manifest.interface {
                paths.extend(interface.composer_icon.iter());
                paths.extend(interface.logo.iter());
                paths.extend(interface.logo_dark.iter());
                paths.extend(interface.screenshots.iter());
            }
            for path in paths {
                assert_contained(&root, path)?;
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_manifest_json_parses_safely(value in json_value()) {
        check(&value.to_string())?;
    }

    #[test]
    fn random_manifest_text_fails_cleanly(text in ".{0,64}") {
        check(&text)?;
    }
}
