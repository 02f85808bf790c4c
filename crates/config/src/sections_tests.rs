//! Tests for `sections`: typed plugin, marketplace and flag access.

use std::path::Path;

use pretty_assertions::assert_eq;

use super::*;

fn config(text: &str) -> ConfigFile {
    ConfigFile::parse(Path::new("config.toml"), text.as_bytes().to_vec()).unwrap()
}

fn entry(enabled: bool) -> PluginConfigEntry {
    PluginConfigEntry { enabled }
}

#[test]
fn plugins_are_read_with_enabled_defaulting_to_true() {
    let config = config(
        "[plugins.\"a@m\"]\nenabled = false\n\n[plugins.\"b@m\"]\n\n[plugins.\"c@m\".mcp_servers.srv]\nenabled = false\n",
    );
    assert_eq!(
        config.plugins(),
        WithWarnings {
            value: BTreeMap::from([
                ("a@m".to_owned(), entry(false)),
                ("b@m".to_owned(), entry(true)),
                ("c@m".to_owned(), entry(true)),
            ]),
            warnings: Vec::new(),
        }
    );
}

#[test]
fn an_invalid_plugins_table_is_a_warning_and_counts_as_empty() {
    let cases = [
        ("plugins = 3\n", "plugins", "is not a table"),
        (
            "[plugins]\n\"a@m\" = true\n",
            "plugins.a@m",
            "is not a table",
        ),
        (
            "[plugins.\"a@m\"]\nenabled = \"yes\"\n",
            "plugins.a@m.enabled",
            "is not a boolean",
        ),
        (
            "[plugins.\"ok@m\"]\n[plugins.\"a@m\"]\ncolour = 1\n",
            "plugins.a@m.colour",
            "is not a known plugin setting",
        ),
        (
            "[plugins.\"a@m\"]\nmcp_servers = 1\n",
            "plugins.a@m.mcp_servers",
            "is not a table",
        ),
    ];
    for (text, key_path, reason) in cases {
        assert_eq!(
            config(text).plugins(),
            WithWarnings {
                value: BTreeMap::new(),
                warnings: vec![ConfigWarning::InvalidPluginsConfig {
                    path: PathBuf::from("config.toml"),
                    key_path: key_path.to_owned(),
                    reason,
                }],
            },
            "{text}"
        );
    }
}

#[test]
fn the_invalid_plugins_warning_says_what_to_fix() {
    let warnings = config("plugins = 3\n").plugins().warnings;
    assert_eq!(
        warnings[0].to_string(),
        "invalid plugins config in `config.toml`: `plugins` is not a table; all plugin entries are ignored until it is fixed"
    );
}

#[test]
fn marketplaces_are_read_in_file_order_and_bad_ones_skipped() {
    let config = config(
        "[marketplaces.zeta]\nsource_type = \"local\"\nsource = \"/z\"\n\n[marketplaces.alpha]\nsource_type = \"git\"\nsource = \"https://example.invalid/a.git\"\nref = \"main\"\n\n[marketplaces.broken]\nsource = \"/b\"\n",
    );
    assert_eq!(
        config.marketplaces(),
        WithWarnings {
            value: vec![
                MarketplaceConfig {
                    name: "zeta".to_owned(),
                    source_type: "local".to_owned(),
                    source: "/z".to_owned(),
                    ref_name: None,
                    sparse_paths: Vec::new(),
                },
                MarketplaceConfig {
                    name: "alpha".to_owned(),
                    source_type: "git".to_owned(),
                    source: "https://example.invalid/a.git".to_owned(),
                    ref_name: Some("main".to_owned()),
                    sparse_paths: Vec::new(),
                },
            ],
            warnings: vec![ConfigWarning::InvalidMarketplaceConfig {
                path: PathBuf::from("config.toml"),
                name: "broken".to_owned(),
                reason: "has no string `source_type`",
            }],
        }
    );
}

#[test]
fn flags_and_base_url_are_read_only_with_the_right_types() {
    let config = config(
        "chatgpt_base_url = \"http://127.0.0.1:9/backend-api\"\n[analytics]\nenabled = false\n[features]\nplugins = true\nremote_plugin = \"yes\"\n",
    );
    assert_eq!(
        (
            config.chatgpt_base_url(),
            config.analytics_enabled(),
            config.feature_enabled("plugins"),
            config.feature_enabled("remote_plugin"),
            config.feature_enabled("missing"),
        ),
        (
            Some("http://127.0.0.1:9/backend-api".to_owned()),
            Some(false),
            Some(true),
            None,
            None
        )
    );
    let empty = super::ConfigFile::parse(Path::new("c"), Vec::new()).unwrap();
    assert_eq!(
        (empty.chatgpt_base_url(), empty.analytics_enabled()),
        (None, None)
    );
}

