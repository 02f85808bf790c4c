//! Integration tests of berth-git against a loopback smart-HTTP Git server over repositories
//! the tests create.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failed step is a failed test"
)]

mod checkout;
mod resolve;

use std::path::PathBuf;

use berth_git::Git;
use berth_test_support::{GitClientEnv, GitRepo, GitServer, TestHome};

/// A repository with three commits on `main`: the first with a branch `stable`, a lightweight
/// tag `v1` and an annotated tag `av1`, a middle one no ref points at, and the head. Served on
/// loopback.
struct Fixture {
    home: TestHome,
    repo: GitRepo,
    server: GitServer,
    first: String,
    middle: String,
    second: String,
}

impl Fixture {
    fn new() -> Self {
        Self::with_server(GitServer::start)
    }

    fn with_server(start: impl FnOnce(&std::path::Path) -> GitServer) -> Self {
        let home = TestHome::new();
        let repo = GitRepo::create(home.root(), "market");
        repo.write("README.md", "hello\n")
            .write(
                "plugins/one/.codex-plugin/plugin.json",
                r#"{"name":"one","version":"1.0.0"}"#,
            )
            .write(
                "plugins/two/.codex-plugin/plugin.json",
                r#"{"name":"two","version":"1.0.0"}"#,
            )
            .write("docs/guide.md", "guide\n");
        let first = repo.commit("first");
        repo.tag("v1").annotated_tag("av1").branch("stable");
        repo.write("docs/guide.md", "guide, second edition\n");
        let middle = repo.commit("middle");
        repo.write(
            "plugins/one/.codex-plugin/plugin.json",
            r#"{"name":"one","version":"2.0.0"}"#,
        );
        let second = repo.commit("second");
        let server = start(&home.root().join("repos"));
        Self {
            home,
            repo,
            server,
            first,
            middle,
            second,
        }
    }

    fn url(&self) -> String {
        self.server.url(self.repo.name())
    }

    fn git(&self) -> Git {
        let env = GitClientEnv::new(&self.home.root().join("client"), &self.server);
        env.vars()
            .iter()
            .fold(Git::new(), |git, (key, value)| git.with_env(key, value))
    }

    /// A path for a checkout that does not exist yet.
    fn dest(&self, name: &str) -> PathBuf {
        self.home.root().join("checkouts").join(name)
    }
}
