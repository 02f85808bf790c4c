//! Issue 15, the items that need a plugin service, against a real `berth serve` (and the
//! Codex peer where it decides): `-c chatgpt_base_url` on plugin commands (item 1), toggling a
//! remote plugin (item 4), reading one (item 5), the catalog version in `plugin list --json`
//! (item 6), and the sync's wording and progress (items 9 and 13).

use std::process::Output;

use berth_test_support::{TestHome, codex_bin};
use pretty_assertions::assert_eq;
use serde_json::Value;

use crate::berth_bin;
use crate::remote::{Serve, plugin_source};
use crate::remote_codex::sign_test_tokens;
use crate::smokes::TlsServe;

struct World {
    serve: Serve,
    home: TestHome,
    /// `chatgpt_base_url="..."` for `-c`: config.toml names no service at all.
    override_url: String,
}

impl World {
    fn new() -> Self {
        let serve = Serve::start();
        let home = TestHome::new();
        berth_auth::test_support::write_chatgpt_test_auth(&home.codex_home()).unwrap();
        sign_test_tokens(&home.codex_home());
        let override_url = format!("chatgpt_base_url=\"{}\"", serve.api_url);
        Self {
            serve,
            home,
            override_url,
        }
    }

    fn berth(&self, args: &[&str]) -> Output {
        self.home
            .command(berth_bin())
            .env("CODEX_TEST_ALLOW_HTTP_REMOTE_PLUGIN_BUNDLE_DOWNLOADS", "1")
            .args(args)
            .output()
            .unwrap()
    }

    /// `berth -c chatgpt_base_url=... <args>`: the override before the subcommand.
    fn berth_c(&self, args: &[&str]) -> Output {
        let mut full = vec!["-c", self.override_url.as_str()];
        full.extend_from_slice(args);
        self.berth(&full)
    }

    fn transcript(&self, args: &[&str], output: &Output) -> String {
        let clean = |bytes: &[u8]| {
            String::from_utf8_lossy(bytes)
                .replace(&self.serve.api_url, "[SERVICE]")
                .replace(&self.home.root().to_string_lossy().into_owned(), "[HOME]")
        };
        format!(
            "$ berth -c chatgpt_base_url=[SERVICE] {}\nexit: {}\n--- stdout\n{}--- stderr\n{}",
            args.join(" "),
            output.status.code().unwrap_or(-1),
            clean(&output.stdout),
            // Download sizes depend on compression; keep the line, not the figure.
            hide_sizes(&clean(&output.stderr)),
        )
    }

    fn log(&self, commands: &[&[&str]]) -> String {
        commands
            .iter()
            .map(|args| self.transcript(args, &self.berth_c(args)))
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn json(&self, args: &[&str]) -> Value {
        let output = self.berth_c(args);
        assert!(output.status.success(), "{args:?}: {output:?}");
        serde_json::from_slice(&output.stdout).unwrap()
    }
}

/// `[1/1] linear 1.23 KiB` -> `[1/1] linear [SIZE]`.
fn hide_sizes(text: &str) -> String {
    text.split_inclusive('\n')
        .map(|line| {
            let trimmed = line.trim_end_matches('\n');
            if trimmed.starts_with('[') && trimmed.ends_with('B') {
                let words: Vec<&str> = trimmed.split(' ').take(2).collect();
                format!("{} [SIZE]{}", words.join(" "), &line[trimmed.len()..])
            } else {
                line.to_owned()
            }
        })
        .collect()
}

#[test]
fn r15_remote_plugins_follow_the_override_read_toggle_report_the_catalog_version_and_sync_in_words()
{
    let world = World::new();
    let sources = tempfile::tempdir().unwrap();
    world
        .serve
        .publish(&plugin_source(sources.path(), "linear", "0.1.0", "v1"), &[]);
    let before = world.home.config_text();

    // Item 1: the override reaches the plugin commands, before or after the subcommand.
    let added = world.berth(&[
        "plugin",
        "add",
        "linear@openai-curated-remote",
        "-c",
        &world.override_url,
    ]);
    assert!(added.status.success(), "{added:?}");

    // Items 4 and 5: a remote plugin's state lives on the service; reads go through it.
    let first = world.log(&[
        &["plugin", "read", "linear@openai-curated-remote"],
        &["plugin", "read", "plugins~Plugin_linear", "--json"],
        &["plugin", "enable", "linear@openai-curated-remote", "--json"],
        &[
            "plugin",
            "disable",
            "linear@openai-curated-remote",
            "--json",
        ],
        &["plugin", "list"],
    ]);
    assert_eq!(world.home.config_text(), before, "config.toml was written");

    // Item 6: a newer release in the catalog; the cache still holds 0.1.0.
    world
        .serve
        .publish(&plugin_source(sources.path(), "linear", "0.2.0", "v2"), &[]);
    let listed = world.json(&["plugin", "list", "--json"]);
    assert_eq!(listed["installed"][0]["version"], "0.2.0");
    if let Some(codex) = codex_bin() {
        let output = world
            .home
            .command(&codex)
            .args(["-c", &world.override_url, "plugin", "list", "--json"])
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        let codex_listed: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(listed, codex_listed, "berth and Codex list the same home");
    }

    // Items 9 and 13: the sync says what it did, with versions, and shows each download.
    let second = world.log(&[
        &["plugin", "list"],
        &["plugin", "sync"],
        &["plugin", "sync", "--json"],
    ]);
    insta::assert_snapshot!(format!("{first}\n{second}"));
}

/// README item: the errors for an http bundle URL and for a certificate from an unknown
/// authority point at the README's certificate section.
#[test]
fn r15_readme_certificate_errors_point_at_the_readme() {
    // An http service (its bundle URLs are http) without the debug-only allowance.
    let world = World::new();
    let sources = tempfile::tempdir().unwrap();
    world
        .serve
        .publish(&plugin_source(sources.path(), "linear", "0.1.0", "v1"), &[]);
    let output = world
        .home
        .command(berth_bin())
        .env_remove("CODEX_TEST_ALLOW_HTTP_REMOTE_PLUGIN_BUNDLE_DOWNLOADS")
        .args([
            "-c",
            &world.override_url,
            "plugin",
            "add",
            "plugins~Plugin_linear",
        ])
        .output()
        .unwrap();
    let http = world.transcript(&["plugin", "add", "plugins~Plugin_linear"], &output);

    // An https service whose CA the client was not given.
    let tls = TlsServe::start();
    tls.publish(&plugin_source(sources.path(), "beta", "1.0.0", "v1"));
    let home = tls.home();
    let output = home
        .command(berth_bin())
        .env_remove("CODEX_CA_CERTIFICATE")
        .args(["plugin", "add", "beta@openai-curated-remote"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let hint = stderr
        .lines()
        .find(|line| line.starts_with("hint: "))
        .unwrap_or_else(|| panic!("no hint in:\n{stderr}"));
    // The section both hints name exists under that title.
    let readme =
        std::fs::read_to_string(berth_test_support::workspace_root().join("README.md")).unwrap();
    assert!(
        readme
            .lines()
            .any(|line| line == "## Certificates and https"),
        "the README has no section \"Certificates and https\""
    );
    assert!(hint.contains("\"Certificates and https\""), "{hint}");
    insta::assert_snapshot!(format!(
        "{http}\n$ berth plugin add beta@openai-curated-remote (https, CA not trusted)\nexit: {}\n{hint}",
        output.status.code().unwrap_or(-1)
    ));
}
