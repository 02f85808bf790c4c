//! The example marketplace shipped in `examples/marketplace`.

use std::path::PathBuf;

use berth_marketplace::{AuthPolicy, CODEX_PRODUCT, InstallPolicy, PluginSource, load_marketplace};
use berth_plugin::manifest::load_manifest;
use pretty_assertions::assert_eq;

fn example_root() -> PathBuf {
    std::fs::canonicalize(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/marketplace"),
    )
    .unwrap()
}

#[test]
fn example_marketplace_lists_three_plugins_with_their_policies() {
    let root = example_root();
    let marketplace = load_marketplace(&root).unwrap();
    assert_eq!(marketplace.name, "berth-examples");
    assert_eq!(marketplace.display_name.as_deref(), Some("Berth Examples"));
    assert_eq!(marketplace.warnings, Vec::<String>::new());
    let plugins: Vec<(String, PluginSource, InstallPolicy, AuthPolicy)> = marketplace
        .plugins
        .iter()
        .map(|plugin| {
            (
                plugin.id.as_key(),
                plugin.source.clone(),
                plugin.policy.installation,
                plugin.policy.authentication,
            )
        })
        .collect();
    let local = |name: &str| PluginSource::Local {
        path: root.join("plugins").join(name),
    };
    assert_eq!(
        plugins,
        vec![
            (
                "hello@berth-examples".to_owned(),
                local("hello"),
                InstallPolicy::Available,
                AuthPolicy::OnInstall
            ),
            (
                "notes@berth-examples".to_owned(),
                local("notes"),
                InstallPolicy::Available,
                AuthPolicy::OnUse
            ),
            (
                "retired@berth-examples".to_owned(),
                local("retired"),
                InstallPolicy::NotAvailable,
                AuthPolicy::OnInstall
            ),
        ]
    );
    assert!(
        marketplace
            .find_installable_plugin("hello", CODEX_PRODUCT)
            .is_ok()
    );
    assert_eq!(
        marketplace
            .find_installable_plugin("retired", CODEX_PRODUCT)
            .unwrap_err()
            .to_string(),
        "plugin `retired` is not available for install in marketplace `berth-examples`"
    );
}

#[test]
fn every_example_plugin_has_a_clean_manifest_matching_its_entry() {
    let marketplace = load_marketplace(&example_root()).unwrap();
    let manifests: Vec<(String, Option<String>, String, Vec<String>)> = marketplace
        .plugins
        .iter()
        .map(|plugin| {
            let PluginSource::Local { path } = &plugin.source else {
                panic!("example plugins are local");
            };
            let loaded = load_manifest(path).unwrap();
            assert!(loaded.manifest.description.is_some());
            (
                loaded.manifest.name.clone(),
                loaded.manifest.version.clone(),
                loaded.manifest.display_name().to_owned(),
                loaded.warnings,
            )
        })
        .collect();
    assert_eq!(
        manifests,
        vec![
            (
                "hello".to_owned(),
                Some("1.0.0".to_owned()),
                "Hello".to_owned(),
                Vec::new()
            ),
            (
                "notes".to_owned(),
                Some("0.2.0".to_owned()),
                "Notes".to_owned(),
                Vec::new()
            ),
            (
                "retired".to_owned(),
                Some("0.1.0".to_owned()),
                "Retired".to_owned(),
                Vec::new()
            ),
        ]
    );
}

#[test]
fn example_hello_plugin_has_the_greet_skill() {
    let loaded = load_manifest(&example_root().join("plugins/hello")).unwrap();
    let skills = loaded.skills();
    assert_eq!(skills.warnings, Vec::<String>::new());
    let skills: Vec<(String, Option<String>)> = skills
        .value
        .into_iter()
        .map(|skill| (skill.name, skill.description))
        .collect();
    assert_eq!(
        skills,
        vec![(
            "greet".to_owned(),
            Some("Greet the user warmly by name.".to_owned())
        )]
    );
}
