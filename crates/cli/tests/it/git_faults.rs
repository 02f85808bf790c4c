//! Crashes and contention on Git marketplaces: berth killed with SIGKILL while `git` is
//! mid-pack (made deterministic by a server that stalls part-way through the pack) leaves the
//! previous snapshot in place and usable; two berth processes, or berth and Codex, upgrading
//! one marketplace at once end with one valid snapshot at the new revision.

use std::process::{Child, Output, Stdio};
use std::time::Duration;

use berth_test_support::TestHome;
use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use crate::berth_bin;
use crate::git_fixture::{
    GitWorld, bump_sample, cached_versions, checked, exists, json_of, snapshot_head,
    staging_entries,
};

/// How long a test waits for the server to report a stalled pack.
const STALL_WAIT: Duration = Duration::from_secs(30);

fn spawn_berth(world: &GitWorld, home: &TestHome, args: &[&str]) -> Child {
    let mut command = home.command(berth_bin());
    command
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    world.env.apply(&mut command);
    command.spawn().expect("spawn berth")
}

fn kill(mut child: Child) {
    child.kill().expect("SIGKILL berth");
    child.wait().expect("reap berth");
}

/// `plugin list --json` of `home`: every installed plugin with its version.
fn installed(world: &GitWorld, home: &TestHome) -> Vec<(Value, Value)> {
    json_of(&world.berth_ok(home, &["plugin", "list", "--json"]))["installed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| (entry["pluginId"].clone(), entry["version"].clone()))
        .collect()
}

/// A home with `owner/gm` added, upgraded once (so it has install metadata) and `sample`
/// installed.
fn prepared(world: &GitWorld) -> TestHome {
    let home = TestHome::new();
    world.berth_ok(&home, &["marketplace", "add", "owner/gm"]);
    world.berth_ok(&home, &["marketplace", "upgrade"]);
    world.berth_ok(&home, &["plugin", "add", "sample@gm"]);
    home
}

#[test]
fn killing_berth_mid_clone_adds_nothing_and_the_next_run_recovers() {
    let world = GitWorld::new();
    let home = TestHome::new();
    world.server.stall_packs_after(300);
    let child = spawn_berth(&world, &home, &["marketplace", "add", "owner/gm"]);
    assert!(
        world.server.wait_for_stall(STALL_WAIT),
        "the clone never reached the pack"
    );
    kill(child);
    world.server.release_stalls();

    assert_eq!(home.config_text(), "");
    assert!(!exists(&home.codex_home().join(".tmp/marketplaces/gm")));
    // The killed clone's staging folder is all that is left; nobody holds its lock.
    assert_eq!(staging_entries(&home).len(), 1);

    world.berth_ok(&home, &["marketplace", "add", "owner/gm"]);
    world.berth_ok(&home, &["plugin", "add", "sample@gm"]);
    world.berth_ok(&home, &["marketplace", "upgrade"]);
    assert_eq!(staging_entries(&home), Vec::<String>::new());
    assert_eq!(
        installed(&world, &home),
        vec![(json!("sample@gm"), json!("1.0.0"))]
    );
}

#[test]
fn killing_berth_mid_upgrade_keeps_the_previous_snapshot_usable() {
    let world = GitWorld::new();
    let home = prepared(&world);
    let first = world.market.head();
    let second = bump_sample(&world.market, "2.0.0");
    world.server.stall_packs_after(300);
    let child = spawn_berth(&world, &home, &["marketplace", "upgrade"]);
    assert!(
        world.server.wait_for_stall(STALL_WAIT),
        "the fetch never reached the pack"
    );
    kill(child);
    world.server.release_stalls();

    // The previous snapshot, its metadata and the installed plugin are untouched, and both
    // tools still read them.
    assert_eq!(snapshot_head(&home, "gm"), first);
    let metadata = std::fs::read_to_string(
        home.codex_home()
            .join(".tmp/marketplaces/gm/.codex-marketplace-install.json"),
    )
    .unwrap();
    assert!(metadata.contains(&first), "{metadata}");
    assert_eq!(
        installed(&world, &home),
        vec![(json!("sample@gm"), json!("1.0.0"))]
    );
    if let Some(mut codex) = world.codex(&home, &["plugin", "list", "--json"]) {
        let listed = json_of(&checked(&codex.output().unwrap(), "codex plugin list"));
        assert_eq!(listed["installed"][0]["version"], json!("1.0.0"));
    }

    // The next upgrade cleans up after the killed one and completes.
    world.berth_ok(&home, &["marketplace", "upgrade"]);
    assert_eq!(snapshot_head(&home, "gm"), second);
    assert_eq!(cached_versions(&home, "gm", "sample"), vec!["2.0.0"]);
    assert_eq!(staging_entries(&home), Vec::<String>::new());
}

/// How many roots an `upgrade --json` run moved (its JSON is printed on failure too).
fn upgraded_roots(output: &Output) -> usize {
    json_of(&String::from_utf8_lossy(&output.stdout))["upgradedRoots"]
        .as_array()
        .unwrap()
        .len()
}

#[test]
fn two_berth_upgrades_at_once_both_succeed_and_only_one_fetches() {
    let world = GitWorld::new();
    let home = prepared(&world);
    let second = bump_sample(&world.market, "2.0.0");
    let runs = [
        spawn_berth(&world, &home, &["marketplace", "upgrade", "--json"]),
        spawn_berth(&world, &home, &["marketplace", "upgrade", "--json"]),
    ];
    let outputs: Vec<Output> = runs
        .into_iter()
        .map(|run| run.wait_with_output().unwrap())
        .collect();
    for output in &outputs {
        checked(output, "berth marketplace upgrade");
    }
    // The second waits for the first's lock, then finds the snapshot current.
    assert_eq!(outputs.iter().map(upgraded_roots).sum::<usize>(), 1);
    assert_eq!(snapshot_head(&home, "gm"), second);
    assert_eq!(cached_versions(&home, "gm", "sample"), vec!["2.0.0"]);
    assert_eq!(staging_entries(&home), Vec::<String>::new());
}

#[test]
fn an_upgrade_waits_for_one_that_is_fetching_and_completes_when_it_fails() {
    let world = GitWorld::new();
    let home = prepared(&world);
    let first = world.market.head();
    let second = bump_sample(&world.market, "2.0.0");
    // The first upgrade holds the marketplace while its fetch stalls; the second starts then
    // and must wait: it cannot finish while the first is stalled.
    world.server.stall_packs_after(300);
    let stalled = spawn_berth(&world, &home, &["marketplace", "upgrade", "--json"]);
    assert!(world.server.wait_for_stall(STALL_WAIT));
    let mut waiting = spawn_berth(&world, &home, &["marketplace", "upgrade", "--json"]);
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        waiting.try_wait().unwrap().is_none(),
        "the second upgrade did not wait"
    );
    assert_eq!(snapshot_head(&home, "gm"), first);
    // Releasing ends the stalled response early: the first fails and keeps the old snapshot,
    // the second then upgrades.
    world.server.release_stalls();
    let stalled = stalled.wait_with_output().unwrap();
    let waiting = waiting.wait_with_output().unwrap();
    assert_eq!(stalled.status.code(), Some(1), "{stalled:?}");
    assert_eq!(upgraded_roots(&stalled), 0);
    checked(&waiting, "the waiting upgrade");
    assert_eq!(upgraded_roots(&waiting), 1);
    assert_eq!(snapshot_head(&home, "gm"), second);
    assert_eq!(cached_versions(&home, "gm", "sample"), vec!["2.0.0"]);
    assert_eq!(staging_entries(&home), Vec::<String>::new());
}

