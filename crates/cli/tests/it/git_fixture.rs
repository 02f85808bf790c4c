//! The Git world the Git tests share: a loopback smart-HTTP server reached as `github.com`
//! (and over an SSH stand-in), a marketplace repository `owner/gm` and a plugin repository
//! `owner/tools`, and helpers that run berth or Codex with that environment and turn their
//! output into stable transcripts.

use std::path::Path;
use std::process::{Command, Output};

use berth_test_support::{GitClientEnv, GitRepo, GitServer, MarketplaceFixture, TestHome};
use serde_json::json;

use crate::berth_bin;

/// A home plus the Git server and repositories.
pub(crate) struct GitWorld {
    pub(crate) home: TestHome,
    pub(crate) server: GitServer,
    pub(crate) env: GitClientEnv,
    /// `owner/gm`: marketplace `gm` with `sample` (local source), `anchor` (`git-subdir` of
    /// `owner/tools`), `whole` (`url` source `owner/tools` at tag `t1`), and broken entries.
    pub(crate) market: GitRepo,
    /// `owner/tools`: `tools/anchor` (plugin `anchor`) and, at its root, plugin `whole`.
    pub(crate) tools: GitRepo,
}

impl GitWorld {
    /// The world with every repository at its first commit; `main` of `owner/gm` is also
    /// tagged `v1`.
    pub(crate) fn new() -> Self {
        let home = TestHome::new();
        let repos = home.root().join("git");
        let tools = GitRepo::create(&repos, "owner/tools");
        tools
            .write(
                "tools/anchor/.codex-plugin/plugin.json",
                r#"{"name":"anchor","version":"1.0.0"}"#,
            )
            .write(
                "tools/anchor/skills/drop/SKILL.md",
                "---\nname: drop\ndescription: Drop anchor\n---\nDrop it.\n",
            )
            .write(
                ".codex-plugin/plugin.json",
                r#"{"name":"whole","version":"0.1.0"}"#,
            )
            .write("README.md", "tools\n");
        tools.commit("tools 1");
        tools.tag("t1");
        let market = GitRepo::create(&repos, "owner/gm");
        write_marketplace(&market, "gm", "1.0.0");
        market.commit("market 1");
        market.tag("v1");
        let server = GitServer::start(&repos.join("repos"));
        let env = GitClientEnv::new(&home.root().join("git-client"), &server);
        Self {
            home,
            server,
            env,
            market,
            tools,
        }
    }

    /// `berth ARGS` with the Git environment.
    pub(crate) fn berth(&self, home: &TestHome, args: &[&str]) -> Output {
        let mut command = home.command(berth_bin());
        command.args(args);
        self.env.apply(&mut command);
        command.output().expect("run berth")
    }

    /// `berth ARGS` that must succeed; returns stdout.
    pub(crate) fn berth_ok(&self, home: &TestHome, args: &[&str]) -> String {
        checked(&self.berth(home, args), &format!("berth {args:?}"))
    }

    /// A `codex ARGS` command with the Git environment, or `None` without the peer.
    pub(crate) fn codex(&self, home: &TestHome, args: &[&str]) -> Option<Command> {
        let bin = berth_test_support::codex_bin()?;
        let mut command = home.command(&bin);
        command.args(args);
        self.env.apply(&mut command);
        Some(command)
    }

    /// Replaces the home, the server address and the given strings (commit ids also in their
    /// 12-digit form) with stable markers.
    pub(crate) fn clean(&self, home: &TestHome, text: &str, markers: &[(&str, &str)]) -> String {
        let mut text = text.to_owned();
        for (value, label) in markers {
            text = text.replace(value, label);
            if value.len() == 40 && value.bytes().all(|byte| byte.is_ascii_hexdigit()) {
                text = text.replace(&value[..12], label);
            }
        }
        let text = text
            .replace(&home.root().to_string_lossy().into_owned(), "[HOME]")
            .replace(&self.home.root().to_string_lossy().into_owned(), "[WORLD]")
            .replace(&self.server.base_url(), "[GIT]");
        collapse_table_padding(&text)
    }

