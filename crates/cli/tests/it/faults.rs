//! Crashes and contention: `berth` killed with SIGKILL at random points during installs and
//! upgrades, and eight processes installing and removing one plugin at once, must leave a
//! valid cache: each plugin has one complete active version or none, config.toml parses, and
//! no staging folder survives the next command.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use berth_test_support::{MarketplaceFixture, TestHome, write};

use crate::{berth, berth_bin, berth_ok};

const FILES: usize = 300;

/// Writes the plugin source for `version`: every file's text names the version, so an
/// installed copy can be checked file by file.
fn write_source(dir: &Path, version: &str) {
    write(
        &dir.join(".codex-plugin/plugin.json"),
        &format!(r#"{{"name":"victim","version":"{version}"}}"#),
    );
    for index in 0..FILES {
        write(
            &dir.join(format!("data/file-{index:04}.txt")),
            &format!("{version} {index}\n"),
        );
    }
}

fn version_dirs(base: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(base) else {
        return Vec::new();
    };
    let mut versions: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_dir()))
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    versions.sort();
    versions
}

/// Every version folder present is complete, and the cache holds no staging leftovers except
/// the ones a killed process may leave for the next command.
fn assert_valid_cache(home: &TestHome, allow_leftovers: bool) {
    let cache = home.codex_home().join("plugins/cache/m");
    let base = cache.join("victim");
    for version in version_dirs(&base) {
        let root = base.join(&version);
        let manifest = std::fs::read_to_string(root.join(".codex-plugin/plugin.json"))
            .unwrap_or_else(|err| panic!("version {version} has no manifest: {err}"));
        assert!(
            manifest.contains(&format!("\"{version}\"")),
            "{version}: {manifest}"
        );
        for index in 0..FILES {
            let text = std::fs::read_to_string(root.join(format!("data/file-{index:04}.txt")))
                .unwrap_or_else(|err| panic!("version {version} is missing file {index}: {err}"));
            assert_eq!(
                text,
                format!("{version} {index}\n"),
                "version {version} file {index}"
            );
        }
    }
    berth_config::ConfigFile::load(&home.config_path()).expect("config.toml parses");
    if !allow_leftovers {
        let leftovers: Vec<PathBuf> = std::fs::read_dir(&cache)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|entry| entry.path())
                    .filter(|path| {
                        path.file_name()
                            .is_some_and(|name| name.to_string_lossy().starts_with("plugin-"))
                    })
                    .collect()
            })
            .unwrap_or_default();
        assert!(
            leftovers.is_empty(),
            "staging folders survived: {leftovers:?}"
        );
        assert!(
            version_dirs(&base).len() <= 1,
            "more than one version: {:?}",
            version_dirs(&base)
        );
    }
}

fn setup() -> (TestHome, PathBuf) {
    let home = TestHome::new();
    let market = MarketplaceFixture::new(home.root().join("market"), "m")
        .entry(serde_json::json!({"name": "victim", "source": "./plugins/victim"}));
    let source = market.plugin_dir("victim");
    write_source(&source, "1.0.0");
    berth_ok(
        &home,
        &["marketplace", "add", market.root().to_str().unwrap()],
    );
    (home, source)
}

#[test]
fn sigkill_during_installs_and_upgrades_leaves_a_valid_cache() {
    let (home, source) = setup();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut killed = 0;
    for run in 0..120 {
        // Alternate between reinstalling the same version, upgrading, and removing.
        let choice = next() % 6;
        if choice < 3 {
            let version = ["1.0.0", "1.1.0", "2.0.0"][usize::try_from(next() % 3).unwrap()];
            write_source(&source, version);
        }
        let args: &[&str] = if choice == 5 {
            &["plugin", "remove", "victim@m"]
        } else {
            &["plugin", "add", "victim@m"]
        };
        let mut child = home
            .command(berth_bin())
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(next() % 12_000));
        if child.try_wait().unwrap().is_none() {
            killed += 1;
        }
        let _ = child.kill();
        child.wait().unwrap();
        assert_valid_cache(&home, true);
        if run % 20 == 19 {
            // The next command cleans up after a crash.
            berth_ok(&home, &["plugin", "add", "victim@m"]);
            assert_valid_cache(&home, false);
        }
    }
    assert!(
        killed >= 20,
        "only {killed} runs were killed mid-flight; the test is not exercising crashes"
    );
    berth_ok(&home, &["plugin", "add", "victim@m"]);
    assert_valid_cache(&home, false);
    let listed = berth_ok(&home, &["plugin", "list", "--json"]);
    assert!(listed.contains("\"victim@m\""), "{listed}");
}

#[test]
fn eight_processes_installing_and_removing_one_plugin_serialize() {
    let (home, _source) = setup();
    let workers: Vec<_> = (0..8)
        .map(|worker| {
            let script = format!(
                "for i in 1 2 3 4 5 6; do {bin} plugin {op} victim@m >/dev/null 2>>errors-{worker}.log || echo \"failed $i\" >> errors-{worker}.log; done",
                bin = berth_bin().display(),
                op = if worker % 2 == 0 { "add" } else { "remove" },
            );
            let mut shell = home.command(Path::new("/bin/sh"));
            shell.arg("-c").arg(script);
            shell.spawn().unwrap()
        })
        .collect();
    for mut worker in workers {
        assert!(worker.wait().unwrap().success());
    }
    for worker in 0..8 {
        let log = std::fs::read_to_string(home.root().join(format!("errors-{worker}.log")))
            .unwrap_or_default();
        assert!(log.is_empty(), "worker {worker} failed:\n{log}");
    }
    assert_valid_cache(&home, false);
    // The cache and config agree after the dust settles.
    berth_ok(&home, &["plugin", "add", "victim@m"]);
    assert_valid_cache(&home, false);
    let output = berth(&home, &["plugin", "list", "--json"]);
    let listed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(listed["installed"][0]["pluginId"], "victim@m");
    assert_eq!(listed["installed"][0]["enabled"], true);
}
