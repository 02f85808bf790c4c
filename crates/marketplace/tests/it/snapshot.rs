//! Git marketplace snapshots and Git plugin sources, fetched from a loopback smart-HTTP server.

use std::path::Path;

use berth_git::{Git, NoProgress};
use berth_marketplace::{
    GitMarketplaceSource, INSTALL_METADATA_FILE, InstallMetadata, MarketplaceSnapshots,
    SnapshotError,
};
use berth_test_support::{GitClientEnv, GitRepo, GitServer, MarketplaceFixture, TestHome};
use pretty_assertions::assert_eq;

struct Setup {
    home: TestHome,
    repo: GitRepo,
    server: GitServer,
    snapshots: MarketplaceSnapshots,
    git: Git,
}

fn setup() -> Setup {
    let home = TestHome::new();
    let repo = GitRepo::create(home.root(), "market");
    let _ = MarketplaceFixture::new(repo.work_dir(), "gm")
        .plugin("sample", Some("1.0.0"), 3)
        .entry(serde_json::json!({
            "name": "tool",
            "source": {"source": "git-subdir", "url": "x/y", "path": "tools/tool"}
        }));
    repo.write(
        "tools/tool/.codex-plugin/plugin.json",
        r#"{"name":"tool","version":"0.1.0"}"#,
    )
    .write("docs/readme.md", "docs\n");
    repo.commit("first");
    let server = GitServer::start(&home.root().join("repos"));
    let env = GitClientEnv::new(&home.root().join("client"), &server);
    let git = env
        .vars()
        .iter()
        .fold(Git::new(), |git, (key, value)| git.with_env(key, value));
    let snapshots = MarketplaceSnapshots::new(&home.codex_home());
    Setup {
        home,
        repo,
        server,
        snapshots,
        git,
    }
}

fn source(setup: &Setup, ref_name: Option<&str>, sparse: &[&str]) -> GitMarketplaceSource {
    GitMarketplaceSource {
        url: setup.server.url("market"),
        ref_name: ref_name.map(str::to_owned),
        sparse_paths: sparse.iter().map(|path| (*path).to_owned()).collect(),
    }
}

fn staging_entries(snapshots: &MarketplaceSnapshots) -> usize {
    std::fs::read_dir(snapshots.root().join(".staging")).map_or(0, Iterator::count)
}

#[test]
fn a_fetched_marketplace_is_installed_under_its_own_name_as_a_working_copy() {
    let setup = setup();
    let staged = setup
        .snapshots
        .fetch_marketplace(&setup.git, &source(&setup, None, &[]), None, &NoProgress)
        .unwrap();
    assert_eq!(staged.marketplace.name, "gm");
    assert_eq!(staged.checkout.revision(), setup.repo.head());
    let root = setup.snapshots.install(staged, false).unwrap();
    assert_eq!(root, setup.home.codex_home().join(".tmp/marketplaces/gm"));
    assert!(root.join(".git").is_dir());
    assert!(
        root.join("plugins/sample/.codex-plugin/plugin.json")
            .is_file()
    );
    // Like Codex, an add writes no install metadata.
    assert!(!root.join(INSTALL_METADATA_FILE).exists());
    assert_eq!(staging_entries(&setup.snapshots), 0);
}

#[test]
fn an_upgrade_writes_the_install_metadata_codex_reads() {
    let setup = setup();
    let source = source(&setup, Some("main"), &["plugins", ".agents"]);
    let staged = setup
        .snapshots
        .fetch_marketplace(&setup.git, &source, None, &NoProgress)
        .unwrap();
    let root = setup.snapshots.install(staged, true).unwrap();
    assert_eq!(
        InstallMetadata::read(&root).unwrap(),
        Some(InstallMetadata {
            source_type: "git".to_owned(),
            source: setup.server.url("market"),
            ref_name: Some("main".to_owned()),
            sparse_paths: vec!["plugins".to_owned(), ".agents".to_owned()],
            revision: setup.repo.head(),
        })
    );
    // Sparse: the docs folder was not checked out.
    assert!(!root.join("docs").exists());
}

