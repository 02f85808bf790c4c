//! The smoke workflows (`berth smoke ...`) against `berth app-server` and a real `berth serve`
//! on 127.0.0.1: the non-mutating analytics smoke and the mutation smoke pass with events read
//! from the debug capture file and from the loopback collector (the release-build path), they
//! refuse what they must, and the recovery command returns the account to its original state.

use std::process::Output;

use berth_test_support::TestHome;

use crate::berth_bin;
use crate::remote::{Serve, plugin_source, remote_home};

struct World {
    serve: Serve,
    home: TestHome,
    used_id: String,
    mutated_id: String,
}

/// A service with two GLOBAL plugins; `alpha` installed and enabled, `beta` not installed.
fn world() -> World {
    let serve = Serve::start();
    let sources = tempfile::tempdir().unwrap();
    let used_id = serve.publish(
        &plugin_source(sources.path(), "alpha", "1.0.0", "Alpha says hi."),
        &[],
    );
    let mutated_id = serve.publish(
        &plugin_source(sources.path(), "beta", "2.0.0", "Beta says hi."),
        &[],
    );
    let home = remote_home(&serve);
    let output = smoke_command(&home, &["plugin", "add", "alpha@openai-curated-remote"]);
    assert!(output.status.success(), "{}", text(&output));
    World {
        serve,
        home,
        used_id,
        mutated_id,
    }
}

