//! Git marketplaces and Git plugin sources through the `berth` binary, against a loopback
//! smart-HTTP Git server reached as `github.com`: what a user sees (snapshotted), which refs
//! move, sparse checkouts, SSH, and bad input that changes nothing.

use berth_test_support::{GitServer, TestHome};
use pretty_assertions::assert_eq;
use serde_json::json;

use crate::git_fixture::{
    GitWorld, bump_sample, cached_versions, exists, json_of, snapshot_head, staging_entries,
};

#[test]
fn a_git_marketplace_lifecycle_reads_like_codex() {
    let world = GitWorld::new();
    let home = TestHome::new();
    let first = world.market.head();
    let tools_first = world.tools.head();
    let mut log = Vec::new();
    let mut step = |args: &[&str], revisions: &[(&str, &str)]| {
        log.push(world.transcript(&home, args, revisions));
    };
    step(&["marketplace", "add", "owner/gm", "--json"], &[]);
    step(&["marketplace", "add", "owner/gm"], &[]);
    step(&["plugin", "marketplace", "list"], &[(&first, "[REV1]")]);
    step(&["marketplace", "list", "--json"], &[(&first, "[REV1]")]);
    step(&["plugin", "add", "sample@gm"], &[]);
    step(&["plugin", "add", "anchor@gm"], &[]);
    step(&["plugin", "add", "whole@gm"], &[]);
    step(&["plugin", "disable", "sample@gm"], &[]);
    step(&["plugin", "list", "--json"], &[]);
    step(&["plugin", "outdated"], &[]);

    let second = bump_sample(&world.market, "2.0.0");
    world.tools.write(
        "tools/anchor/.codex-plugin/plugin.json",
        r#"{"name":"anchor","version":"1.1.0"}"#,
    );
    let tools_second = world.tools.commit("anchor 1.1.0");
    let revisions = [
        (first.as_str(), "[REV1]"),
        (second.as_str(), "[REV2]"),
        (tools_first.as_str(), "[TOOLS1]"),
        (tools_second.as_str(), "[TOOLS2]"),
    ];
    step(&["plugin", "outdated", "--json"], &revisions);
    step(&["marketplace", "upgrade", "--json"], &revisions);
    step(&["marketplace", "upgrade", "gm"], &revisions);
    let third = bump_sample(&world.market, "3.0.0");
    let revisions = [
        (first.as_str(), "[REV1]"),
        (second.as_str(), "[REV2]"),
        (third.as_str(), "[REV3]"),
        (tools_first.as_str(), "[TOOLS1]"),
        (tools_second.as_str(), "[TOOLS2]"),
    ];
    step(&["marketplace", "upgrade"], &revisions);
    step(&["marketplace", "upgrade"], &revisions);
    step(&["plugin", "list"], &revisions);
    step(&["plugin", "outdated"], &revisions);
    step(&["marketplace", "remove", "gm", "--json"], &revisions);
    step(&["plugin", "list"], &revisions);
    insta::assert_snapshot!(log.join("\n"));

    // The upgrade refreshed every installed plugin of the marketplace; `sample` stayed
    // disabled, the pinned `whole` stayed at its tag.
    assert_eq!(cached_versions(&home, "gm", "sample"), vec!["3.0.0"]);
    assert_eq!(cached_versions(&home, "gm", "anchor"), vec!["1.1.0"]);
    assert_eq!(cached_versions(&home, "gm", "whole"), vec!["0.1.0"]);
    assert!(!exists(
        &home.codex_home().join("plugins/cache/gm/whole/0.1.0/.git")
    ));
    insta::assert_snapshot!(
        "git_config_after_lifecycle",
        world.clean(&home, &home.config_text(), &[])
    );
    assert_eq!(staging_entries(&home), Vec::<String>::new());
}

#[test]
fn tags_and_commits_stay_put_even_when_retagged_while_branches_and_the_default_branch_move() {
    let world = GitWorld::new();
    let first = world.market.head();
    world.market.branch("stable");
    let homes: Vec<(TestHome, Vec<String>)> = [
        vec!["owner/gm".to_owned()],
        vec!["owner/gm".to_owned(), "--ref".to_owned(), "v1".to_owned()],
        vec!["owner/gm@stable".to_owned()],
        vec!["owner/gm".to_owned(), "--ref".to_owned(), first.clone()],
        vec![
            "owner/gm".to_owned(),
            "--ref".to_owned(),
            first[..9].to_owned(),
        ],
    ]
    .into_iter()
    .map(|source| (TestHome::new(), source))
    .collect();
    for (home, source) in &homes {
        let mut args = vec!["marketplace", "add"];
        args.extend(source.iter().map(String::as_str));
        world.berth_ok(home, &args);
        // The first upgrade writes Codex's install metadata, the second has nothing to do.
        world.berth_ok(home, &["marketplace", "upgrade"]);
        assert_eq!(
            world.berth_ok(home, &["marketplace", "upgrade"]),
            "All configured Git marketplaces are already up to date.\n"
        );
    }
    let second = bump_sample(&world.market, "2.0.0");
    world.market.branch("stable");
    // Someone even moves the tag: a tag pin still holds (Codex would follow it).
    world.market.tag("v1");
    let heads: Vec<String> = homes
        .iter()
        .map(|(home, _)| {
            world.berth_ok(home, &["marketplace", "upgrade"]);
            snapshot_head(home, "gm")
        })
        .collect();
    assert_eq!(
        heads,
        vec![second.clone(), first.clone(), second, first.clone(), first]
    );
}

