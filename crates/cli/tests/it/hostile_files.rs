//! Issue 11 item 12: files in the Codex home or a marketplace that are FIFOs, or symlinks to
//! `/dev/zero`, must make `berth` report the file, never hang or read without end.

use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use berth_test_support::{MarketplaceFixture, TestHome, mkfifo};

use crate::{berth_bin, berth_ok};

/// Far more than any of these commands needs; a hung command is killed at this point.
const DEADLINE: Duration = Duration::from_secs(30);

/// Runs `berth <args>`, killing it if it is still running after [`DEADLINE`].
fn berth_within_deadline(home: &TestHome, args: &[&str]) -> Output {
    let mut child = home
        .command(berth_bin())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > DEADLINE {
            child.kill().unwrap();
            let output = child.wait_with_output().unwrap();
            panic!(
                "berth {args:?} still running after {DEADLINE:?}\nstderr:\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn installed_home() -> (TestHome, MarketplaceFixture) {
    let home = TestHome::new();
    let market =
        MarketplaceFixture::new(home.root().join("market"), "debug").plugin("sample", None, 2);
    berth_ok(
        &home,
        &["marketplace", "add", market.root().to_str().unwrap()],
    );
    berth_ok(&home, &["plugin", "add", "sample@debug"]);
    (home, market)
}

/// Issue 11 item 12: `config.toml` as a FIFO hung every command.
#[test]
fn a_fifo_config_toml_is_reported_not_waited_on() {
    let (home, _market) = installed_home();
    mkfifo(&home.config_path());
    for args in [
        ["plugin", "list"].as_slice(),
        &["plugin", "disable", "sample@debug"],
    ] {
        let output = berth_within_deadline(&home, args);
        assert!(!output.status.success(), "{args:?}");
        let text = stderr(&output);
        assert!(
            text.contains("config.toml` is a FIFO, not a regular file"),
            "{args:?}: {text}"
        );
    }
}

/// Issue 11 item 12: the sidecar as a FIFO hung commands on a remote plugin (its
/// `remote_plugin_id` is read from it). `plugin remove` reads it before it calls the service,
/// here a closed port: the command must get past the FIFO and fail on the service instead.
#[test]
fn a_fifo_sidecar_is_reported_not_waited_on() {
    let (home, _market) = installed_home();
    let cache = home.codex_home().join("plugins/cache");
    // The same cached bundle, as a remote install would have left it.
    berth_fs::rename(&cache.join("debug"), &cache.join("openai-curated-remote")).unwrap();
    mkfifo(&cache.join("openai-curated-remote/sample/.codex-remote-plugin-install.json"));
    berth_auth::test_support::write_chatgpt_test_auth(&home.codex_home()).unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base_url = format!(
        "chatgpt_base_url=\"http://{}/backend-api\"",
        closed.local_addr().unwrap()
    );
    drop(closed);
    let output = berth_within_deadline(
        &home,
        &[
            "plugin",
            "remove",
            "sample@openai-curated-remote",
            "-c",
            &base_url,
        ],
    );
    let stderr = stderr(&output);
    assert!(!output.status.success(), "{stderr}");
    assert!(stderr.contains("127.0.0.1"), "{stderr}");
}

/// Issue 11 item 12: a marketplace file that is a FIFO hung `marketplace add`; a plugin
/// component file (`.mcp.json`) linked to `/dev/zero` was read without end when an event's
/// capability summary was built.
#[test]
fn fifo_marketplaces_and_dev_zero_manifests_are_reported() {
    let (home, _market) = installed_home();
    let mcp = home
        .codex_home()
        .join("plugins/cache/debug/sample/local/.mcp.json");
    symlink("/dev/zero", &mcp).unwrap();
    let output = berth_within_deadline(&home, &["plugin", "disable", "sample@debug"]);
    assert!(output.status.success(), "{}", stderr(&output));

    let fifo_market = home.root().join("fifo-market");
    std::fs::create_dir_all(fifo_market.join(".agents/plugins")).unwrap();
    mkfifo(&fifo_market.join(".agents/plugins/marketplace.json"));
    let output = berth_within_deadline(
        &home,
        &["marketplace", "add", fifo_market.to_str().unwrap()],
    );
    assert!(!output.status.success());
    let text = stderr(&output);
    assert!(
        text.contains("marketplace.json` is a FIFO, not a regular file"),
        "{text}"
    );
}

/// Issue 11 item 12: `auth.json` linked to `/dev/zero` was read until memory ran out.
#[test]
fn an_auth_json_linked_to_dev_zero_is_reported() {
    let (home, _market) = installed_home();
    symlink("/dev/zero", home.codex_home().join("auth.json")).unwrap();
    let output = berth_within_deadline(&home, &["plugin", "list"]);
    let text = stderr(&output);
    assert!(
        text.contains("auth.json` is a character device, not a regular file"),
        "{text}"
    );
}

/// A marketplace whose `evil` plugin source is `link` (a symlink made by `make_link`), and a
/// secret outside the marketplace it may lead to.
fn marketplace_with_linked_source(
    home: &TestHome,
    make_link: impl FnOnce(&Path, &Path),
) -> (MarketplaceFixture, std::path::PathBuf) {
    let outside = home.root().join("outside");
    berth_test_support::write(
        &outside.join(".codex-plugin/plugin.json"),
        r#"{"name":"evil"}"#,
    );
    berth_test_support::write(&outside.join("id_rsa"), "PRIVATE KEY");
    let market = MarketplaceFixture::new(home.root().join("market"), "debug")
        .plugin("good", None, 2)
        .entry(serde_json::json!({"name": "evil", "source": "./plugins/evil"}));
    make_link(&outside, &market.root().join("plugins/evil"));
    berth_ok(
        home,
        &["marketplace", "add", market.root().to_str().unwrap()],
    );
    (market, outside)
}

/// Issue 11 item 13: a plugin source that is a symlink to a folder outside the marketplace
/// was followed, and `id_rsa` from its target was copied into the cache.
#[test]
fn a_symlinked_plugin_source_root_is_refused() {
    let home = TestHome::new();
    let (_market, _outside) =
        marketplace_with_linked_source(&home, |outside, link| symlink(outside, link).unwrap());
    let output = berth_within_deadline(&home, &["plugin", "add", "evil@debug"]);
    assert!(!output.status.success());
    let text = stderr(&output);
    assert!(
        text.contains("plugins/evil` is a symlink; berth never installs a plugin source through a link, wherever it points"),
        "{text}"
    );
    assert!(!home.codex_home().join("plugins/cache/debug/evil").exists());
}

/// Issue 11 item 13: a source whose parent folder links outside the marketplace resolves
/// outside it, even though the entry itself is not a link.
#[test]
fn a_plugin_source_resolving_outside_the_marketplace_is_refused() {
    let home = TestHome::new();
    let (market, outside) = marketplace_with_linked_source(&home, |outside, link| {
        // `plugins/evil` is a real folder name reached through a linked parent.
        let parent = outside.parent().unwrap().join("elsewhere");
        std::fs::create_dir_all(&parent).unwrap();
        berth_fs::rename(outside, &parent.join("evil")).unwrap();
        std::fs::remove_dir_all(link.parent().unwrap()).unwrap();
        symlink(&parent, link.parent().unwrap()).unwrap();
    });
    let _ = outside;
    let output = berth_within_deadline(&home, &["plugin", "add", "evil@debug"]);
    assert!(!output.status.success());
    let text = stderr(&output);
    assert!(
        text.contains(&format!(
            "resolves outside the marketplace root `{}`",
            std::fs::canonicalize(market.root()).unwrap().display()
        )),
        "{text}"
    );
    assert!(!home.codex_home().join("plugins/cache/debug/evil").exists());
}
