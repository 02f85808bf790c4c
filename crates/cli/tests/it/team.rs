//! `berth serve` for a team (issue 14), through the real binaries: a production (non `--dev`)
//! service over https with a test CA; an admin mints tokens on the database and over HTTP; a
//! plugin author on a second machine (a second Codex home holding only a `publish` token) logs
//! in and publishes over HTTP; a user logs in with a `read` token and installs; Codex 0.169.0
//! installs from the same service with berth's login; revoked tokens stop working; logging out
//! puts the earlier login back.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use berth_test_support::{AppServerClient, TestHome, codex_bin};
use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use crate::berth_bin;
use crate::remote::{plugin_source, spawn_serve};

/// `berth <args>` in `home`, with the test CA trusted and `stdin` fed to it.
fn berth_in(home: &TestHome, ca: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = home
        .command(berth_bin())
        .env("CODEX_CA_CERTIFICATE", ca)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn ok(output: Output) -> String {
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap()
}

/// `berth serve <admin args> --data-dir <dir>`: the printed token.
fn mint_on_database(data_dir: &Path, args: &[&str]) -> String {
    let output = Command::new(berth_bin())
        .args(["serve", "token", "add"])
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .output()
        .unwrap();
    ok(output).trim().to_owned()
}

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "one end-to-end scenario, step by step"
)]
fn a_team_logs_in_publishes_over_http_and_installs_with_berth_and_codex() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("serve");
    let ca = berth_server::write_loopback_ca(dir.path()).unwrap();
    for account in ["admin", "ci", "bob"] {
        let status = Command::new(berth_bin())
            .args(["serve", "account", "add", account, "--data-dir"])
            .arg(&data_dir)
            .status()
            .unwrap();
        assert!(status.success());
    }
    let admin = mint_on_database(&data_dir, &["admin", "--scope", "admin"]);
    let tls_cert = ca.tls.cert.to_str().unwrap().to_owned();
    let tls_key = ca.tls.key.to_str().unwrap().to_owned();
    let (mut serve, api) =
        spawn_serve(&data_dir, &["--tls-cert", &tls_cert, "--tls-key", &tls_key]);
    let origin = api.trim_end_matches("/backend-api").to_owned();

    // The author's machine: only a publish token, minted over HTTP by the admin.
    let author = TestHome::new();
    let publish_token = ok(berth_in(
        &author,
        &ca.ca_pem,
        &[
            "serve",
            "token",
            "add",
            "ci",
            "--scope",
            "publish",
            "--service",
            &origin,
            "--token",
            &admin,
        ],
        None,
    ))
    .trim()
    .to_owned();
    let login = ok(berth_in(
        &author,
        &ca.ca_pem,
        &["login", "--service", &origin, "--token-stdin", "--json"],
        Some(&publish_token),
    ));
    let login: Value = serde_json::from_str(&login).unwrap();
    assert_eq!(login["accountId"], json!("ci"));
    assert_eq!(login["scopes"], json!(["publish"]));
    let source = plugin_source(author.root(), "tracker", "1.0.0", "Track things.");
    let source = source.to_str().unwrap();
    let dry = ok(berth_in(
        &author,
        &ca.ca_pem,
        &["publish", source, "--dry-run"],
        None,
    ));
    assert!(dry.contains(".codex-plugin/plugin.json"), "{dry}");
    assert!(dry.contains("would publish tracker 1.0.0"), "{dry}");
    let published = ok(berth_in(
        &author,
        &ca.ca_pem,
        &["publish", source, "--service", &origin, "--json"],
        None,
    ));
    let published: Value = serde_json::from_str(&published).unwrap();
    assert_eq!(
        (published["id"].clone(), published["created"].clone()),
        (json!("plugins~Plugin_tracker"), json!(true))
    );
    let again = ok(berth_in(
        &author,
        &ca.ca_pem,
        &["publish", source, "--service", &origin],
        None,
    ));
    assert!(again.contains("nothing changed"), "{again}");
    // Other bytes under the same version are refused, with the fix in the message.
    let changed = plugin_source(
        &author.root().join("changed"),
        "tracker",
        "1.0.0",
        "Changed.",
    );
    let refused = berth_in(
        &author,
        &ca.ca_pem,
        &["publish", changed.to_str().unwrap(), "--service", &origin],
        None,
    );
    assert_eq!(refused.status.code(), Some(1), "{refused:?}");
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("raise `version`"),
        "{refused:?}"
    );

    // A user: an API-key login before, a read token now; berth installs from the service.
    let user = TestHome::new();
    berth_auth::test_support::write_api_key_test_auth(&user.codex_home(), "sk-before").unwrap();
    let before = std::fs::read(user.codex_home().join("auth.json")).unwrap();
    let read_token = ok(berth_in(
        &user,
        &ca.ca_pem,
        &[
            "serve",
            "token",
            "add",
            "bob",
            "--service",
            &origin,
            "--token",
            &admin,
        ],
        None,
    ))
    .trim()
    .to_owned();
    ok(berth_in(
        &user,
        &ca.ca_pem,
        &["login", "--service", &origin, "--token-stdin"],
        Some(&read_token),
    ));
    let whoami = ok(berth_in(&user, &ca.ca_pem, &["whoami"], None));
    assert!(
        whoami.contains("`bob`") && whoami.contains("scopes: read"),
        "{whoami}"
    );
    ok(berth_in(
        &user,
        &ca.ca_pem,
        &["plugin", "add", "tracker@openai-curated-remote"],
        None,
    ));
    assert!(
        user.codex_home()
            .join("plugins/cache/openai-curated-remote/tracker/1.0.0/.codex-plugin/plugin.json")
            .is_file()
    );

    // Codex 0.169.0 installs from the same production service with berth's login.
    if let Some(codex) = codex_bin() {
        let codex_home = TestHome::new();
        ok(berth_in(
            &codex_home,
            &ca.ca_pem,
            &["login", "--service", &origin, "--token-stdin"],
            Some(&read_token),
        ));
        let mut command = codex_home.command(&codex);
        command.env("CODEX_CA_CERTIFICATE", &ca.ca_pem).args([
            "-c",
            "features.plugins=true",
            "-c",
            "features.remote_plugin=true",
            "app-server",
        ]);
        let mut client = AppServerClient::spawn(command);
        client.initialize("berth-team");
        let install = client.call(
            "plugin/install",
            json!({"remoteMarketplaceName": "openai-curated-remote", "pluginName": "plugins~Plugin_tracker"}),
        );
        assert!(install.get("result").is_some(), "plugin/install: {install}");
        drop(client);
        assert!(
            codex_home
                .codex_home()
                .join("plugins/cache/openai-curated-remote/tracker/1.0.0/.codex-plugin/plugin.json")
                .is_file()
        );
    } else {
        assert!(
            std::env::var_os("CI").is_none(),
            "the Codex peer must be installed in CI"
        );
    }

    // Revoked over HTTP: the user's token stops working.
    let tokens = ok(berth_in(
        &user,
        &ca.ca_pem,
        &[
            "serve",
            "token",
            "list",
            "--account",
            "bob",
            "--json",
            "--service",
            &origin,
            "--token",
            &admin,
        ],
        None,
    ));
    let tokens: Value = serde_json::from_str(&tokens).unwrap();
    let id = tokens[0]["id"].as_str().unwrap().to_owned();
    ok(berth_in(
        &user,
        &ca.ca_pem,
        &[
            "serve",
            "token",
            "revoke",
            &id,
            "--service",
            &origin,
            "--token",
            &admin,
        ],
        None,
    ));
    let refused = berth_in(&user, &ca.ca_pem, &["whoami"], None);
    assert_eq!(refused.status.code(), Some(1), "{refused:?}");

    // Logging out puts the API-key login back and removes the base URL it added.
    ok(berth_in(&user, &ca.ca_pem, &["logout"], None));
    assert_eq!(
        std::fs::read(user.codex_home().join("auth.json")).unwrap(),
        before
    );
    let config = std::fs::read_to_string(user.codex_home().join("config.toml")).unwrap_or_default();
    assert!(!config.contains("chatgpt_base_url"), "{config}");
    serve.kill().unwrap();
    serve.wait().unwrap();
}