#[test]
fn an_upgrade_with_nothing_new_makes_one_ls_remote_per_marketplace() {
    let world = GitWorld::new();
    let home = TestHome::new();
    world.market.annotated_tag("av1");
    world.berth_ok(&home, &["marketplace", "add", "owner/gm", "--ref", "av1"]);
    world.berth_ok(&home, &["marketplace", "upgrade"]);
    world.server.clear_requests();
    world.berth_ok(&home, &["marketplace", "upgrade", "gm"]);
    // An annotated tag is compared by the commit it points at, so nothing is fetched (Codex
    // re-clones such a marketplace on every upgrade).
    assert_eq!(
        world.server.requests(),
        vec![
            "GET /owner/gm.git/info/refs?service=git-upload-pack".to_owned(),
            "POST /owner/gm.git/git-upload-pack".to_owned(),
        ]
    );
}

#[test]
fn a_sparse_marketplace_checks_out_only_its_paths() {
    let world = GitWorld::new();
    world.market.write("docs/big.md", "not needed\n");
    world.market.commit("docs");
    let home = TestHome::new();
    let added = json_of(&world.berth_ok(
        &home,
        &[
            "marketplace",
            "add",
            "owner/gm",
            "--sparse",
            ".agents",
            "--sparse",
            "plugins/sample",
            "--json",
        ],
    ));
    assert_eq!(added["alreadyAdded"], json!(false));
    let root = home.codex_home().join(".tmp/marketplaces/gm");
    assert!(
        root.join("plugins/sample/.codex-plugin/plugin.json")
            .is_file()
    );
    assert!(!exists(&root.join("docs")));
    assert!(
        home.config_text()
            .contains("sparse_paths = [\".agents\", \"plugins/sample\"]\n")
    );
    world.berth_ok(&home, &["plugin", "add", "sample@gm"]);
    assert_eq!(cached_versions(&home, "gm", "sample"), vec!["1.0.0"]);
}

#[test]
fn ssh_urls_reach_the_repository_through_git_s_ssh_command() {
    let world = GitWorld::new();
    for source in [
        "git@github.example:owner/gm.git",
        "ssh://git@github.example/owner/gm.git",
    ] {
        let home = TestHome::new();
        let added = json_of(&world.berth_ok(&home, &["marketplace", "add", source, "--json"]));
        assert_eq!(added["marketplaceName"], json!("gm"));
        assert!(
            home.config_text()
                .contains(&format!("source = \"{source}\"\n"))
        );
        world.berth_ok(&home, &["plugin", "add", "sample@gm"]);
        assert_eq!(cached_versions(&home, "gm", "sample"), vec!["1.0.0"]);
    }
    let log = world.env.ssh_log();
    assert!(
        log.contains("git@github.example git-upload-pack 'owner/gm.git'"),
        "{log}"
    );
    assert!(log.contains("git-upload-pack '/owner/gm.git'"), "{log}");
}

