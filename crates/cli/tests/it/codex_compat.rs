//! Every Codex peer release (0.169.0, 0.171.0) and berth see the same Codex home: what one
//! installs, enables or disables, the other lists identically and can remove.

use std::path::Path;
use std::process::{Command, Stdio};

use berth_test_support::{AppServerClient, MarketplaceFixture, TestHome, codex_peers};
use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use crate::{berth_ok, run_ok};

fn codex(bin: &Path, home: &TestHome, args: &[&str]) -> Command {
    let mut command = home.command(bin);
    command.args(args);
    command
}

fn json_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|err| panic!("not JSON ({err}):\n{text}"))
}

fn fixture(home: &TestHome) -> MarketplaceFixture {
    MarketplaceFixture::new(home.root().join("market"), "debug")
        .plugin("alpha", Some("1.2.0"), 5)
        .plugin("beta", None, 3)
        .plugin("gamma", Some("2.0.0-rc.1"), 4)
}

#[test]
fn codex_lists_what_berth_installed_enabled_and_disabled_identically() {
    for peer in codex_peers() {
        codex_lists_what_berth_installed(&peer.bin);
    }
}

fn codex_lists_what_berth_installed(bin: &Path) {
    let home = TestHome::new();
    run_ok({
        let mut probe = codex(bin, &home, &["--version"]);
        probe.stdout(Stdio::null());
        probe
    });
    let market = fixture(&home);
    berth_ok(
        &home,
        &["marketplace", "add", market.root().to_str().unwrap()],
    );
    berth_ok(&home, &["plugin", "add", "alpha@debug"]);
    berth_ok(&home, &["plugin", "add", "beta", "--marketplace", "debug"]);
    berth_ok(&home, &["plugin", "disable", "beta@debug"]);
    berth_ok(&home, &["plugin", "add", "gamma@debug"]);
    berth_ok(&home, &["plugin", "disable", "gamma@debug"]);
    berth_ok(&home, &["plugin", "enable", "gamma@debug"]);

    for args in [
        vec!["plugin", "list", "--json"],
        vec!["plugin", "list", "--json", "--available"],
        vec!["plugin", "marketplace", "list", "--json"],
    ] {
        let ours = json_of(&berth_ok(&home, &args));
        let theirs = json_of(&run_ok(codex(bin, &home, &args)));
        assert_eq!(
            ours,
            theirs,
            "`{}` differs from {}",
            args.join(" "),
            bin.display()
        );
    }
    let listed = json_of(&berth_ok(&home, &["plugin", "list", "--json"]));
    let states: Vec<_> = listed["installed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            (
                entry["pluginId"].clone(),
                entry["version"].clone(),
                entry["enabled"].clone(),
            )
        })
        .collect();
    assert_eq!(
        states,
        vec![
            (json!("alpha@debug"), json!("1.2.0"), json!(true)),
            (json!("beta@debug"), json!("local"), json!(false)),
            (json!("gamma@debug"), json!("2.0.0-rc.1"), json!(true)),
        ]
    );
}

#[test]
fn berth_lists_and_removes_what_codex_installed() {
    for peer in codex_peers() {
        berth_lists_and_removes_what(&peer.bin);
    }
}

fn berth_lists_and_removes_what(bin: &Path) {
    let home = TestHome::new();
    let market = fixture(&home);
    run_ok(codex(
        bin,
        &home,
        &[
            "plugin",
            "marketplace",
            "add",
            market.root().to_str().unwrap(),
        ],
    ));
    run_ok(codex(bin, &home, &["plugin", "add", "beta@debug"]));
    install_with_codex_app_server(&home, bin, market.root(), "alpha");

    for args in [
        vec!["plugin", "list", "--json"],
        vec!["plugin", "list", "--json", "--available"],
    ] {
        let theirs = json_of(&run_ok(codex(bin, &home, &args)));
        let ours = json_of(&berth_ok(&home, &args));
        assert_eq!(
            ours,
            theirs,
            "`{}` differs from {}",
            args.join(" "),
            bin.display()
        );
    }
    assert!(
        home.codex_home()
            .join("plugins/cache/debug/alpha/1.2.0/.codex-plugin/plugin.json")
            .is_file()
    );

    berth_ok(&home, &["plugin", "remove", "alpha@debug"]);
    assert!(!home.codex_home().join("plugins/cache/debug/alpha").exists());
    assert!(
        !home.config_text().contains("alpha@debug"),
        "{}",
        home.config_text()
    );
    let theirs = json_of(&run_ok(codex(bin, &home, &["plugin", "list", "--json"])));
    let ids: Vec<_> = theirs["installed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["pluginId"].clone())
        .collect();
    assert_eq!(ids, vec![json!("beta@debug")]);
}

/// Drives `codex app-server` over stdio: initialize, then `plugin/install` from a marketplace
/// path.
fn install_with_codex_app_server(home: &TestHome, bin: &Path, market: &Path, plugin: &str) {
    let mut command = home.command(bin);
    command.arg("app-server");
    let mut client = AppServerClient::spawn(command);
    client.initialize("berth_compat_test");
    let result = client.request(
        "plugin/install",
        json!({"marketplacePath": market.join(".agents/plugins/marketplace.json"), "pluginName": plugin}),
    );
    assert_eq!(result["authPolicy"], json!("ON_INSTALL"), "{result}");
}