#[test]
fn a_missing_sparse_path_is_named_and_nothing_is_installed() {
    let setup = setup();
    let err = setup
        .snapshots
        .fetch_marketplace(
            &setup.git,
            &source(&setup, None, &[".agents", "nosuch"]),
            None,
            &NoProgress,
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "sparse path `nosuch` does not exist in `{}` at {}; pass folders of the repository to --sparse",
            setup.server.url("market"),
            setup.repo.head()
        )
    );
    assert!(!setup.snapshots.has_snapshot("gm"));
    assert_eq!(staging_entries(&setup.snapshots), 0);
}

#[test]
fn a_repository_without_a_marketplace_file_is_refused() {
    let setup = setup();
    let plain = GitRepo::create(setup.home.root(), "plain");
    plain.write("README.md", "no marketplace here\n");
    let revision = plain.commit("plain");
    let url = setup.server.url("plain");
    let err = setup
        .snapshots
        .fetch_marketplace(
            &setup.git,
            &GitMarketplaceSource {
                url: url.clone(),
                ref_name: None,
                sparse_paths: Vec::new(),
            },
            None,
            &NoProgress,
        )
        .unwrap_err();
    assert!(
        matches!(err, SnapshotError::NotAMarketplace { .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "`{url}` at {revision} has no marketplace file; a marketplace repository holds `.agents/plugins/marketplace.json` or `.claude-plugin/marketplace.json`"
        )
    );
}

fn files(dir: &Path) -> Vec<String> {
    let mut found: Vec<String> = walk(dir)
        .into_iter()
        .map(|path| {
            path.strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    found.sort();
    found
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if entry.file_type().unwrap().is_dir() {
            out.push(path.clone());
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn plugin_sources_are_fetched_without_git_metadata() {
    let setup = setup();
    let url = setup.server.url("market");
    let paths = vec!["tools/tool".to_owned()];
    let checkout = setup
        .snapshots
        .fetch_plugin_sources(&setup.git, &url, None, None, &paths, &NoProgress)
        .unwrap();
    let dir = checkout.subdir(Some("tools/tool")).unwrap();
    assert_eq!(
        files(&dir),
        vec![".codex-plugin", ".codex-plugin/plugin.json"]
    );
    assert!(!checkout.root().join(".git").exists());
    assert!(!checkout.root().join("docs").exists());

    let err = checkout.subdir(Some("nope")).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "path `nope` is not a folder of `{url}` at {}; check the marketplace entry's `path`",
            setup.repo.head()
        )
    );
}

#[test]
fn plugin_sources_pinned_to_a_commit_ignore_later_commits() {
    let setup = setup();
    let pinned = setup.repo.head();
    setup.repo.write(
        "tools/tool/.codex-plugin/plugin.json",
        r#"{"name":"tool","version":"0.2.0"}"#,
    );
    setup.repo.commit("bump");
    let checkout = setup
        .snapshots
        .fetch_plugin_sources(
            &setup.git,
            &setup.server.url("market"),
            Some("main"),
            Some(&pinned),
            &[],
            &NoProgress,
        )
        .unwrap();
    assert_eq!(checkout.revision(), pinned);
    let manifest =
        std::fs::read_to_string(checkout.root().join("tools/tool/.codex-plugin/plugin.json"))
            .unwrap();
    assert!(manifest.contains("0.1.0"), "{manifest}");
}

#[test]
fn a_plugin_path_through_a_linked_folder_of_the_repository_is_refused() {
    let setup = setup();
    // A folder outside the checkout, with a plugin in it, reached through a link committed to
    // the repository.
    let outside = setup.home.root().join("outside");
    berth_test_support::write(
        &outside.join("tool/.codex-plugin/plugin.json"),
        r#"{"name":"tool","version":"6.6.6"}"#,
    );
    std::os::unix::fs::symlink(&outside, setup.repo.work_dir().join("linked")).unwrap();
    setup.repo.commit("a link out of the repository");
    let url = setup.server.url("market");
    let checkout = setup
        .snapshots
        .fetch_plugin_sources(&setup.git, &url, None, None, &[], &NoProgress)
        .unwrap();
    assert!(checkout.root().join("linked").is_symlink());

    let err = checkout.subdir(Some("linked/tool")).unwrap_err();
    assert!(
        matches!(err, SnapshotError::SubdirOutside { .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "path `linked/tool` of `{url}` at {} leads outside the repository (through a symbolic link); berth installs only files inside it",
            setup.repo.head()
        )
    );
    // A path inside the repository still resolves.
    assert!(checkout.subdir(Some("tools/tool")).is_ok());
}