    /// Exit code, stdout and stderr of `berth ARGS`, cleaned.
    pub(crate) fn transcript(
        &self,
        home: &TestHome,
        args: &[&str],
        revisions: &[(&str, &str)],
    ) -> String {
        let output = self.berth(home, args);
        format!(
            "$ berth {}\nexit: {}\n--- stdout\n{}--- stderr\n{}",
            self.clean(home, &args.join(" "), revisions),
            output.status.code().unwrap_or(-1),
            self.clean(home, &String::from_utf8_lossy(&output.stdout), revisions),
            self.clean(home, &String::from_utf8_lossy(&output.stderr), revisions),
        )
    }
}

/// Writes marketplace `name` into `repo`: `sample` at `version` plus the Git-sourced entries.
pub(crate) fn write_marketplace(repo: &GitRepo, name: &str, version: &str) {
    let _ = MarketplaceFixture::new(repo.work_dir(), name)
        .plugin("sample", Some(version), 3)
        .entry(json!({
            "name": "anchor",
            "source": {"source": "git-subdir", "url": "owner/tools", "path": "tools/anchor"}
        }))
        .entry(json!({
            "name": "whole",
            "source": {"source": "url", "url": "https://github.com/owner/tools", "ref": "t1"}
        }))
        .entry(json!({
            "name": "wrongname",
            "source": {"source": "url", "url": "owner/tools"}
        }))
        .entry(json!({
            "name": "escape",
            "source": {"source": "git-subdir", "url": "owner/tools", "path": "../outside"}
        }))
        .entry(json!({
            "name": "missing",
            "source": {"source": "git-subdir", "url": "owner/tools", "path": "tools/nope"}
        }));
}

/// Bumps `sample` in `repo` to `version` and commits; returns the commit.
pub(crate) fn bump_sample(repo: &GitRepo, version: &str) -> String {
    repo.write(
        "plugins/sample/.codex-plugin/plugin.json",
        &format!(
            r#"{{"name":"sample","version":"{version}","description":"The sample plugin.","interface":{{"displayName":"sample"}}}}"#
        ),
    );
    repo.commit(&format!("sample {version}"))
}

/// The version folders of a plugin in `home`'s cache.
pub(crate) fn cached_versions(home: &TestHome, marketplace: &str, plugin: &str) -> Vec<String> {
    let base = home
        .codex_home()
        .join("plugins/cache")
        .join(marketplace)
        .join(plugin);
    let mut versions: Vec<String> = std::fs::read_dir(base)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_dir()))
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    versions.sort();
    versions
}

/// The entries of the snapshot staging folder (empty when it does not exist).
pub(crate) fn staging_entries(home: &TestHome) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(home.codex_home().join(".tmp/marketplaces/.staging"))
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|entry| entry.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
    names.sort();
    names
}

/// The revision a snapshot's checkout is at.
pub(crate) fn snapshot_head(home: &TestHome, name: &str) -> String {
    let root = home.codex_home().join(".tmp/marketplaces").join(name);
    let output = Command::new("git")
        .arg("-C")
        .arg(&root)
        .args(["rev-parse", "HEAD"])
        .output()
        .expect("git rev-parse");
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// Asserts success and returns stdout.
pub(crate) fn checked(output: &Output, what: &str) -> String {
    assert!(
        output.status.success(),
        "{what} failed with {}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).expect("utf-8 stdout")
}

/// Parses JSON output.
pub(crate) fn json_of(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|err| panic!("not JSON ({err}):\n{text}"))
}

/// Whether `path` exists (for readable asserts).
pub(crate) fn exists(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// `text` with every run of two or more spaces inside a line cut to two (indentation stays):
/// table columns are padded to the width of paths and URLs, which differ between checkouts and
/// test runs, so a transcript keeps the columns apart but not their padding.
fn collapse_table_padding(text: &str) -> String {
    text.split_inclusive('\n')
        .map(|line| {
            let body = line.trim_start_matches(' ');
            let mut out = " ".repeat(line.len() - body.len());
            let mut spaces = 0;
            for ch in body.chars() {
                if ch == ' ' {
                    spaces += 1;
                    continue;
                }
                out.extend(std::iter::repeat_n(' ', spaces.min(2)));
                spaces = 0;
                out.push(ch);
            }
            out.extend(std::iter::repeat_n(' ', spaces.min(2)));
            out
        })
        .collect()
}
