//! Remote plugins through the `berth` binary against a real `berth serve` on 127.0.0.1 (a
//! child process in dev mode, plugins published with `berth publish`): list, add, remove and
//! sync, the cache and sidecar on disk, the analytics events the service ingests, and a
//! service that goes away or loses a bundle midway.

use std::io::{BufRead, BufReader};
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use berth_test_support::{TestHome, write};
use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use crate::berth_bin;

/// The sidecar berth writes for `plugins~Plugin_<name>`.
fn sidecar_text(remote_id: &str) -> String {
    format!("{{\n  \"schema_version\": 1,\n  \"remote_plugin_id\": \"{remote_id}\"\n}}\n")
}

/// Spawns `berth serve --bind 127.0.0.1:0 --data-dir <data_dir> <extra>` and returns it with the
/// API base URL its banner names.
pub(crate) fn spawn_serve(
    data_dir: &Path,
    extra: &[impl AsRef<std::ffi::OsStr>],
) -> (Child, String) {
    let mut child = Command::new(berth_bin())
        .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .args(extra)
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let api_url = read_api_url(&mut child);
    (child, api_url)
}

/// The API base URL from the banner `berth serve` prints first on stdout.
pub(crate) fn read_api_url(child: &mut Child) -> String {
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    line.split("API base URL: ")
        .nth(1)
        .and_then(|rest| rest.trim().strip_suffix(')'))
        .unwrap_or_else(|| panic!("unexpected `berth serve` banner: {line:?}"))
        .to_owned()
}

/// `berth serve --dev` on 127.0.0.1:0 with its data in a temp folder; killed on drop.
pub(crate) struct Serve {
    child: Option<Child>,
    pub(crate) data_dir: PathBuf,
    pub(crate) api_url: String,
    _data: tempfile::TempDir,
}

impl Serve {
    pub(crate) fn start() -> Self {
        let data = tempfile::tempdir().unwrap();
        let data_dir = data.path().join("serve");
        Self::start_in(data, data_dir, &["--dev"])
    }

    /// A service in production mode (registered tokens only) over `data_dir`.
    pub(crate) fn start_production(data_dir: &Path) -> Self {
        let data = tempfile::tempdir().unwrap();
        Self::start_in(data, data_dir.to_path_buf(), &[])
    }

    /// A service on `database_url` (e.g. `PostgreSQL`) with bundles under `data_dir`, which
    /// several instances may share.
    pub(crate) fn start_on(database_url: &str, data_dir: &Path) -> Self {
        let data = tempfile::tempdir().unwrap();
        Self::start_in(
            data,
            data_dir.to_path_buf(),
            &["--dev", "--database-url", database_url],
        )
    }

    fn start_in(data: tempfile::TempDir, data_dir: PathBuf, extra: &[&str]) -> Self {
        let (child, api_url) = spawn_serve(&data_dir, extra);
        Self {
            child: Some(child),
            data_dir,
            api_url,
            _data: data,
        }
    }

    /// Publishes `dir` (GLOBAL unless `extra` says otherwise) and returns the backend id.
    pub(crate) fn publish(&self, dir: &Path, extra: &[&str]) -> String {
        let output = Command::new(berth_bin())
            .arg("publish")
            .arg(dir)
            .arg("--data-dir")
            .arg(&self.data_dir)
            .arg("--json")
            .args(extra)
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        let item: Value = serde_json::from_slice(&output.stdout).unwrap();
        item["id"]
            .as_str()
            .or_else(|| item["item"]["id"].as_str())
            .unwrap_or_else(|| panic!("no id in {item}"))
            .to_owned()
    }

    /// The analytics events the service stored, as `(event_type, event_params)`.
    pub(crate) fn events(&self) -> Vec<(String, Value)> {
        let output = Command::new(berth_bin())
            .args(["serve", "events", "--json", "--data-dir"])
            .arg(&self.data_dir)
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        let events: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
        events
            .into_iter()
            .map(|event| {
                (
                    event["event_type"].as_str().unwrap().to_owned(),
                    event["event_params"].clone(),
                )
            })
            .collect()
    }

