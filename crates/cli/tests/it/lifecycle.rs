//! What a user sees through a whole local plugin lifecycle, and how bad input is reported:
//! stdout, stderr and exit codes are snapshotted with temporary paths filtered.

use std::process::Output;

use berth_test_support::{MarketplaceFixture, TestHome, write};
use pretty_assertions::assert_eq;

use crate::{berth, berth_ok};

/// Exit code, stdout and stderr with the temporary home replaced by `[HOME]`.
pub(crate) fn transcript(home: &TestHome, output: &Output) -> String {
    let root = home.root().to_string_lossy().into_owned();
    let clean = |bytes: &[u8]| String::from_utf8_lossy(bytes).replace(&root, "[HOME]");
    format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        output.status.code().unwrap_or(-1),
        clean(&output.stdout),
        clean(&output.stderr)
    )
}

pub(crate) fn run(home: &TestHome, args: &[&str]) -> String {
    transcript(home, &berth(home, args))
}

pub(crate) fn market(home: &TestHome) -> MarketplaceFixture {
    MarketplaceFixture::new(home.root().join("market"), "debug")
        .plugin("sample", Some("1.2.0"), 4)
        .plugin("other", None, 2)
        .entry(serde_json::json!({
            "name": "locked",
            "source": "./plugins/sample",
            "policy": { "installation": "NOT_AVAILABLE" }
        }))
}

#[test]
fn local_plugin_lifecycle_reads_like_codex() {
    let home = TestHome::new();
    let market = market(&home);
    let root = market.root().to_str().unwrap();
    let mut log = Vec::new();
    for args in [
        vec!["plugin", "list"],
        vec!["marketplace", "add", root],
        vec!["marketplace", "add", root],
        vec!["marketplace", "list"],
        vec!["plugin", "list"],
        vec!["plugin", "add", "sample@debug"],
        vec!["plugin", "add", "other", "-m", "debug", "--json"],
        vec!["plugin", "disable", "other@debug"],
        vec!["plugin", "disable", "other@debug"],
        vec!["plugin", "list"],
        vec!["plugin", "list", "--json"],
        vec!["plugin", "read", "sample@debug"],
        vec!["plugin", "enable", "other@debug", "--json"],
        vec!["plugin", "remove", "other@debug"],
        vec!["plugin", "remove", "other@debug", "--json"],
    ] {
        log.push(format!(
            "$ berth {}\n{}",
            args.join(" ").replace(root, "[MARKET]"),
            run(&home, &args)
        ));
    }
    insta::assert_snapshot!(log.join("\n"));
    insta::assert_snapshot!(
        "config_after_lifecycle",
        home.config_text()
            .replace(home.root().to_str().unwrap(), "[HOME]")
    );
}

#[test]
fn bad_input_gets_a_clear_error_and_changes_nothing() {
    let home = TestHome::new();
    let market = market(&home);
    berth_ok(
        &home,
        &["marketplace", "add", market.root().to_str().unwrap()],
    );
    berth_ok(&home, &["plugin", "add", "sample@debug"]);
    let config_before = home.config_text();
    let mut log = Vec::new();
    for args in [
        vec!["plugin", "add", "sample"],
        vec!["plugin", "add", "../../etc@debug"],
        vec!["plugin", "add", "sample@../../etc"],
        vec!["plugin", "add", "missing@debug"],
        vec!["plugin", "add", "sample@nowhere"],
        vec!["plugin", "add", "locked@debug"],
        vec!["plugin", "enable", "other@debug"],
        vec!["marketplace", "remove", "nowhere"],
        vec!["marketplace", "add", "/nonexistent/market"],
    ] {
        log.push(format!("$ berth {}\n{}", args.join(" "), run(&home, &args)));
    }
    insta::assert_snapshot!(log.join("\n"));
    assert_eq!(home.config_text(), config_before);
}

