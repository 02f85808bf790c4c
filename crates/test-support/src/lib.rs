//! Test harnesses shared by berth's integration tests: [`TestHome`] (a temporary Codex home
//! and user home), [`MarketplaceFixture`] (marketplaces written to disk), the location of the
//! real Codex peer binary ([`codex_bin`]) and a loopback Git server ([`GitServer`]).

#![expect(
    clippy::disallowed_methods,
    reason = "test fixtures write files directly"
)]
#![expect(
    clippy::expect_used,
    clippy::panic,
    clippy::missing_panics_doc,
    reason = "test harness: a failure to set up is a test failure"
)]

pub mod fuzz;
mod git_server;
mod jsonrpc;
mod peers;
mod special_files;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::json;

pub use git_server::{GitClientEnv, GitRepo, GitServer};
pub use jsonrpc::AppServerClient;
pub use peers::{CODEX_PEER_VERSIONS, CodexPeer, codex_peer_bin, codex_peer_prefix, codex_peers};
pub use special_files::mkfifo;

/// Pinned version of the Codex peer used by compatibility tests.
pub const CODEX_PEER_VERSION: &str = "0.169.0";

/// Environment variable that points at a Codex binary to use instead of the cached peer.
pub const CODEX_BIN_ENV: &str = "BERTH_CODEX_BIN";

/// The workspace root folder.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/test-support is two levels below the workspace root")
        .to_path_buf()
}

/// The Codex peer binary: `$BERTH_CODEX_BIN`, else the npm install cached under
/// `target/codex-peer` by `.ci/run`. In CI (`CI` set) a missing peer fails the test instead of
/// skipping it.
pub fn codex_bin() -> Option<PathBuf> {
    let candidate = std::env::var_os(CODEX_BIN_ENV)
        .map_or_else(|| codex_peer_bin(CODEX_PEER_VERSION), PathBuf::from);
    if candidate.is_file() {
        return Some(candidate);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "the Codex peer is missing at `{}`; `.ci/run` installs it with `npm install --prefix target/codex-peer @openai/codex@{CODEX_PEER_VERSION}`",
        candidate.display()
    );
    None
}

/// A temporary Codex home and user home. Both are inside one temp folder that is removed on
/// drop. The folder lives under `target/` rather than `/tmp`, where Codex refuses to create
/// its helper links.
#[derive(Debug)]
pub struct TestHome {
    dir: tempfile::TempDir,
}

impl Default for TestHome {
    fn default() -> Self {
        Self::new()
    }
}

impl TestHome {
    /// Creates an empty home under `target/test-homes`.
    pub fn new() -> Self {
        Self::new_in(&workspace_root().join("target/test-homes"))
    }

    /// Creates an empty home under `base`.
    pub fn new_in(base: &Path) -> Self {
        std::fs::create_dir_all(base).expect("create the base folder for test homes");
        let dir = tempfile::Builder::new()
            .prefix("home-")
            .tempdir_in(base)
            .expect("create a temporary home");
        std::fs::create_dir_all(dir.path().join("codex")).expect("create codex home");
        std::fs::create_dir_all(dir.path().join("user")).expect("create user home");
        Self { dir }
    }

    /// The folder holding everything.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// `CODEX_HOME`.
    pub fn codex_home(&self) -> PathBuf {
        self.dir.path().join("codex")
    }

    /// `HOME`.
    pub fn user_home(&self) -> PathBuf {
        self.dir.path().join("user")
    }

    /// `$CODEX_HOME/config.toml`.
    pub fn config_path(&self) -> PathBuf {
        self.codex_home().join("config.toml")
    }

    /// Reads config.toml (empty when missing).
    pub fn config_text(&self) -> String {
        std::fs::read_to_string(self.config_path()).unwrap_or_default()
    }

    /// A command for `program` with `CODEX_HOME` and `HOME` pointing into this home, the
    /// working directory set to the home root and analytics capture unset.
    pub fn command(&self, program: &Path) -> Command {
        let mut command = Command::new(program);
        command
            .current_dir(self.root())
            .env("CODEX_HOME", self.codex_home())
            .env("HOME", self.user_home())
            .env_remove("CODEX_ANALYTICS_EVENTS_CAPTURE_FILE")
            .env_remove("RUST_LOG")
            .env("NO_COLOR", "1");
        command
    }
}

/// A marketplace written to disk: `<root>/.agents/plugins/marketplace.json` and one folder per
/// plugin under `<root>/plugins/`.
#[derive(Debug)]
pub struct MarketplaceFixture {
    root: PathBuf,
    name: String,
    entries: Vec<serde_json::Value>,
}

impl MarketplaceFixture {
    /// Starts a marketplace named `name` at `root`.
    pub fn new(root: impl Into<PathBuf>, name: &str) -> Self {
        Self {
            root: root.into(),
            name: name.to_owned(),
            entries: Vec::new(),
        }
    }

    /// Adds a plugin with a manifest (`version` optional), one skill and `file_count` small
    /// files in total, and writes everything.
    #[must_use]
    pub fn plugin(mut self, name: &str, version: Option<&str>, file_count: usize) -> Self {
        let dir = self.root.join("plugins").join(name);
        let mut manifest = json!({
            "name": name,
            "description": format!("The {name} plugin."),
            "interface": { "displayName": name },
        });
        if let Some(version) = version {
            manifest["version"] = json!(version);
        }
        write(
            &dir.join(".codex-plugin/plugin.json"),
            &serde_json::to_string_pretty(&manifest).expect("json"),
        );
        write(
            &dir.join("skills/hello/SKILL.md"),
            &format!("---\nname: hello\ndescription: Say hello from {name}\n---\nSay hello.\n"),
        );
        for index in 2..file_count.max(2) {
            write(
                &dir.join(format!("assets/file-{index:03}.txt")),
                &format!("{name} asset {index}\n"),
            );
        }
        self.entries
            .push(json!({ "name": name, "source": format!("./plugins/{name}") }));
        self.write()
    }

    /// Adds a raw marketplace entry (e.g. with a policy) without creating plugin files.
    #[must_use]
    pub fn entry(mut self, entry: serde_json::Value) -> Self {
        self.entries.push(entry);
        self.write()
    }

    /// The marketplace root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A plugin's source folder.
    pub fn plugin_dir(&self, name: &str) -> PathBuf {
        self.root.join("plugins").join(name)
    }

    fn write(self) -> Self {
        let document = json!({
            "name": self.name,
            "interface": { "displayName": format!("{} marketplace", self.name) },
            "plugins": self.entries,
        });
        write(
            &self.root.join(".agents/plugins/marketplace.json"),
            &serde_json::to_string_pretty(&document).expect("json"),
        );
        self
    }
}

/// Writes a file, creating its parent folders.
pub fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create parent folder");
    }
    std::fs::write(path, text).unwrap_or_else(|err| panic!("write {}: {err}", path.display()));
}
