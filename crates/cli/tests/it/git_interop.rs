//! berth and the real Codex 0.169.0 on Git marketplaces: the same `--json` answers, config.toml
//! and snapshot metadata for the same adds and upgrades; each lists, installs from and upgrades
//! the other's Git marketplaces; pinned refs hold; an upgrade refreshes installed plugins the
//! way Codex's does.

use std::path::Path;
use std::process::Command;

use berth_test_support::TestHome;
use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use crate::git_fixture::{GitWorld, bump_sample, cached_versions, checked, json_of, snapshot_head};

/// `codex ARGS` in `home` that must succeed; `None` without the peer (CI fails instead).
fn codex_ok(world: &GitWorld, home: &TestHome, args: &[&str]) -> Option<String> {
    let mut command: Command = world.codex(home, args)?;
    Some(checked(
        &command.output().expect("run codex"),
        &format!("codex {args:?}"),
    ))
}

/// JSON output with the home replaced, so two homes compare equal.
fn normalised(world: &GitWorld, home: &TestHome, text: &str) -> Value {
    json_of(&world.clean(home, text, &[]))
}

/// Every path under `root` except inside `.git`, sorted.
fn tree(root: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            if entry.file_name() == ".git" {
                found.push(".git".to_owned());
                continue;
            }
            let path = entry.path();
            found.push(
                path.strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
            );
            if entry.file_type().unwrap().is_dir() {
                pending.push(path);
            }
        }
    }
    found.sort();
    found
}

fn snapshot_root(home: &TestHome) -> std::path::PathBuf {
    home.codex_home().join(".tmp/marketplaces/gm")
}

#[test]
fn berth_and_codex_add_and_upgrade_git_marketplaces_identically() {
    let world = GitWorld::new();
    let variants: [&[&str]; 6] = [
        &["owner/gm"],
        &["owner/gm@v1"],
        &["owner/gm", "--ref", "v1"],
        &[
            "owner/gm", "--ref", "v1", "--sparse", ".agents", "--sparse", "plugins",
        ],
        &["owner/gm", "--sparse", ".agents", "--sparse", "plugins"],
        &["git@github.example:owner/gm.git"],
    ];
    for variant in variants {
        let ours = TestHome::new();
        let theirs = TestHome::new();
        let mut add = vec!["plugin", "marketplace", "add"];
        add.extend_from_slice(variant);
        add.push("--json");
        for _ in 0..2 {
            let berth_answer = world.berth_ok(&ours, &add);
            let Some(codex_answer) = codex_ok(&world, &theirs, &add) else {
                return;
            };
            assert_eq!(
                normalised(&world, &ours, &berth_answer),
                normalised(&world, &theirs, &codex_answer),
                "add {variant:?}"
            );
        }
        assert_eq!(
            world.clean(&ours, &ours.config_text(), &[]),
            world.clean(&theirs, &theirs.config_text(), &[]),
            "config.toml after add {variant:?}"
        );
        assert_eq!(
            tree(&snapshot_root(&ours)),
            tree(&snapshot_root(&theirs)),
            "{variant:?}"
        );
        assert_eq!(snapshot_head(&ours, "gm"), snapshot_head(&theirs, "gm"));

        // Two upgrades: the first writes the install metadata (as Codex does), the second
        // finds nothing new.
        let upgrade = ["plugin", "marketplace", "upgrade", "--json"];
        for round in 0..2 {
            let berth_answer = world.berth_ok(&ours, &upgrade);
            let codex_answer = codex_ok(&world, &theirs, &upgrade).unwrap();
            assert_eq!(
                normalised(&world, &ours, &berth_answer),
                normalised(&world, &theirs, &codex_answer),
                "upgrade {round} of {variant:?}"
            );
        }
        let metadata = |home: &TestHome| {
            std::fs::read_to_string(snapshot_root(home).join(".codex-marketplace-install.json"))
                .unwrap()
        };
        assert_eq!(metadata(&ours), metadata(&theirs), "{variant:?}");
        assert_eq!(
            tree(&snapshot_root(&ours)),
            tree(&snapshot_root(&theirs)),
            "{variant:?}"
        );
    }
}