    /// Kills the service (SIGKILL) and waits for it.
    pub(crate) fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A Codex home logged in with a test `ChatGPT` account and pointed at `serve`.
pub(crate) fn remote_home(serve: &Serve) -> TestHome {
    let home = TestHome::new();
    berth_auth::test_support::write_chatgpt_test_auth(&home.codex_home()).unwrap();
    write(
        &home.config_path(),
        &format!("chatgpt_base_url = \"{}\"\n", serve.api_url),
    );
    home
}

/// A plugin folder `name` at `version` with one skill whose text is `body`.
pub(crate) fn plugin_source(parent: &Path, name: &str, version: &str, body: &str) -> PathBuf {
    let dir = parent.join(format!("src-{name}-{version}"));
    write(
        &dir.join(".codex-plugin/plugin.json"),
        &format!(r#"{{"name":"{name}","version":"{version}","description":"{name} plugin"}}"#),
    );
    write(
        &dir.join("skills/hello/SKILL.md"),
        &format!("---\nname: hello\ndescription: says hello\n---\n{body}\n"),
    );
    dir
}

/// `berth <args>` in `home`, allowed to download bundles over loopback http.
fn berth(home: &TestHome, args: &[&str]) -> Output {
    home.command(berth_bin())
        .env("CODEX_TEST_ALLOW_HTTP_REMOTE_PLUGIN_BUNDLE_DOWNLOADS", "1")
        .args(args)
        .output()
        .unwrap()
}

fn berth_ok(home: &TestHome, args: &[&str]) -> String {
    let output = berth(home, args);
    assert!(
        output.status.success(),
        "berth {args:?} failed with {}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn berth_json(home: &TestHome, args: &[&str]) -> Value {
    serde_json::from_str(&berth_ok(home, args)).unwrap()
}

/// Waits until the service stored `count` events (delivery is asynchronous but flushed
/// before the command exits; the server may still be committing).
pub(crate) fn wait_for_events(serve: &Serve, count: usize) -> Vec<(String, Value)> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let events = serve.events();
        if events.len() >= count || Instant::now() > deadline {
            return events;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The service received `codex_plugin_installed` then `codex_plugin_uninstalled` for linear,
/// each with the local id and the backend id.
fn assert_lifecycle_events(serve: &Serve) {
    let events = wait_for_events(serve, 2);
    let lifecycle: Vec<(String, Value)> = events
        .into_iter()
        .filter(|(kind, _)| kind.starts_with("codex_plugin_"))
        .map(|(kind, params)| {
            (
                kind,
                json!({
                    "plugin_id": params["plugin_id"],
                    "remote_plugin_id": params["remote_plugin_id"],
                    "marketplace_name": params["marketplace_name"],
                    "has_skills": params["has_skills"],
                }),
            )
        })
        .collect();
    let expected = json!({
        "plugin_id": "linear@openai-curated-remote",
        "remote_plugin_id": "plugins~Plugin_linear",
        "marketplace_name": "openai-curated-remote",
        "has_skills": true,
    });
    assert_eq!(
        lifecycle,
        vec![
            ("codex_plugin_installed".to_owned(), expected.clone()),
            ("codex_plugin_uninstalled".to_owned(), expected),
        ]
    );
}

#[test]
fn remote_install_and_uninstall_through_the_cli_update_cache_sidecar_service_and_analytics() {
    let serve = Serve::start();
    let home = remote_home(&serve);
    let source = plugin_source(home.root(), "linear", "0.0.1", "v1");
    let remote_id = serve.publish(&source, &[]);
    assert_eq!(remote_id, "plugins~Plugin_linear");

    let listed = berth_json(&home, &["plugin", "list", "--json", "--available"]);
    assert_eq!(
        listed,
        json!({
            "installed": [],
            "available": [{
                "pluginId": "linear@openai-curated-remote",
                "name": "linear",
                "marketplaceName": "openai-curated-remote",
                "version": "0.0.1",
                "installed": false,
                "enabled": false,
                "source": {"source": "remote", "id": "plugins~Plugin_linear"},
                "installPolicy": "AVAILABLE",
                "authPolicy": "ON_USE",
            }],
        })
    );

    let added = berth_json(
        &home,
        &["plugin", "add", "linear@openai-curated-remote", "--json"],
    );
    let base = home
        .codex_home()
        .join("plugins/cache/openai-curated-remote/linear");
    assert_eq!(
        added,
        json!({
            "pluginId": "linear@openai-curated-remote",
            "remotePluginId": "plugins~Plugin_linear",
            "name": "linear",
            "marketplaceName": "openai-curated-remote",
            "version": "0.0.1",
            "installedPath": base.join("0.0.1"),
            "authPolicy": "ON_USE",
            "appsNeedingAuth": [],
        })
    );
    assert_eq!(
        std::fs::read_to_string(base.join(".codex-remote-plugin-install.json")).unwrap(),
        sidecar_text("plugins~Plugin_linear")
    );
    assert_eq!(
        std::fs::read_to_string(base.join("0.0.1/skills/hello/SKILL.md")).unwrap(),
        "---\nname: hello\ndescription: says hello\n---\nv1\n"
    );
    assert!(
        !home
            .codex_home()
            .join("plugins/.remote-plugin-install-staging")
            .read_dir()
            .is_ok_and(|entries| entries
                .filter_map(Result::ok)
                .any(|entry| entry.file_name() != ".berth-staging.lock"))
    );
    // Remote installs live on the service, not in config.toml.
    assert!(!home.config_text().contains("[plugins"));

    let table = berth_ok(&home, &["plugin", "list"]);
    // The same text `codex plugin list` prints for this home.
    assert_eq!(
        table,
        "Marketplace `openai-curated-remote`\nRemote catalog\n\n\
         PLUGIN                        STATUS              VERSION  SOURCE\n\
         linear@openai-curated-remote  installed, enabled  0.0.1    plugins~Plugin_linear\n"
    );

    let removed = berth_json(
        &home,
        &["plugin", "remove", "plugins~Plugin_linear", "--json"],
    );
    assert_eq!(
        removed,
        json!({
            "pluginId": "linear@openai-curated-remote",
            "remotePluginId": "plugins~Plugin_linear",
            "name": "linear",
            "marketplaceName": "openai-curated-remote",
        })
    );
    assert!(!base.exists());
    let listed = berth_json(&home, &["plugin", "list", "--json"]);
    assert_eq!(listed, json!({"installed": [], "available": []}));

    assert_lifecycle_events(&serve);
}

#[test]
fn sync_backfills_a_deleted_sidecar_without_downloading_and_removes_stale_caches() {
    let serve = Serve::start();
    let home = remote_home(&serve);
    let source = plugin_source(home.root(), "linear", "1.2.3", "v1");
    serve.publish(&source, &[]);
    let added = berth(&home, &["plugin", "add", "plugins~Plugin_linear"]);
    assert!(added.status.success(), "{added:?}");
    // stderr is not a terminal here: no progress bar, nothing at all on stderr.
    assert_eq!(String::from_utf8_lossy(&added.stderr), "");
    let cache = home.codex_home().join("plugins/cache");
    let base = cache.join("openai-curated-remote/linear");
    let sidecar = base.join(".codex-remote-plugin-install.json");
    let original = std::fs::read(&sidecar).unwrap();
    let inode = std::fs::metadata(base.join("1.2.3")).unwrap().ino();
    std::fs::remove_file(&sidecar).unwrap();
    std::fs::create_dir_all(cache.join("openai-curated-remote/gone/1.0.0")).unwrap();
    std::fs::create_dir_all(cache.join("local/kept/1.0.0")).unwrap();

    let outcome = berth_json(&home, &["plugin", "sync", "--json"]);
    assert_eq!(
        outcome,
        json!({
            "installed": [],
            "updated": [],
            "unchanged": [{"pluginId": "linear@openai-curated-remote", "version": "1.2.3"}],
            "removed": [{"pluginId": "gone@openai-curated-remote", "version": "1.0.0"}],
            "failed": [],
        })
    );
    assert_eq!(std::fs::read(&sidecar).unwrap(), original);
    // The version folder is the same one: nothing was downloaded or reinstalled.
    assert_eq!(std::fs::metadata(base.join("1.2.3")).unwrap().ino(), inode);
    assert!(!cache.join("openai-curated-remote/gone").exists());
    assert!(cache.join("local/kept/1.0.0").is_dir());

    // A missing bundle is materialised; the text output names each group.
    std::fs::remove_dir_all(&base).unwrap();
    assert_eq!(
        berth_ok(&home, &["plugin", "sync"]),
        "Synced remote plugins: 1 installed, 0 updated, 0 unchanged, 0 removed, 0 failed.\n  \
         installed linear@openai-curated-remote 1.2.3\n"
    );
    assert_eq!(std::fs::read(&sidecar).unwrap(), original);
}

#[test]
fn a_service_that_dies_or_loses_a_bundle_midway_is_a_clean_error_and_keeps_the_installed_version() {
    let mut serve = Serve::start();
    let home = remote_home(&serve);
    serve.publish(&plugin_source(home.root(), "linear", "1.0.0", "v1"), &[]);
    berth_ok(&home, &["plugin", "add", "linear@openai-curated-remote"]);
    let base = home
        .codex_home()
        .join("plugins/cache/openai-curated-remote/linear");

    // Release 2.0.0 is published but its bundle is gone from the service's storage.
    serve.publish(&plugin_source(home.root(), "linear", "2.0.0", "v2"), &[]);
    for entry in std::fs::read_dir(serve.data_dir.join("bundles")).unwrap() {
        std::fs::remove_file(entry.unwrap().path()).unwrap();
    }
    let output = berth(&home, &["plugin", "add", "plugins~Plugin_linear"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with(&format!(
            "error: remote plugin bundle download from {}/bundles/",
            serve.api_url
        )) && stderr.contains("failed with status 404"),
        "{stderr}"
    );
    assert_eq!(version_dirs(&base), vec!["1.0.0".to_owned()]);
    assert_eq!(
        std::fs::read_to_string(base.join(".codex-remote-plugin-install.json")).unwrap(),
        sidecar_text("plugins~Plugin_linear")
    );

    serve.kill();
    let output = berth(&home, &["plugin", "add", "plugins~Plugin_linear"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr).lines().next(),
        Some(
            format!(
                "error: remote plugin catalog request to {}/ps/plugins/plugins~Plugin_linear failed",
                serve.api_url
            )
            .as_str()
        )
    );
    assert_eq!(version_dirs(&base), vec!["1.0.0".to_owned()]);

    // Listing never fails: the local part is printed and the remote part is a warning.
    let output = berth(&home, &["plugin", "list", "--json"]);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        serde_json::from_slice::<Value>(&output.stdout).unwrap(),
        json!({"installed": [], "available": []})
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with(&format!(
            "warning: remote plugins are not listed: remote plugin catalog request to {}/ps/plugins/installed failed",
            serve.api_url
        )),
        "{stderr}"
    );
    let output = berth(&home, &["plugin", "sync"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(version_dirs(&base), vec!["1.0.0".to_owned()]);
}

fn version_dirs(base: &Path) -> Vec<String> {
    let mut versions: Vec<String> = std::fs::read_dir(base)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_dir()))
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    versions.sort();
    versions
}
