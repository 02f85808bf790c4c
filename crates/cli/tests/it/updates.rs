//! `berth plugin outdated` and `berth plugin update` across local marketplaces, Git
//! marketplaces, Git plugin sources and the plugin service, and `plugin sync` updating service
//! plugins: versions, enabled state kept, `codex_plugin_installed` reported for each update,
//! and a failed update that leaves the previous version active.

use std::path::Path;

use berth_test_support::{MarketplaceFixture, TestHome, write};
use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use crate::berth_bin;
use crate::git_fixture::{GitWorld, bump_sample, cached_versions, checked, json_of};
use crate::remote::{Serve, plugin_source, remote_home, wait_for_events};

/// Sets the version of a local marketplace plugin's manifest.
fn set_local_version(market: &Path, plugin: &str, name: &str, version: &str) {
    write(
        &market.join(format!("plugins/{plugin}/.codex-plugin/plugin.json")),
        &format!(r#"{{"name":"{name}","version":"{version}"}}"#),
    );
}

/// A home with a local marketplace `loc` (plugin `lp`) and the Git marketplace `owner/gm`;
/// when `logged_in`, analytics are captured to `events.jsonl` (debug builds).
fn home_with_both(world: &GitWorld, logged_in: bool) -> (TestHome, MarketplaceFixture) {
    let home = TestHome::new();
    let local =
        MarketplaceFixture::new(home.root().join("loc"), "loc").plugin("lp", Some("1.0.0"), 2);
    if logged_in {
        berth_auth::test_support::write_chatgpt_test_auth(&home.codex_home()).unwrap();
        // Delivery would fail on this closed port; the capture file gets the events instead.
        write(
            &home.config_path(),
            "chatgpt_base_url = \"http://127.0.0.1:9/backend-api\"\n",
        );
    }
    world.berth_ok(
        &home,
        &["marketplace", "add", local.root().to_str().unwrap()],
    );
    world.berth_ok(&home, &["marketplace", "add", "owner/gm"]);
    (home, local)
}

/// `berth ARGS` with the Git environment and the analytics capture file.
fn berth_captured(world: &GitWorld, home: &TestHome, args: &[&str]) -> std::process::Output {
    let mut command = home.command(berth_bin());
    command
        .args(args)
        .env(
            "CODEX_ANALYTICS_EVENTS_CAPTURE_FILE",
            home.root().join("events.jsonl"),
        )
        .env_remove("DO_NOT_TRACK");
    world.env.apply(&mut command);
    command.output().unwrap()
}

/// `(event_type, plugin_id)` of every captured event.
fn captured(home: &TestHome) -> Vec<(String, String)> {
    std::fs::read_to_string(home.root().join("events.jsonl"))
        .unwrap_or_default()
        .lines()
        .flat_map(|line| {
            let batch: Value = serde_json::from_str(line).unwrap();
            batch["events"].as_array().cloned().unwrap_or_default()
        })
        .map(|event| {
            (
                event["event_type"].as_str().unwrap().to_owned(),
                event["event_params"]["plugin_id"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            )
        })
        .collect()
}

#[test]
fn outdated_and_update_cover_local_and_git_marketplaces_and_git_sources() {
    let world = GitWorld::new();
    let (home, local) = home_with_both(&world, false);
    for plugin in ["lp@loc", "sample@gm", "anchor@gm", "whole@gm"] {
        world.berth_ok(&home, &["plugin", "add", plugin]);
    }
    world.berth_ok(&home, &["plugin", "disable", "sample@gm"]);

    set_local_version(local.root(), "lp", "lp", "1.1.0");
    bump_sample(&world.market, "2.0.0");
    world.tools.write(
        "tools/anchor/.codex-plugin/plugin.json",
        r#"{"name":"anchor","version":"1.1.0"}"#,
    );
    world.tools.commit("anchor 1.1.0");
    // `whole` is pinned to tag t1: new commits do not concern it.
    world.tools.write(
        ".codex-plugin/plugin.json",
        r#"{"name":"whole","version":"9.9.9"}"#,
    );
    world.tools.commit("whole 9.9.9");

    let mut log = Vec::new();
    for args in [
        vec!["plugin", "outdated"],
        vec!["plugin", "update", "sample@gm", "--json"],
        vec!["plugin", "outdated", "--json"],
        vec!["plugin", "update", "--all"],
        vec!["plugin", "update", "lp", "--marketplace", "loc"],
        vec!["plugin", "update", "nosuch@loc"],
        vec!["plugin", "outdated"],
    ] {
        log.push(world.transcript(&home, &args, &[]));
    }
    insta::assert_snapshot!(log.join("\n"));

    assert_eq!(cached_versions(&home, "loc", "lp"), vec!["1.1.0"]);
    assert_eq!(cached_versions(&home, "gm", "sample"), vec!["2.0.0"]);
    assert_eq!(cached_versions(&home, "gm", "anchor"), vec!["1.1.0"]);
    assert_eq!(cached_versions(&home, "gm", "whole"), vec!["0.1.0"]);
    // Enabled state is kept: sample stays disabled.
    assert!(
        home.config_text()
            .contains("[plugins.\"sample@gm\"]\nenabled = false\n")
    );
    // The update of `sample` moved the Git marketplace's snapshot to the new revision.
    assert_eq!(
        crate::git_fixture::snapshot_head(&home, "gm"),
        world.market.head()
    );
}

#[test]
fn every_update_reports_codex_plugin_installed_through_the_manager() {
    let world = GitWorld::new();
    let (home, local) = home_with_both(&world, true);
    for plugin in ["lp@loc", "sample@gm"] {
        checked(
            &berth_captured(&world, &home, &["plugin", "add", plugin]),
            plugin,
        );
    }
    set_local_version(local.root(), "lp", "lp", "1.1.0");
    bump_sample(&world.market, "2.0.0");
    checked(
        &berth_captured(&world, &home, &["plugin", "update", "--all"]),
        "update",
    );
    let installed = |plugin: &str| ("codex_plugin_installed".to_owned(), plugin.to_owned());
    assert_eq!(
        captured(&home),
        vec![
            installed("lp@loc"),
            installed("sample@gm"),
            installed("lp@loc"),
            installed("sample@gm"),
        ]
    );
    let lines = std::fs::read_to_string(home.root().join("events.jsonl")).unwrap();
    let last_sample = lines
        .lines()
        .flat_map(|line| {
            let batch: Value = serde_json::from_str(line).unwrap();
            batch["events"].as_array().cloned().unwrap_or_default()
        })
        .rfind(|event| event["event_params"]["plugin_id"] == json!("sample@gm"))
        .unwrap();
    assert_eq!(
        last_sample["event_params"],
        json!({
            "plugin_id": "sample@gm",
            "remote_plugin_id": null,
            "plugin_name": "sample",
            "marketplace_name": "gm",
            "has_skills": true,
            "mcp_server_count": 0,
            "connector_ids": [],
            "product_client_id": "berth_cli",
        })
    );
}

#[test]
fn a_failed_update_leaves_the_previous_version_active() {
    let world = GitWorld::new();
    let (home, local) = home_with_both(&world, false);
    world.berth_ok(&home, &["plugin", "add", "lp@loc"]);
    world.berth_ok(&home, &["plugin", "add", "anchor@gm"]);
    // The new local version names another plugin; the Git source's repository is gone.
    set_local_version(local.root(), "lp", "impostor", "2.0.0");
    world.tools.write(
        "tools/anchor/.codex-plugin/plugin.json",
        r#"{"name":"anchor","version":"1.1.0"}"#,
    );
    world.tools.commit("anchor 1.1.0");
    let moved = world.tools.bare_dir().with_extension("moved");
    berth_fs::rename(world.tools.bare_dir(), &moved).unwrap();
    let config = home.config_text();
    let output = world.berth(&home, &["plugin", "update", "--all", "--json"]);
    berth_fs::rename(&moved, world.tools.bare_dir()).unwrap();
    assert_eq!(output.status.code(), Some(1));
    let answer = json_of(&String::from_utf8_lossy(&output.stdout));
    assert_eq!(answer["updated"], json!([]));
    let subjects: Vec<&str> = answer["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| error["subject"].as_str().unwrap())
        .collect();
    assert_eq!(subjects, vec!["anchor@gm", "lp@loc"]);
    assert_eq!(
        answer["errors"][1]["message"],
        json!("plugin.json name `impostor` does not match marketplace plugin name `lp`")
    );
    assert_eq!(cached_versions(&home, "loc", "lp"), vec!["1.0.0"]);
    assert_eq!(cached_versions(&home, "gm", "anchor"), vec!["1.0.0"]);
    assert_eq!(home.config_text(), config);
}

fn berth_remote(home: &TestHome, args: &[&str]) -> std::process::Output {
    home.command(berth_bin())
        .env("CODEX_TEST_ALLOW_HTTP_REMOTE_PLUGIN_BUNDLE_DOWNLOADS", "1")
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn service_plugins_are_reported_outdated_updated_and_synced() {
    let serve = Serve::start();
    let home = remote_home(&serve);
    serve.publish(&plugin_source(home.root(), "linear", "1.0.0", "v1"), &[]);
    checked(
        &berth_remote(&home, &["plugin", "add", "linear@openai-curated-remote"]),
        "add",
    );
    serve.publish(&plugin_source(home.root(), "linear", "2.0.0", "v2"), &[]);
    let outdated = json_of(&checked(
        &berth_remote(&home, &["plugin", "outdated", "--json"]),
        "outdated",
    ));
    assert_eq!(
        outdated,
        json!({
            "outdated": [{
                "pluginId": "linear@openai-curated-remote",
                "marketplaceName": "openai-curated-remote",
                "installedVersion": "1.0.0",
                "availableVersion": "2.0.0",
                "source": "remote",
                "remotePluginId": "plugins~Plugin_linear",
            }],
            "errors": [],
        })
    );
    let updated = json_of(&checked(
        &berth_remote(
            &home,
            &["plugin", "update", "linear@openai-curated-remote", "--json"],
        ),
        "update",
    ));
    assert_eq!(
        updated["updated"],
        json!([{"pluginId": "linear@openai-curated-remote", "previousVersion": "1.0.0", "version": "2.0.0"}])
    );
    assert_eq!(
        cached_versions(&home, "openai-curated-remote", "linear"),
        vec!["2.0.0"]
    );
    let events: Vec<(String, Value)> = wait_for_events(&serve, 2)
        .into_iter()
        .filter(|(kind, _)| kind == "codex_plugin_installed")
        .collect();
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(
        events[1].1["remote_plugin_id"],
        json!("plugins~Plugin_linear")
    );

    // A newer release reaches the cache through `plugin sync` too, reported as an update.
    serve.publish(&plugin_source(home.root(), "linear", "3.0.0", "v3"), &[]);
    let synced = json_of(&checked(
        &berth_remote(&home, &["plugin", "sync", "--json"]),
        "sync",
    ));
    assert_eq!(synced["installed"], json!([]));
    assert_eq!(
        synced["updated"],
        json!([{"pluginId": "linear@openai-curated-remote", "from": "2.0.0", "to": "3.0.0"}])
    );
    assert_eq!(
        cached_versions(&home, "openai-curated-remote", "linear"),
        vec!["3.0.0"]
    );
}