fn smoke_command(home: &TestHome, args: &[&str]) -> Output {
    home.command(berth_bin())
        .env("CODEX_TEST_ALLOW_HTTP_REMOTE_PLUGIN_BUNDLE_DOWNLOADS", "1")
        .args(args)
        .output()
        .unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The last stdout line: the smoke's one outcome line.
fn outcome(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .last()
        .unwrap_or_default()
        .to_owned()
}

fn is_installed_on_service(world: &World, remote_id: &str) -> bool {
    let output = smoke_command(&world.home, &["plugin", "list", "--json"]);
    let listed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    listed["installed"]
        .as_array()
        .unwrap()
        .iter()
        .any(|entry| entry.to_string().contains(remote_id))
}

#[test]
fn analytics_smoke_passes_with_the_capture_file_and_with_the_collector() {
    let world = world();
    let capture = world.home.root().join("capture.jsonl");
    let by_capture = smoke_command(
        &world.home,
        &[
            "smoke",
            "plugin-analytics-smoke",
            "--plugin-id",
            "alpha@openai-curated-remote",
            "--capture-file",
            capture.to_str().unwrap(),
        ],
    );
    assert_eq!(
        outcome(&by_capture),
        "PASS: disabled, enabled and used events validated for `alpha@openai-curated-remote`",
        "{}",
        text(&by_capture)
    );
    let stdout = String::from_utf8_lossy(&by_capture.stdout);
    assert!(
        stdout.contains(&format!("\"remote_plugin_id\": \"{}\"", world.used_id)),
        "{stdout}"
    );
    let by_collector = smoke_command(
        &world.home,
        &[
            "smoke",
            "plugin-analytics-smoke",
            "--plugin-id",
            "alpha@openai-curated-remote",
        ],
    );
    assert!(
        outcome(&by_collector).starts_with("PASS"),
        "{}",
        text(&by_collector)
    );
    // The collector forwarded the events to the service too.
    assert!(
        world
            .serve
            .events()
            .iter()
            .any(|(kind, params)| kind == "codex_plugin_used"
                && params["remote_plugin_id"] == world.used_id.as_str()),
        "the service did not receive codex_plugin_used"
    );
    // Non-mutating: still installed and enabled.
    let listed = smoke_command(&world.home, &["plugin", "list", "--json"]);
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(
        listed.contains("\"alpha@openai-curated-remote\""),
        "{listed}"
    );
}

#[test]
fn mutation_smoke_installs_validates_and_restores_in_both_event_modes() {
    let world = world();
    let capture = world.home.root().join("mutation.jsonl");
    for extra in [
        vec!["--capture-file", capture.to_str().unwrap()],
        Vec::new(),
    ] {
        let mut args = vec![
            "smoke",
            "plugin-analytics-mutation-smoke",
            "--remote-plugin-id",
            &world.mutated_id,
            "--confirm-account-mutation",
        ];
        args.extend(extra);
        let output = smoke_command(&world.home, &args);
        assert_eq!(
            outcome(&output),
            "PASS: analytics validated; original uninstalled state restored",
            "{}",
            text(&output)
        );
        assert!(!is_installed_on_service(&world, &world.mutated_id));
        assert!(
            !world
                .home
                .codex_home()
                .join("plugins/cache/openai-curated-remote/beta")
                .exists()
        );
    }
}

#[test]
fn mutation_smoke_refuses_without_confirmation_or_when_already_installed() {
    let world = world();
    let unconfirmed = smoke_command(
        &world.home,
        &[
            "smoke",
            "plugin-analytics-mutation-smoke",
            "--remote-plugin-id",
            &world.mutated_id,
        ],
    );
    assert_eq!(unconfirmed.status.code(), Some(1));
    assert_eq!(
        outcome(&unconfirmed),
        "FAIL-CLEAN: this command installs and uninstalls a plugin on the active account; rerun with --confirm-account-mutation"
    );
    let installed = smoke_command(
        &world.home,
        &[
            "smoke",
            "plugin-analytics-mutation-smoke",
            "--remote-plugin-id",
            &world.used_id,
            "--confirm-account-mutation",
        ],
    );
    assert_eq!(installed.status.code(), Some(1));
    assert!(
        outcome(&installed).starts_with("FAIL-CLEAN: refusing to run: remote plugin")
            && outcome(&installed).contains("is already installed"),
        "{}",
        text(&installed)
    );
    // Refusing changed nothing.
    assert!(is_installed_on_service(&world, &world.used_id));
}

#[test]
fn recovery_command_uninstalls_on_the_service_and_removes_the_cache() {
    let world = world();
    let added = smoke_command(
        &world.home,
        &["plugin", "add", "beta@openai-curated-remote"],
    );
    assert!(added.status.success(), "{}", text(&added));
    assert!(
        world
            .home
            .codex_home()
            .join("plugins/cache/openai-curated-remote/beta")
            .exists()
    );
    let output = smoke_command(
        &world.home,
        &[
            "smoke",
            "plugin-remote-uninstall",
            "--remote-plugin-id",
            &world.mutated_id,
            "--confirm-account-mutation",
        ],
    );
    assert_eq!(
        outcome(&output),
        format!("PASS: `{}` is uninstalled", world.mutated_id),
        "{}",
        text(&output)
    );
    assert!(!is_installed_on_service(&world, &world.mutated_id));
    assert!(
        !world
            .home
            .codex_home()
            .join("plugins/cache/openai-curated-remote/beta")
            .exists()
    );
}

#[test]
fn analytics_smoke_passes_against_codex_app_server_pointed_at_berth_serve() {
    let Some(codex) = berth_test_support::codex_bin() else {
        eprintln!("skipping: Codex peer not installed");
        return;
    };
    let world = world();
    // Release Codex refuses writes to any config file but its user config; the smoke falls back
    // to that file and restores the original state.
    let output = smoke_command(
        &world.home,
        &[
            "smoke",
            "--server-bin",
            codex.to_str().unwrap(),
            "plugin-analytics-smoke",
            "--plugin-id",
            "alpha@openai-curated-remote",
        ],
    );
    assert_eq!(
        outcome(&output),
        "PASS: disabled, enabled and used events validated for `alpha@openai-curated-remote`",
        "{}",
        text(&output)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(&format!("\"remote_plugin_id\": \"{}\"", world.used_id)),
        "{stdout}"
    );
    let config = world.home.config_text();
    assert!(!config.contains("enabled = false"), "{config}");
}