#[test]
fn bad_input_gets_a_clear_error_and_changes_nothing() {
    let world = GitWorld::new();
    let home = TestHome::new();
    let local = home.root().join("local-gm");
    let _ = berth_test_support::MarketplaceFixture::new(&local, "gm").plugin("sample", None, 2);
    let plain = berth_test_support::GitRepo::create(&world.home.root().join("git"), "owner/plain");
    plain.write("README.md", "no marketplace\n");
    plain.commit("plain");
    let closed = {
        let server = GitServer::start(&home.root().join("nothing"));
        server.url("owner/gm")
    };
    let first = world.market.head();
    let plain_head = plain.head();
    let tools_head = world.tools.head();
    let revisions = [
        (closed.as_str(), "[CLOSED]"),
        (first.as_str(), "[REV1]"),
        (plain_head.as_str(), "[PLAIN]"),
        (tools_head.as_str(), "[TOOLS1]"),
    ];
    let mut log = Vec::new();
    for args in [
        vec!["marketplace", "add", &closed],
        vec!["marketplace", "add", "owner/missing"],
        vec!["marketplace", "add", "owner/gm", "--ref", "nosuch"],
        vec!["marketplace", "add", "owner/plain"],
        vec![
            "marketplace",
            "add",
            "owner/gm",
            "--sparse",
            ".agents",
            "--sparse",
            "nosuch",
        ],
        vec!["marketplace", "add", "owner/gm", "--sparse", "../up"],
        vec!["marketplace", "add", "file:///srv/gm.git"],
        vec!["marketplace", "add", "owner/gm/extra"],
        vec![
            "marketplace",
            "add",
            local.to_str().unwrap(),
            "--ref",
            "main",
        ],
        vec!["marketplace", "upgrade", "gm"],
    ] {
        log.push(world.transcript(&home, &args, &revisions));
    }
    assert_eq!(home.config_text(), "");
    assert!(!exists(&home.codex_home().join(".tmp/marketplaces/gm")));

    // Name clashes: a local `gm`, then the Git one with another ref.
    world.berth_ok(&home, &["marketplace", "add", local.to_str().unwrap()]);
    let config = home.config_text();
    log.push(world.transcript(&home, &["marketplace", "add", "owner/gm"], &revisions));
    assert_eq!(home.config_text(), config);
    world.berth_ok(&home, &["marketplace", "remove", "gm"]);
    world.berth_ok(&home, &["marketplace", "add", "owner/gm"]);
    let config = home.config_text();
    log.push(world.transcript(&home, &["marketplace", "add", "owner/gm@v1"], &revisions));
    assert_eq!(home.config_text(), config);

    // Broken plugin entries of a Git marketplace.
    for plugin in ["escape@gm", "wrongname@gm", "missing@gm"] {
        log.push(world.transcript(&home, &["plugin", "add", plugin], &revisions));
    }
    assert_eq!(home.config_text(), config);
    assert!(!exists(&home.codex_home().join("plugins/cache/gm")));
    assert_eq!(staging_entries(&home), Vec::<String>::new());
    insta::with_settings!({filters => vec![
        (r"port \d+ after \d+ ms", "port [PORT] after [N] ms"),
    ]}, {
        insta::assert_snapshot!(log.join("\n"));
    });
}

#[test]
fn a_missing_git_program_is_named_with_the_fix() {
    let home = TestHome::new();
    let output = home
        .command(crate::berth_bin())
        .args(["marketplace", "add", "owner/gm"])
        .env("BERTH_GIT", "/nonexistent/git")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: the `/nonexistent/git` program was not found; Git marketplaces and Git plugin sources need Git: install it (https://git-scm.com/downloads) or set BERTH_GIT to its path\n"
    );
    assert_eq!(home.config_text(), "");
}

#[test]
fn a_failed_upgrade_is_reported_per_marketplace_and_keeps_the_snapshot() {
    let world = GitWorld::new();
    let home = TestHome::new();
    world.berth_ok(&home, &["marketplace", "add", "owner/gm"]);
    let head = snapshot_head(&home, "gm");
    // The repository disappears from the server.
    let moved = world.market.bare_dir().with_extension("moved");
    berth_fs::rename(world.market.bare_dir(), &moved).unwrap();
    let output = world.berth(&home, &["marketplace", "upgrade", "--json"]);
    berth_fs::rename(&moved, world.market.bare_dir()).unwrap();
    assert_eq!(output.status.code(), Some(1));
    let answer = json_of(&String::from_utf8_lossy(&output.stdout));
    assert_eq!(answer["selectedMarketplaces"], json!(["gm"]));
    assert_eq!(answer["upgradedRoots"], json!([]));
    assert_eq!(answer["errors"][0]["marketplaceName"], json!("gm"));
    let message = answer["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("git ls-remote of `https://github.com/owner/gm.git` failed"),
        "{message}"
    );
    let stderr = world.clean(&home, &String::from_utf8_lossy(&output.stderr), &[]);
    assert!(stderr.ends_with("error: 1 upgrade failure(s) occurred; the marketplaces above keep their previous snapshot\n"), "{stderr}");
    assert_eq!(snapshot_head(&home, "gm"), head);
}

#[test]
fn help_explains_the_marketplace_and_update_commands() {
    let home = TestHome::new();
    let mut log = Vec::new();
    for args in [
        vec!["marketplace", "--help"],
        vec!["marketplace", "add", "--help"],
        vec!["marketplace", "upgrade", "--help"],
        vec!["plugin", "outdated", "--help"],
        vec!["plugin", "update", "--help"],
    ] {
        let output = crate::berth(&home, &args);
        log.push(format!(
            "$ berth {}\nexit: {}\n{}",
            args.join(" "),
            output.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&output.stdout)
        ));
    }
    insta::assert_snapshot!(log.join("\n"));
}