#[test]
fn corrupt_manifest_fails_the_upgrade_and_keeps_the_previous_version_active() {
    let home = TestHome::new();
    let market = market(&home);
    berth_ok(
        &home,
        &["marketplace", "add", market.root().to_str().unwrap()],
    );
    berth_ok(&home, &["plugin", "add", "sample@debug"]);
    write(
        &market
            .plugin_dir("sample")
            .join(".codex-plugin/plugin.json"),
        "{\"name\": \"sample\", \"version\": ",
    );
    let output = berth(&home, &["plugin", "add", "sample@debug"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("plugin.json"), "{stderr}");
    assert!(
        home.codex_home()
            .join("plugins/cache/debug/sample/1.2.0/skills/hello/SKILL.md")
            .is_file()
    );
    let listed = berth_ok(&home, &["plugin", "list", "--json"]);
    assert!(listed.contains("\"version\": \"1.2.0\""), "{listed}");
}

#[test]
fn corrupt_config_is_reported_with_its_line_and_never_overwritten() {
    let home = TestHome::new();
    let market = market(&home);
    berth_ok(
        &home,
        &["marketplace", "add", market.root().to_str().unwrap()],
    );
    let broken = format!(
        "{}\n[plugins.\"sample@debug\"\nenabled = true\n",
        home.config_text()
    );
    write(&home.config_path(), &broken);
    let output = berth(&home, &["plugin", "add", "sample@debug"]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        transcript(&home, &output)
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("config.toml"), "{stderr}");
    assert!(stderr.contains("line 5"), "{stderr}");
    assert_eq!(home.config_text(), broken);
}

#[test]
/// A broken marketplace recorded in config.toml is named with its path and the others still
/// list; the command exits 1, as Codex does (issue 15 item 3).
fn corrupt_configured_marketplace_is_named_while_others_still_list_and_exits_1() {
    let home = TestHome::new();
    let good = market(&home);
    let bad = home.root().join("bad-market");
    write(
        &bad.join(".agents/plugins/marketplace.json"),
        "{\"name\": \"bad\", \"plugins\": [",
    );
    berth_ok(
        &home,
        &["marketplace", "add", good.root().to_str().unwrap()],
    );
    // Record the broken one by hand: `marketplace add` refuses to record a broken file.
    let config = format!(
        "{}\n[marketplaces.bad]\nsource_type = \"local\"\nsource = \"{}\"\n",
        home.config_text(),
        bad.display()
    );
    write(&home.config_path(), &config);
    let output = berth(&home, &["plugin", "list"]);
    insta::assert_snapshot!(transcript(&home, &output));
}

#[test]
fn corrupt_sidecar_does_not_break_listing_or_removal() {
    let home = TestHome::new();
    let market = market(&home);
    berth_ok(
        &home,
        &["marketplace", "add", market.root().to_str().unwrap()],
    );
    berth_ok(&home, &["plugin", "add", "sample@debug"]);
    write(
        &home
            .codex_home()
            .join("plugins/cache/debug/sample/.codex-remote-plugin-install.json"),
        "{\"schema_version\": 9",
    );
    let listed = berth_ok(&home, &["plugin", "list", "--json"]);
    assert!(listed.contains("\"sample@debug\""), "{listed}");
    berth_ok(&home, &["plugin", "remove", "sample@debug"]);
    assert!(
        !home
            .codex_home()
            .join("plugins/cache/debug/sample")
            .exists()
    );
}

#[cfg(unix)]
#[test]
fn symlinks_inside_a_plugin_source_are_skipped_not_followed() {
    let home = TestHome::new();
    let market = market(&home);
    let secret = home.root().join("secret.txt");
    write(&secret, "do not copy\n");
    std::os::unix::fs::symlink(&secret, market.plugin_dir("sample").join("leak.txt")).unwrap();
    berth_ok(
        &home,
        &["marketplace", "add", market.root().to_str().unwrap()],
    );
    let output = berth(&home, &["plugin", "add", "sample@debug"]);
    assert!(output.status.success(), "{}", transcript(&home, &output));
    let installed = home.codex_home().join("plugins/cache/debug/sample/1.2.0");
    assert!(installed.join(".codex-plugin/plugin.json").is_file());
    assert!(!installed.join("leak.txt").exists(), "a symlink was copied");
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("leak.txt"),
        "the skipped link is not reported"
    );
}