#[test]
fn berth_and_codex_upgrading_one_marketplace_at_once_leave_a_valid_snapshot() {
    let world = GitWorld::new();
    let home = prepared(&world);
    if world.codex(&home, &["--version"]).is_none() {
        return;
    }
    for round in 2..5 {
        let version = format!("{round}.0.0");
        let head = bump_sample(&world.market, &version);
        let berth_run = spawn_berth(&world, &home, &["marketplace", "upgrade", "--json"]);
        let codex_run = world
            .codex(&home, &["plugin", "marketplace", "upgrade", "--json"])
            .unwrap()
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let berth_output = berth_run.wait_with_output().unwrap();
        let codex_output = codex_run.wait_with_output().unwrap();
        // berth always succeeds; Codex has no lock and may lose the race, but never breaks
        // the snapshot.
        checked(&berth_output, "berth marketplace upgrade");
        assert_eq!(
            snapshot_head(&home, "gm"),
            head,
            "round {round}: {codex_output:?}"
        );
        world.berth_ok(&home, &["marketplace", "list"]);
        let active = installed(&world, &home);
        assert_eq!(
            active,
            vec![(json!("sample@gm"), json!(version))],
            "round {round}"
        );
        let manifest = std::fs::read_to_string(home.codex_home().join(format!(
            "plugins/cache/gm/sample/{version}/.codex-plugin/plugin.json"
        )))
        .unwrap();
        assert!(manifest.contains(&version), "{manifest}");
    }
    world.berth_ok(&home, &["marketplace", "upgrade"]);
    assert_eq!(staging_entries(&home), Vec::<String>::new());
}
