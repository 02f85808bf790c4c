//! `load_marketplace`: file locations, entries, policies, skipped entries and file errors.

use berth_marketplace::{
    AuthPolicy, InstallPolicy, Marketplace, MarketplaceError, MarketplacePlugin, PluginPolicy,
    PluginSource, load_marketplace,
};
use berth_plugin::PluginId;
use pretty_assertions::assert_eq;

use crate::{write_file, write_marketplace};

#[test]
fn marketplace_loads_from_its_root_with_plugins_policies_and_sources() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let file = write_marketplace(
        root,
        r#"{
          "name": "debug",
          "interface": {"displayName": " Debug Marketplace "},
          "plugins": [
            {"name": "sample", "source": "./plugins/sample",
             "policy": {"installation": "INSTALLED_BY_DEFAULT", "authentication": "ON_USE", "products": ["CODEX"]},
             "category": "Productivity"},
            {"name": "remote-one", "source": {"source": "url", "url": "owner/repo", "ref": "main", "sha": "abc", "path": "sub/dir"}}
          ]
        }"#,
    );
    let marketplace = load_marketplace(root).unwrap();
    assert_eq!(
        marketplace,
        Marketplace {
            name: "debug".to_owned(),
            file,
            root: root.to_path_buf(),
            display_name: Some("Debug Marketplace".to_owned()),
            plugins: vec![
                MarketplacePlugin {
                    id: PluginId::new("sample", "debug").unwrap(),
                    name: "sample".to_owned(),
                    source: PluginSource::Local {
                        path: root.join("plugins/sample")
                    },
                    policy: PluginPolicy {
                        installation: InstallPolicy::InstalledByDefault,
                        authentication: AuthPolicy::OnUse,
                        products: Some(vec!["CODEX".to_owned()]),
                    },
                    category: Some("Productivity".to_owned()),
                    fallback_manifest: Some(
                        "{\n  \"name\": \"sample\",\n  \"category\": \"Productivity\",\n  \"interface\": {\n    \"category\": \"Productivity\"\n  }\n}"
                            .to_owned()
                    ),
                },
                MarketplacePlugin {
                    id: PluginId::new("remote-one", "debug").unwrap(),
                    name: "remote-one".to_owned(),
                    source: PluginSource::Git {
                        url: "https://github.com/owner/repo.git".to_owned(),
                        path: Some("sub/dir".to_owned()),
                        ref_name: Some("main".to_owned()),
                        sha: Some("abc".to_owned()),
                    },
                    policy: PluginPolicy::default(),
                    category: None,
                    fallback_manifest: None,
                },
            ],
            warnings: Vec::new(),
        }
    );
}

#[test]
fn default_policy_is_available_on_install_for_every_product() {
    assert_eq!(
        PluginPolicy::default(),
        PluginPolicy {
            installation: InstallPolicy::Available,
            authentication: AuthPolicy::OnInstall,
            products: None,
        }
    );
}

#[test]
fn policy_enums_serialize_as_screaming_case_strings() {
    let policy = PluginPolicy {
        installation: InstallPolicy::NotAvailable,
        authentication: AuthPolicy::OnUse,
        products: Some(Vec::new()),
    };
    assert_eq!(
        serde_json::to_string(&policy).unwrap(),
        r#"{"installation":"NOT_AVAILABLE","authentication":"ON_USE","products":[]}"#
    );
    assert_eq!(
        [
            InstallPolicy::NotAvailable.as_str(),
            InstallPolicy::Available.as_str(),
            InstallPolicy::InstalledByDefault.as_str(),
            AuthPolicy::OnInstall.as_str(),
            AuthPolicy::OnUse.as_str(),
        ],
        [
            "NOT_AVAILABLE",
            "AVAILABLE",
            "INSTALLED_BY_DEFAULT",
            "ON_INSTALL",
            "ON_USE"
        ]
    );
}