#[cfg(unix)]
#[test]
fn remove_never_follows_a_symlink_out_of_the_cache() {
    let home = TestHome::new();
    let outside = home.root().join("precious");
    write(&outside.join("sample/keep.txt"), "keep\n");
    let cache = home.codex_home().join("plugins/cache");
    std::fs::create_dir_all(&cache).unwrap();
    std::os::unix::fs::symlink(&outside, cache.join("debug")).unwrap();
    let output = berth(&home, &["plugin", "remove", "sample@debug"]);
    assert!(
        outside.join("sample/keep.txt").is_file(),
        "{}",
        transcript(&home, &output)
    );
}

#[test]
fn quickstart_runs_the_whole_system_on_embedded_defaults() {
    let home = TestHome::new();
    let output = berth(&home, &["quickstart"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}", transcript(&home, &output));
    for expected in [
        // The local half.
        "Added plugin `hello` from marketplace `berth-examples`.",
        "refused as expected: plugin `retired` is not available for install",
        "hello@berth-examples    installed, disabled  1.0.0",
        "MCP servers: notes",
        "Lifecycle events reported (6):",
        // The whole system: service, app server, both smokes and recovery.
        "ok    app-server plugin/install plugins~Plugin_notes (remote): bundle cached, sidecar {\"schema_version\":1,\"remote_plugin_id\":\"plugins~Plugin_notes\"}",
        "ok    turn mentioning hello@berth-examples: status \"completed\"; the plugin's skill reached the model: true",
        "ok    plugin-analytics-smoke: PASS",
        "ok    plugin-analytics-mutation-smoke: PASS",
        "ok    plugin-remote-uninstall: PASS",
        "codex_plugin_used            plugin_id=hello@berth-examples remote_plugin_id=null client=berth-quickstart",
        "codex_plugin_installed       plugin_id=hello@openai-curated-remote remote_plugin_id=plugins~Plugin_hello client=berth-test-client",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
    assert!(!stdout.contains("FAIL"), "{stdout}");
    // The smokes' validated events are printed only with --verbose (issue 15 item 14).
    assert!(!stdout.contains("\"event_type\""), "{stdout}");
    // It ends with a five-line summary and the next steps.
    let ending = &stdout[stdout.find("\nSummary\n").expect("a summary")..];
    let port = ending
        .split("https://127.0.0.1:")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap();
    insta::assert_snapshot!(ending.replace(port, "[PORT]"));
}

/// Issue 15 item 14: `--keep` says how to reuse the kept home, which works as printed.
#[test]
fn quickstart_keep_prints_how_to_reuse_the_kept_home() {
    let home = TestHome::new();
    let output = berth(&home, &["quickstart", "--local-only", "--keep"]);
    assert!(output.status.success(), "{}", transcript(&home, &output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let kept = stdout
        .lines()
        .find_map(|line| line.strip_prefix("Kept the quickstart folder "))
        .and_then(|rest| rest.strip_suffix(':'))
        .unwrap_or_else(|| panic!("no kept folder in:\n{stdout}"))
        .to_owned();
    let try_line = stdout
        .lines()
        .find_map(|line| line.trim().strip_prefix("try:"))
        .unwrap()
        .trim()
        .to_owned();
    assert_eq!(
        try_line,
        format!("berth --codex-home {kept}/codex-home plugin list")
    );
    let args: Vec<&str> = try_line.split(' ').skip(1).collect();
    let listed = berth(&home, &args);
    std::fs::remove_dir_all(&kept).unwrap();
    assert!(listed.status.success(), "{}", transcript(&home, &listed));
    assert!(String::from_utf8_lossy(&listed.stdout).contains("hello@berth-examples"));
}

#[test]
fn help_explains_every_flag_of_the_plugin_commands() {
    let home = TestHome::new();
    let mut log = Vec::new();
    for args in [
        vec!["plugin", "list", "--help"],
        vec!["plugin", "add", "--help"],
        vec!["plugin", "remove", "--help"],
    ] {
        log.push(format!("$ berth {}\n{}", args.join(" "), run(&home, &args)));
    }
    insta::assert_snapshot!(log.join("\n"));
}