#[test]
fn codex_lists_installs_from_and_upgrades_a_marketplace_berth_added() {
    let world = GitWorld::new();
    let home = TestHome::new();
    world.berth_ok(&home, &["marketplace", "add", "owner/gm"]);
    world.berth_ok(&home, &["plugin", "add", "sample@gm"]);
    world.berth_ok(&home, &["plugin", "add", "anchor@gm"]);
    world.berth_ok(&home, &["plugin", "disable", "sample@gm"]);
    let list = ["plugin", "list", "--json", "--available"];
    let Some(codex_list) = codex_ok(&world, &home, &list) else {
        return;
    };
    assert_eq!(json_of(&world.berth_ok(&home, &list)), json_of(&codex_list));

    codex_ok(&world, &home, &["plugin", "add", "whole@gm"]).unwrap();
    assert_eq!(cached_versions(&home, "gm", "whole"), vec!["0.1.0"]);
    let second = bump_sample(&world.market, "2.0.0");
    let upgraded = json_of(
        &codex_ok(
            &world,
            &home,
            &["plugin", "marketplace", "upgrade", "--json"],
        )
        .unwrap(),
    );
    assert_eq!(upgraded["errors"], json!([]));
    assert_eq!(snapshot_head(&home, "gm"), second);
    assert_eq!(cached_versions(&home, "gm", "sample"), vec!["2.0.0"]);
    assert_eq!(
        json_of(&world.berth_ok(&home, &list)),
        json_of(&codex_ok(&world, &home, &list).unwrap())
    );
    // berth agrees the snapshot Codex upgraded is current.
    assert_eq!(
        world.berth_ok(&home, &["marketplace", "upgrade"]),
        "All configured Git marketplaces are already up to date.\n"
    );
}

#[test]
fn berth_lists_installs_from_and_upgrades_a_marketplace_codex_added() {
    let world = GitWorld::new();
    let home = TestHome::new();
    let Some(_) = codex_ok(&world, &home, &["plugin", "marketplace", "add", "owner/gm"]) else {
        return;
    };
    codex_ok(&world, &home, &["plugin", "add", "sample@gm"]).unwrap();
    let list = ["plugin", "list", "--json", "--available"];
    assert_eq!(
        json_of(&world.berth_ok(&home, &list)),
        json_of(&codex_ok(&world, &home, &list).unwrap())
    );
    world.berth_ok(&home, &["plugin", "add", "anchor@gm"]);
    bump_sample(&world.market, "2.0.0");
    world.berth_ok(&home, &["marketplace", "upgrade"]);
    assert_eq!(cached_versions(&home, "gm", "sample"), vec!["2.0.0"]);
    assert_eq!(
        json_of(&world.berth_ok(&home, &list)),
        json_of(&codex_ok(&world, &home, &list).unwrap())
    );
    // Codex agrees the snapshot berth upgraded is current.
    let again = json_of(
        &codex_ok(
            &world,
            &home,
            &["plugin", "marketplace", "upgrade", "--json"],
        )
        .unwrap(),
    );
    assert_eq!(again["upgradedRoots"], json!([]));
}

#[test]
fn pinned_refs_hold_whichever_tool_upgrades() {
    let world = GitWorld::new();
    let first = world.market.head();
    let by_berth = TestHome::new();
    let by_codex = TestHome::new();
    world.berth_ok(
        &by_berth,
        &["marketplace", "add", "owner/gm", "--ref", "v1"],
    );
    let Some(_) = codex_ok(
        &world,
        &by_codex,
        &["plugin", "marketplace", "add", "owner/gm", "--ref", &first],
    ) else {
        return;
    };
    bump_sample(&world.market, "2.0.0");
    // Each upgrades the marketplace the other added, twice.
    for _ in 0..2 {
        codex_ok(&world, &by_berth, &["plugin", "marketplace", "upgrade"]).unwrap();
        world.berth_ok(&by_codex, &["marketplace", "upgrade"]);
    }
    assert_eq!(snapshot_head(&by_berth, "gm"), first);
    assert_eq!(snapshot_head(&by_codex, "gm"), first);
}

#[test]
fn an_upgrade_refreshes_installed_plugins_as_codex_does() {
    let world = GitWorld::new();
    let ours = TestHome::new();
    let theirs = TestHome::new();
    for home in [&ours, &theirs] {
        world.berth_ok(home, &["marketplace", "add", "owner/gm"]);
        world.berth_ok(home, &["plugin", "add", "sample@gm"]);
        world.berth_ok(home, &["plugin", "add", "anchor@gm"]);
        world.berth_ok(home, &["plugin", "disable", "sample@gm"]);
    }
    bump_sample(&world.market, "2.0.0");
    world.tools.write(
        "tools/anchor/.codex-plugin/plugin.json",
        r#"{"name":"anchor","version":"1.1.0"}"#,
    );
    world.tools.commit("anchor 1.1.0");
    world.berth_ok(&ours, &["marketplace", "upgrade"]);
    let Some(_) = codex_ok(&world, &theirs, &["plugin", "marketplace", "upgrade"]) else {
        return;
    };
    for plugin in ["sample", "anchor"] {
        assert_eq!(
            cached_versions(&ours, "gm", plugin),
            cached_versions(&theirs, "gm", plugin),
            "{plugin}"
        );
    }
    assert_eq!(cached_versions(&ours, "gm", "sample"), vec!["2.0.0"]);
    assert_eq!(
        world.clean(&ours, &ours.config_text(), &[]),
        world.clean(&theirs, &theirs.config_text(), &[])
    );
    let list = ["plugin", "list", "--json"];
    assert_eq!(
        normalised(&world, &ours, &world.berth_ok(&ours, &list)),
        normalised(&world, &theirs, &world.berth_ok(&theirs, &list))
    );
}