#[test]
fn claude_marketplace_file_is_used_when_the_agents_file_is_absent() {
    let dir = tempfile::tempdir().unwrap();
    let claude = write_file(
        dir.path(),
        ".claude-plugin/marketplace.json",
        r#"{"name":"claude","plugins":[{"name":"p","source":"./p"}]}"#,
    );
    let marketplace = load_marketplace(dir.path()).unwrap();
    assert_eq!(marketplace.file, claude);
    assert_eq!(marketplace.root, dir.path());
    assert_eq!(
        marketplace.plugins[0].source,
        PluginSource::Local {
            path: dir.path().join("p")
        }
    );

    let agents = write_marketplace(dir.path(), r#"{"name":"agents"}"#);
    let marketplace = load_marketplace(dir.path()).unwrap();
    assert_eq!(
        (marketplace.name.as_str(), marketplace.file),
        ("agents", agents)
    );
}

#[test]
fn a_direct_file_path_resolves_the_root_above_the_marketplace_directory() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_marketplace(dir.path(), r#"{"name":"m"}"#);
    let marketplace = load_marketplace(&file).unwrap();
    assert_eq!(marketplace.root, dir.path());

    let loose = write_file(dir.path(), "elsewhere/market.json", r#"{"name":"loose"}"#);
    assert_eq!(
        load_marketplace(&loose).unwrap().root,
        dir.path().join("elsewhere")
    );
}

#[test]
fn invalid_entries_are_skipped_with_warnings_and_the_rest_load() {
    let dir = tempfile::tempdir().unwrap();
    write_marketplace(
        dir.path(),
        r#"{"name":"m","plugins":[
            {"name":"good","source":"./good"},
            {"name":"../evil","source":"./evil"},
            {"name":"no-source"},
            {"name":"escape","source":"./../x"},
            {"name":"bad-policy","source":"./x","policy":{"installation":"SOMETIMES"}},
            {"name":"bad-category","source":"./x","category":3},
            {"source":"./nameless"},
            "just a string",
            {"name":"good","source":"./again"}
        ]}"#,
    );
    let marketplace = load_marketplace(dir.path()).unwrap();
    let names: Vec<&str> = marketplace
        .plugins
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(names, vec!["good"]);
    assert_eq!(
        marketplace.warnings,
        vec![
            "skipping invalid marketplace plugin `../evil`: invalid plugin name: only ASCII letters, digits, `_`, and `-` are allowed",
            "skipping invalid marketplace plugin `no-source`: missing plugin source",
            "skipping invalid marketplace plugin `escape`: local plugin source path `./../x` must contain only normal components",
            "skipping invalid marketplace plugin `bad-policy`: invalid policy: unknown variant `SOMETIMES`, expected one of `NOT_AVAILABLE`, `AVAILABLE`, `INSTALLED_BY_DEFAULT`",
            "skipping invalid marketplace plugin `bad-category`: invalid category: expected a string",
            "skipping invalid marketplace plugin `#6`: missing plugin `name`",
            "skipping invalid marketplace plugin `#7`: expected an object",
            "skipping invalid marketplace plugin `good`: duplicate plugin name",
        ]
    );
}

#[test]
fn missing_marketplace_file_is_a_not_found_error() {
    let dir = tempfile::tempdir().unwrap();
    let error = load_marketplace(dir.path()).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "marketplace file `{}` does not exist; a marketplace folder holds `.agents/plugins/marketplace.json` or `.claude-plugin/marketplace.json`",
            dir.path()
                .join(".agents/plugins/marketplace.json")
                .display()
        )
    );
    assert!(error.is_invalid_request());

    let missing = dir.path().join("nope/marketplace.json");
    assert_eq!(
        load_marketplace(&missing).unwrap_err().to_string(),
        format!(
            "marketplace file `{}` does not exist; a marketplace folder holds `.agents/plugins/marketplace.json` or `.claude-plugin/marketplace.json`",
            missing.display()
        )
    );
}

#[test]
fn malformed_marketplace_file_is_an_error_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_marketplace(dir.path(), "{\n  \"plugins\": []\n}");
    let error = load_marketplace(dir.path()).unwrap_err();
    assert!(matches!(error, MarketplaceError::InvalidFile { .. }));
    assert_eq!(
        error.to_string(),
        format!(
            "invalid marketplace file `{}`: missing field `name` at line 3 column 1",
            file.display()
        )
    );

    write_marketplace(dir.path(), "{\"name\": \"m\",");
    assert_eq!(
        load_marketplace(dir.path()).unwrap_err().to_string(),
        format!(
            "invalid marketplace file `{}`: EOF while parsing a value at line 1 column 13",
            file.display()
        )
    );

    write_marketplace(dir.path(), r#"{"name":"m","plugins":{}}"#);
    assert_eq!(
        load_marketplace(dir.path()).unwrap_err().to_string(),
        format!(
            "invalid marketplace file `{}`: invalid type: map, expected a sequence at line 1 column 22",
            file.display()
        )
    );
}
