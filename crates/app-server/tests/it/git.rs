//! `plugin/list`, `plugin/install` and `plugin/installed` on a Git marketplace (a snapshot
//! under `.tmp/marketplaces`, as `marketplace add` leaves it) whose plugins come from the
//! marketplace repository and from a Git plugin source, fetched from a loopback Git server.

use std::path::PathBuf;
use std::process::Command;

use berth_test_support::{GitClientEnv, GitRepo, GitServer, MarketplaceFixture, TestHome, write};
use pretty_assertions::assert_eq;
use serde_json::json;

use crate::harness::{Server, berth_bin};

/// A home with the Git marketplace `owner/gm` as `marketplace add` leaves it, served (with
/// `owner/tools`) by a loopback Git server reached as `github.com`.
fn git_home() -> (TestHome, GitServer, GitClientEnv, PathBuf) {
    let home = TestHome::new();
    let repos = home.root().join("git");
    let tools = GitRepo::create(&repos, "owner/tools");
    tools.write(
        "tools/anchor/.codex-plugin/plugin.json",
        r#"{"name":"anchor","version":"1.0.0"}"#,
    );
    tools.commit("tools");
    let market = GitRepo::create(&repos, "owner/gm");
    let _ = MarketplaceFixture::new(market.work_dir(), "gm")
        .plugin("sample", Some("1.0.0"), 2)
        .entry(json!({
            "name": "anchor",
            "source": {"source": "git-subdir", "url": "owner/tools", "path": "tools/anchor"}
        }));
    market.commit("market");
    let server = GitServer::start(&repos.join("repos"));
    let env = GitClientEnv::new(&home.root().join("git-client"), &server);
    let snapshot = home.codex_home().join(".tmp/marketplaces/gm");
    let cloned = Command::new("git")
        .arg("clone")
        .arg("--quiet")
        .arg(server.url("owner/gm"))
        .arg(&snapshot)
        .output()
        .unwrap();
    assert!(cloned.status.success(), "{cloned:?}");
    write(
        &home.config_path(),
        "[marketplaces.gm]\nsource_type = \"git\"\nsource = \"https://github.com/owner/gm.git\"\n",
    );
    (home, server, env, snapshot)
}

#[test]
fn plugins_of_a_git_marketplace_and_git_sources_are_listed_and_installed() {
    let (home, _server, env, snapshot) = git_home();
    let vars: Vec<(&str, &str)> = env
        .vars()
        .iter()
        .map(|(key, value)| (key.as_str(), value.to_str().unwrap()))
        .collect();
    let mut app = Server::spawn(berth_bin(), &home, &[], &vars);
    app.initialize("test_client");
    let listed = app.call("plugin/list", json!({}));
    let marketplace = &listed["marketplaces"][0];
    assert_eq!(marketplace["name"], json!("gm"));
    let sources: Vec<_> = marketplace["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|plugin| (plugin["id"].clone(), plugin["source"].clone()))
        .collect();
    assert_eq!(
        sources,
        vec![
            (
                json!("sample@gm"),
                json!({"type": "local", "path": snapshot.join("plugins/sample")})
            ),
            (
                json!("anchor@gm"),
                json!({"type": "git", "url": "https://github.com/owner/tools.git", "path": "tools/anchor", "refName": null, "sha": null})
            ),
        ]
    );

    let file = snapshot.join(".agents/plugins/marketplace.json");
    for plugin in ["sample", "anchor"] {
        assert_eq!(
            app.call(
                "plugin/install",
                json!({"marketplacePath": file, "pluginName": plugin})
            ),
            json!({"authPolicy": "ON_INSTALL", "appsNeedingAuth": []}),
            "{plugin}"
        );
    }
    let cache = home.codex_home().join("plugins/cache/gm");
    assert!(
        cache
            .join("sample/1.0.0/.codex-plugin/plugin.json")
            .is_file()
    );
    assert!(
        cache
            .join("anchor/1.0.0/.codex-plugin/plugin.json")
            .is_file()
    );
    assert!(!cache.join("anchor/1.0.0/.git").exists());
    let installed = app.call("plugin/installed", json!({}));
    let states: Vec<_> = installed["marketplaces"][0]["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|plugin| (plugin["id"].clone(), plugin["installed"].clone()))
        .collect();
    assert_eq!(
        states,
        vec![
            (json!("sample@gm"), json!(true)),
            (json!("anchor@gm"), json!(true))
        ]
    );
    assert_eq!(
        home.config_text(),
        "[marketplaces.gm]\nsource_type = \"git\"\nsource = \"https://github.com/owner/gm.git\"\n\n[plugins.\"sample@gm\"]\nenabled = true\n\n[plugins.\"anchor@gm\"]\nenabled = true\n"
    );
    assert!(app.shutdown());
}