#[test]
fn set_plugin_enabled_writes_the_table_like_codex() {
    let mut config = config("");
    config.set_plugin_enabled("sample@debug", true).unwrap();
    assert_eq!(
        config.render(),
        "[plugins.\"sample@debug\"]\nenabled = true\n"
    );
    config.set_plugin_enabled("sample@debug", false).unwrap();
    assert_eq!(
        config.render(),
        "[plugins.\"sample@debug\"]\nenabled = false\n"
    );
}

#[test]
fn a_new_plugin_entry_lands_next_to_the_existing_ones() {
    let mut config = config(
        "[plugins.\"a@m\"]\nenabled = true\n\n[plugins.\"a@m\".mcp_servers.s]\nenabled = false\n\n[other]\nx = 1\n",
    );
    config.set_plugin_enabled("b@m", false).unwrap();
    assert_eq!(
        config.render(),
        "[plugins.\"a@m\"]\nenabled = true\n\n[plugins.\"a@m\".mcp_servers.s]\nenabled = false\n\n[plugins.\"b@m\"]\nenabled = false\n\n[other]\nx = 1\n"
    );
}

#[test]
fn clear_plugin_removes_the_entry_with_its_sub_tables() {
    let mut config = config(
        "# keep\n[other]\n# the comment above a removed table goes with it\n[plugins.\"a@m\"]\nenabled = true\n\n[plugins.\"a@m\".mcp_servers.s]\nenabled = false\n\n[plugins.\"b@m\"]\nenabled = false\n",
    );
    assert!(config.clear_plugin("a@m").unwrap());
    assert!(!config.clear_plugin("a@m").unwrap());
    assert_eq!(
        config.render(),
        "# keep\n[other]\n\n[plugins.\"b@m\"]\nenabled = false\n"
    );
}

#[test]
fn an_empty_plugin_key_is_rejected() {
    let mut config = config("");
    assert_eq!(
        config.set_plugin_enabled("", true).unwrap_err().to_string(),
        "invalid config key path `plugins.`: it has an empty segment; use dot-separated keys such as `plugins.sample@debug.enabled`"
    );
}

#[test]
fn git_marketplaces_are_written_as_codex_writes_them() {
    let mut config = config("");
    config
        .set_git_marketplace(
            "gm",
            "https://github.com/o/r.git",
            Some("v1"),
            &["plugins".to_owned(), ".agents".to_owned()],
        )
        .unwrap();
    // Byte for byte what `codex plugin marketplace add ... --ref v1 --sparse plugins --sparse .agents` writes.
    assert_eq!(
        config.render(),
        "[marketplaces.gm]\nsource_type = \"git\"\nsource = \"https://github.com/o/r.git\"\nref = \"v1\"\nsparse_paths = [\"plugins\", \".agents\"]\n"
    );
    assert_eq!(
        config.marketplaces().value,
        vec![MarketplaceConfig {
            name: "gm".to_owned(),
            source_type: "git".to_owned(),
            source: "https://github.com/o/r.git".to_owned(),
            ref_name: Some("v1".to_owned()),
            sparse_paths: vec!["plugins".to_owned(), ".agents".to_owned()],
        }]
    );
    config
        .set_git_marketplace("gm", "https://github.com/o/r.git", None, &[])
        .unwrap();
    assert_eq!(
        config.render(),
        "[marketplaces.gm]\nsource_type = \"git\"\nsource = \"https://github.com/o/r.git\"\n"
    );
}

#[test]
fn set_marketplace_adds_and_updates_keeping_other_keys() {
    let mut config = config("");
    config
        .set_marketplace("local", "local", "/src/market")
        .unwrap();
    assert_eq!(
        config.render(),
        "[marketplaces.local]\nsource_type = \"local\"\nsource = \"/src/market\"\n"
    );
    let mut config = super::ConfigFile::parse(
        Path::new("c"),
        b"[marketplaces.local] # mine\nsource_type = \"local\"\nsource = \"/old\"   # was here\nlast_updated = \"t\"\n".to_vec(),
    )
    .unwrap();
    config.set_marketplace("local", "local", "/new").unwrap();
    assert_eq!(
        config.render(),
        "[marketplaces.local] # mine\nsource_type = \"local\"\nsource = \"/new\"   # was here\nlast_updated = \"t\"\n"
    );
    assert!(config.remove_marketplace("local").unwrap());
    assert!(!config.remove_marketplace("local").unwrap());
    assert_eq!(config.render(), "");
}
