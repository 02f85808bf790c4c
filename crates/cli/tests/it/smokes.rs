//! The smoke workflows (`berth smoke ...`) against `berth app-server` and a real `berth serve`
//! on 127.0.0.1: the non-mutating analytics smoke and the mutation smoke pass with events read
//! from the debug capture file and from the loopback collector (the release-build path), they
//! refuse what they must, and the recovery command returns the account to its original state.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};

use berth_test_support::{TestHome, write};

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

pub(crate) fn text(output: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The smoke's one outcome line: the last stdout line starting with PASS or FAIL.
pub(crate) fn outcome(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .rev()
        .find(|line| line.starts_with("PASS") || line.starts_with("FAIL"))
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
    let config_before = world.home.config_text();
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
    // The debug server honours CODEX_APP_SERVER_TEST_USER_CONFIG_FILE: the toggles went to the
    // smoke's temporary config, never to the user's config.toml.
    assert_eq!(world.home.config_text(), config_before);
    assert!(!stdout.contains("only writes its user config"), "{stdout}");
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
        // berth sends the uninstalled event, so `auto` required and validated it.
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            stdout.contains("\"event_type\": \"codex_plugin_uninstalled\"")
                && !stdout.contains("not asserted"),
            "{stdout}"
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
fn analytics_smoke_passes_against_codex_app_server_pointed_at_berth_serve_over_https() {
    for peer in berth_test_support::codex_peers() {
        analytics_smoke_passes_against(&peer.bin);
    }
}

fn analytics_smoke_passes_against(codex: &Path) {
    let serve = TlsServe::start();
    let sources = tempfile::tempdir().unwrap();
    let used_id = serve.publish(&plugin_source(sources.path(), "alpha", "1.0.0", "Alpha."));
    let home = serve.home();
    let added = serve.run(
        &home,
        berth_bin(),
        &["plugin", "add", "alpha@openai-curated-remote"],
    );
    assert!(added.status.success(), "{}", text(&added));
    let config_before = home.config_text();
    // Release Codex refuses writes to any config file but its user config; the smoke falls back
    // to that file and restores the original state.
    let output = serve.run(
        &home,
        berth_bin(),
        &[
            "smoke",
            "--server-bin",
            codex.to_str().unwrap(),
            "--ca-certificate",
            serve.ca_pem.to_str().unwrap(),
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
        stdout.contains(&format!("\"remote_plugin_id\": \"{used_id}\"")),
        "{stdout}"
    );
    assert_eq!(home.config_text(), config_before);
}

/// `berth serve --dev` over https with a loopback test CA (release builds and Codex download
/// bundles over https only); killed on drop.
pub(crate) struct TlsServe {
    child: Child,
    pub(crate) api_url: String,
    pub(crate) data_dir: PathBuf,
    pub(crate) ca_pem: PathBuf,
    _dir: tempfile::TempDir,
}

impl TlsServe {
    pub(crate) fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let ca = berth_server::write_loopback_ca(dir.path()).unwrap();
        let data_dir = dir.path().join("serve");
        let tls = [
            "--dev".as_ref(),
            "--tls-cert".as_ref(),
            ca.tls.cert.as_os_str(),
            "--tls-key".as_ref(),
            ca.tls.key.as_os_str(),
        ];
        let (child, api_url) = crate::remote::spawn_serve(&data_dir, &tls);
        assert!(api_url.starts_with("https://127.0.0.1:"), "{api_url}");
        Self {
            child,
            api_url,
            data_dir,
            ca_pem: ca.ca_pem,
            _dir: dir,
        }
    }

    /// Publishes `dir` as a GLOBAL plugin and returns the backend id.
    pub(crate) fn publish(&self, dir: &Path) -> String {
        let output = Command::new(berth_bin())
            .arg("publish")
            .arg(dir)
            .arg("--data-dir")
            .arg(&self.data_dir)
            .arg("--json")
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        let item: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        item["id"]
            .as_str()
            .or_else(|| item["item"]["id"].as_str())
            .unwrap()
            .to_owned()
    }

    /// A Codex home logged in with a test account and pointed at this service.
    pub(crate) fn home(&self) -> TestHome {
        let home = TestHome::new();
        berth_auth::test_support::write_chatgpt_test_auth(&home.codex_home()).unwrap();
        write(
            &home.config_path(),
            &format!("chatgpt_base_url = \"{}\"\n", self.api_url),
        );
        home
    }

    /// `program <args>` in `home`, trusting the test CA.
    pub(crate) fn run(&self, home: &TestHome, program: &Path, args: &[&str]) -> Output {
        home.command(program)
            .env("CODEX_CA_CERTIFICATE", &self.ca_pem)
            .args(args)
            .output()
            .unwrap()
    }

    /// Whether the service lists `remote_id` as installed for the home's account.
    pub(crate) fn is_installed(&self, home: &TestHome, remote_id: &str) -> bool {
        let output = self.run(home, berth_bin(), &["plugin", "list", "--json"]);
        assert!(output.status.success(), "{}", text(&output));
        let listed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        listed["installed"]
            .as_array()
            .unwrap()
            .iter()
            .any(|entry| entry.to_string().contains(remote_id))
    }
}

impl Drop for TlsServe {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn mutation_smoke_passes_against_codex_app_server_over_https_with_both_events_required() {
    for peer in berth_test_support::codex_peers() {
        mutation_smoke_passes_against(&peer);
    }
}

fn mutation_smoke_passes_against(peer: &berth_test_support::CodexPeer) {
    let codex = &peer.bin;
    let serve = TlsServe::start();
    let sources = tempfile::tempdir().unwrap();
    let remote_id = serve.publish(&plugin_source(sources.path(), "beta", "2.0.0", "Beta."));
    let home = serve.home();
    let ca = serve.ca_pem.to_str().unwrap();
    let smoke = |extra: &[&str]| {
        let mut args = vec![
            "smoke",
            "--server-bin",
            codex.to_str().unwrap(),
            "--ca-certificate",
            ca,
            "plugin-analytics-mutation-smoke",
            "--remote-plugin-id",
            &remote_id,
            "--confirm-account-mutation",
        ];
        args.extend_from_slice(extra);
        serve.run(&home, berth_bin(), &args)
    };
    let cache = home
        .codex_home()
        .join("plugins/cache/openai-curated-remote/beta");
    // `--uninstall-event optional` is berth's own option; one Codex release covers it.
    let variants: &[&[&str]] = if peer.version == berth_test_support::CODEX_PEER_VERSION {
        &[&[], &["--uninstall-event", "optional"]]
    } else {
        &[&[]]
    };
    for extra in variants {
        let output = smoke(extra);
        assert_eq!(
            outcome(&output),
            "PASS: analytics validated; original uninstalled state restored",
            "{}",
            text(&output)
        );
        // Codex sends the uninstalled event too (with the local and the backend id).
        let stdout = String::from_utf8_lossy(&output.stdout);
        let event = |kind: &str| {
            format!(
                "\"event_type\": \"{kind}\",\n  \"event_params\": {{\n    \"plugin_id\": \"beta@openai-curated-remote\",\n    \"remote_plugin_id\": \"{remote_id}\""
            )
        };
        assert!(
            stdout.contains(&format!(
                "server: codex-cli {0} (userAgent `berth-test-client/{0}",
                peer.version
            )) && stdout.contains(&event("codex_plugin_installed"))
                && stdout.contains(&event("codex_plugin_uninstalled")),
            "{stdout}"
        );
        assert_eq!(
            stdout.contains("note: uninstall analytics not asserted"),
            !extra.is_empty(),
            "{stdout}"
        );
        assert!(!serve.is_installed(&home, &remote_id));
        assert!(!cache.exists());
    }
}

/// The release `berth` binary `scripts/test` builds once and names in `BERTH_RELEASE_BIN`
/// (so no test binary is compiled in release). Unset, the test is skipped locally and fails in
/// CI, like the Codex peer.
pub(crate) fn release_berth() -> Option<PathBuf> {
    let Some(path) = std::env::var_os("BERTH_RELEASE_BIN") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "BERTH_RELEASE_BIN must name the release `berth` binary in CI; scripts/test builds it with `cargo build --release --locked -p berth-cli --bin berth`"
        );
        return None;
    };
    let path = PathBuf::from(path);
    assert!(
        path.is_file(),
        "BERTH_RELEASE_BIN `{}` is not a file",
        path.display()
    );
    Some(path)
}

#[test]
fn release_berth_passes_both_smokes_through_the_collector_ignores_the_capture_file_and_runs_the_quickstart()
 {
    let Some(release) = release_berth() else {
        eprintln!("skipping: BERTH_RELEASE_BIN is not set (scripts/test sets it)");
        return;
    };
    // Release builds download bundles over https only.
    let serve = TlsServe::start();
    let sources = tempfile::tempdir().unwrap();
    let used_id = serve.publish(&plugin_source(sources.path(), "alpha", "1.0.0", "Alpha."));
    let mutated_id = serve.publish(&plugin_source(sources.path(), "beta", "2.0.0", "Beta."));
    let home = serve.home();
    let added = serve.run(
        &home,
        &release,
        &["plugin", "add", "alpha@openai-curated-remote"],
    );
    assert!(added.status.success(), "{}", text(&added));
    // The capture hook is debug-only: a release server must not create this file.
    let ignored = home.root().join("ignored-capture.jsonl");
    let ca = serve.ca_pem.to_str().unwrap();
    let smoke = |args: &[&str]| {
        home.command(&release)
            .env("CODEX_CA_CERTIFICATE", &serve.ca_pem)
            .env("CODEX_ANALYTICS_EVENTS_CAPTURE_FILE", &ignored)
            .args(["smoke", "--ca-certificate", ca])
            .args(args)
            .output()
            .unwrap()
    };

    let analytics = smoke(&[
        "plugin-analytics-smoke",
        "--plugin-id",
        "alpha@openai-curated-remote",
    ]);
    assert_eq!(
        outcome(&analytics),
        "PASS: disabled, enabled and used events validated for `alpha@openai-curated-remote`",
        "{}",
        text(&analytics)
    );
    let stdout = String::from_utf8_lossy(&analytics.stdout);
    assert!(
        stdout.contains("collector: http://127.0.0.1:")
            && stdout.contains(&format!("\"remote_plugin_id\": \"{used_id}\"")),
        "{stdout}"
    );

    let mutation = smoke(&[
        "plugin-analytics-mutation-smoke",
        "--remote-plugin-id",
        &mutated_id,
        "--confirm-account-mutation",
    ]);
    assert_eq!(
        outcome(&mutation),
        "PASS: analytics validated; original uninstalled state restored",
        "{}",
        text(&mutation)
    );
    let stdout = String::from_utf8_lossy(&mutation.stdout);
    assert!(
        stdout.contains("\"event_type\": \"codex_plugin_uninstalled\""),
        "{stdout}"
    );
    assert!(!serve.is_installed(&home, &mutated_id));
    assert!(
        !ignored.exists(),
        "the release server wrote the debug-only capture file"
    );

    // The README's first command, on a fresh machine: embedded defaults, loopback only.
    let quickstart = home.command(&release).arg("quickstart").output().unwrap();
    assert!(quickstart.status.success(), "{}", text(&quickstart));
    assert!(
        String::from_utf8_lossy(&quickstart.stdout)
            .contains("\n  result:     every step did what it should\n"),
        "{}",
        text(&quickstart)
    );
}
