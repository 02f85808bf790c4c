//! Issue 11 items E and 9: what a killed `berth` leaves behind (another plugin's install
//! staging, remote bundle staging, config temp files) is swept by the next mutating command
//! of any plugin, and only berth's own leftovers are: Codex's `$CODEX_HOME/.tmp/` and
//! tempfile's default `.tmpXXXXXX` names stay. Kills are real SIGKILLs of the `berth` binary.

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use berth_test_support::{MarketplaceFixture, TestHome, write};

use crate::remote::{Serve, plugin_source, remote_home};
use crate::{berth_bin, berth_ok};

/// Entries of `dir` whose names start with `prefix`.
fn entries_with_prefix(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|entry| entry.file_name().to_string_lossy().starts_with(prefix))
        .map(|entry| entry.path())
        .collect()
}

/// Starts `berth <args>` and SIGKILLs it as soon as `dir` holds an entry named `prefix*`.
fn kill_when_staged(home: &TestHome, args: &[&str], dir: &Path, prefix: &str) {
    let mut child: Child = home
        .command(berth_bin())
        .env("CODEX_TEST_ALLOW_HTTP_REMOTE_PLUGIN_BUNDLE_DOWNLOADS", "1")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while entries_with_prefix(dir, prefix).is_empty() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "berth {args:?} ended before it staged anything in `{}`",
            dir.display()
        );
        assert!(Instant::now() < deadline, "berth {args:?} never staged");
        std::thread::sleep(Duration::from_millis(1));
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

/// A plugin source with `files` small files, slow enough to copy or extract that a kill
/// lands midway.
fn add_many_files(dir: &Path, files: usize) {
    for index in 0..files {
        write(
            &dir.join(format!("assets/{:02}/file-{index:05}.txt", index % 50)),
            "x",
        );
    }
}

/// Issue 11 item E: a killed install of one plugin left `plugin-install-<plugin>.*` for ever,
/// because only an install of the same plugin swept it.
#[test]
fn a_killed_install_is_swept_by_the_next_command_on_another_plugin() {
    let home = TestHome::new();
    let market = MarketplaceFixture::new(home.root().join("market"), "debug")
        .plugin("big", None, 2)
        .plugin("small", None, 2);
    add_many_files(&market.plugin_dir("big"), 6_000);
    berth_ok(
        &home,
        &["marketplace", "add", market.root().to_str().unwrap()],
    );
    let marketplace_dir = home.codex_home().join("plugins/cache/debug");
    kill_when_staged(
        &home,
        &["plugin", "add", "big@debug"],
        &marketplace_dir,
        "plugin-install-big.",
    );
    assert_eq!(
        entries_with_prefix(&marketplace_dir, "plugin-install-big.").len(),
        1
    );
    // What Codex leaves after its own kills has no owner berth can check: it stays.
    std::fs::create_dir_all(marketplace_dir.join("plugin-install-Ab12Cd")).unwrap();

    berth_ok(&home, &["plugin", "add", "small@debug"]);
    assert_eq!(
        entries_with_prefix(&marketplace_dir, "plugin-install-"),
        vec![marketplace_dir.join("plugin-install-Ab12Cd")]
    );
}

/// Issue 11 item E: config temp files of a killed writer stayed beside config.toml; berth's
/// now carry their own prefix, and Codex's `.tmp/` folder and `.tmpXXXXXX` files are kept.
#[test]
fn stale_config_temp_files_are_swept_and_codex_temp_names_kept() {
    let home = TestHome::new();
    let market =
        MarketplaceFixture::new(home.root().join("market"), "debug").plugin("small", None, 2);
    let codex_home = home.codex_home();
    write(
        &codex_home.join(".config.toml.berth-tmp-Q1w2E3"),
        "half a config",
    );
    write(&codex_home.join(".tmpXy12Zz"), "someone else's temp file");
    write(
        &codex_home.join(".tmp/marketplaces/gm/.agents/plugins/marketplace.json"),
        "{}",
    );
    berth_ok(
        &home,
        &["marketplace", "add", market.root().to_str().unwrap()],
    );
    assert!(!codex_home.join(".config.toml.berth-tmp-Q1w2E3").exists());
    assert!(codex_home.join(".tmpXy12Zz").exists());
    assert!(
        codex_home
            .join(".tmp/marketplaces/gm/.agents/plugins/marketplace.json")
            .exists()
    );
    // Writes use the berth prefix, and leave nothing behind.
    berth_ok(&home, &["plugin", "add", "small@debug"]);
    assert!(entries_with_prefix(&codex_home, ".config.toml.berth-tmp-").is_empty());
}

/// Issue 11 item 9: a SIGKILL during extraction left the extracted files in
/// `plugins/.remote-plugin-install-staging/` for ever (112 MB observed).
#[test]
fn a_remote_install_killed_during_extraction_is_swept() {
    let serve = Serve::start();
    let home = remote_home(&serve);
    let sources = tempfile::tempdir().unwrap();
    let big = plugin_source(sources.path(), "big", "1.0.0", "hello");
    add_many_files(&big, 6_000);
    let id = serve.publish(&big, &[]);
    let staging = home
        .codex_home()
        .join("plugins/.remote-plugin-install-staging");
    kill_when_staged(
        &home,
        &["plugin", "add", &id],
        &staging,
        "remote-plugin-bundle-",
    );
    assert_eq!(
        entries_with_prefix(&staging, "remote-plugin-bundle-").len(),
        1
    );
    let market =
        MarketplaceFixture::new(home.root().join("market"), "debug").plugin("small", None, 2);
    berth_ok(
        &home,
        &["marketplace", "add", market.root().to_str().unwrap()],
    );
    assert!(entries_with_prefix(&staging, "remote-plugin-bundle-").is_empty());
    // Nothing of the killed install reached the cache.
    assert!(
        !home
            .codex_home()
            .join("plugins/cache/openai-curated-remote/big")
            .exists()
    );
}

/// Issue 11 item E: when the cache install succeeded but config.toml could not be saved (a
/// full disk), the new cache entry stayed behind as an orphan. A file size limit makes the
/// config write fail with `EFBIG` without privileges, as a full disk would.
#[test]
fn a_config_toml_that_cannot_be_saved_rolls_the_new_cache_entry_back() {
    let home = TestHome::new();
    let market =
        MarketplaceFixture::new(home.root().join("market"), "debug").plugin("small", None, 2);
    berth_ok(
        &home,
        &["marketplace", "add", market.root().to_str().unwrap()],
    );
    // A config far larger than the limit below; the plugin's files are far smaller.
    let mut config = std::fs::read_to_string(home.config_path()).unwrap();
    config.push_str(&"# a long comment line that makes config.toml large\n".repeat(4_000));
    write(&home.config_path(), &config);
    let mut command = home.command(Path::new("/bin/sh"));
    command
        .arg("-c")
        .arg(r#"trap "" XFSZ; ulimit -f 64; exec "$0" "$@""#)
        .arg(berth_bin())
        .args(["plugin", "add", "small@debug"]);
    let output = command.output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("config.toml"), "{stderr}");
    assert_eq!(std::fs::read_to_string(home.config_path()).unwrap(), config);
    let cache = home.codex_home().join("plugins/cache/debug");
    assert!(!cache.join("small").exists(), "{stderr}");
    assert!(entries_with_prefix(&cache, "plugin-").is_empty());
}
