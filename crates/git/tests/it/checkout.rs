//! Checking repositories out: shallow where possible, sparse on request, with a time limit.

use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use berth_git::{Checkout, Git, GitError, GitOperation, GitProgress, NoProgress, Sparse, Target};
use berth_test_support::GitServer;
use pretty_assertions::assert_eq;

use crate::Fixture;

fn files(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            if entry.file_name() == ".git" {
                continue;
            }
            if path.is_dir() {
                pending.push(path);
            } else {
                found.push(
                    path.strip_prefix(dir)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    found.sort();
    found
}

/// `git.checkout_into` with a checkout of `url` at `target`.
fn check_out(
    git: &Git,
    url: &str,
    target: &Target,
    sparse: Sparse<'_>,
    dest: &Path,
    progress: &dyn GitProgress,
) -> Result<String, GitError> {
    git.checkout_into(
        &Checkout {
            url,
            target,
            sparse,
        },
        dest,
        progress,
    )
}

fn is_shallow(dir: &Path) -> bool {
    dir.join(".git/shallow").is_file()
}

#[test]
fn the_default_branch_is_cloned_shallow() {
    let fixture = Fixture::new();
    let dest = fixture.dest("default");
    let revision = check_out(
        &fixture.git(),
        &fixture.url(),
        &Target::DefaultBranch,
        Sparse::All,
        &dest,
        &NoProgress,
    )
    .unwrap();
    assert_eq!(revision, fixture.second);
    assert!(is_shallow(&dest));
    assert_eq!(
        files(&dest),
        vec![
            "README.md",
            "docs/guide.md",
            "plugins/one/.codex-plugin/plugin.json",
            "plugins/two/.codex-plugin/plugin.json",
        ]
    );
}

#[test]
fn branches_tags_and_commits_are_checked_out_shallow() {
    let fixture = Fixture::new();
    let git = fixture.git();
    let url = fixture.url();
    for (name, target, expected) in [
        (
            "branch",
            Target::Branch("stable".to_owned()),
            &fixture.first,
        ),
        ("tag", Target::Tag("av1".to_owned()), &fixture.first),
        (
            "commit",
            Target::Commit(fixture.first.clone()),
            &fixture.first,
        ),
        // No ref points at the middle commit; protocol v2 still serves it by id.
        (
            "unadvertised",
            Target::Commit(fixture.middle.clone()),
            &fixture.middle,
        ),
    ] {
        let dest = fixture.dest(name);
        let revision = check_out(&git, &url, &target, Sparse::All, &dest, &NoProgress).unwrap();
        assert_eq!(&revision, expected, "{name}");
        assert!(is_shallow(&dest), "{name} is not shallow");
        let manifest =
            std::fs::read_to_string(dest.join("plugins/one/.codex-plugin/plugin.json")).unwrap();
        assert!(manifest.contains("1.0.0"), "{name}: {manifest}");
    }
}

#[test]
fn a_branch_checkout_stays_on_the_branch() {
    let fixture = Fixture::new();
    let dest = fixture.dest("on-branch");
    check_out(
        &fixture.git(),
        &fixture.url(),
        &Target::Branch("stable".to_owned()),
        Sparse::All,
        &dest,
        &NoProgress,
    )
    .unwrap();
    let head = std::fs::read_to_string(dest.join(".git/HEAD")).unwrap();
    assert_eq!(head.trim(), "ref: refs/heads/stable");
}

#[test]
fn a_commit_the_server_will_not_serve_by_id_falls_back_to_a_full_clone() {
    let fixture = Fixture::with_server(GitServer::start_v0);
    let dest = fixture.dest("v0");
    let revision = check_out(
        &fixture.git(),
        &fixture.url(),
        &Target::Commit(fixture.middle.clone()),
        Sparse::All,
        &dest,
        &NoProgress,
    )
    .unwrap();
    assert_eq!(revision, fixture.middle);
    assert!(!is_shallow(&dest));
}

#[test]
fn an_abbreviated_commit_is_checked_out_from_a_full_clone() {
    let fixture = Fixture::new();
    let dest = fixture.dest("short");
    let revision = check_out(
        &fixture.git(),
        &fixture.url(),
        &Target::Commit(fixture.first[..10].to_owned()),
        Sparse::All,
        &dest,
        &NoProgress,
    )
    .unwrap();
    assert_eq!(revision, fixture.first);
}

#[test]
fn an_abbreviated_commit_that_does_not_exist_is_a_missing_ref() {
    let fixture = Fixture::new();
    let err = check_out(
        &fixture.git(),
        &fixture.url(),
        &Target::Commit("deadbeef".to_owned()),
        Sparse::All,
        &fixture.dest("missing"),
        &NoProgress,
    )
    .unwrap_err();
    assert!(matches!(err, GitError::RefNotFound { .. }), "{err:?}");
}

#[test]
fn cone_sparse_checkouts_keep_the_named_folders_and_root_files() {
    let fixture = Fixture::new();
    let dest = fixture.dest("cone");
    let paths = vec!["plugins/one".to_owned()];
    check_out(
        &fixture.git(),
        &fixture.url(),
        &Target::Tag("v1".to_owned()),
        Sparse::Cone(&paths),
        &dest,
        &NoProgress,
    )
    .unwrap();
    assert_eq!(
        files(&dest),
        vec!["README.md", "plugins/one/.codex-plugin/plugin.json"]
    );
}

#[test]
fn exact_sparse_paths_keep_only_that_subtree() {
    let fixture = Fixture::new();
    let dest = fixture.dest("paths");
    let paths = vec!["plugins/two".to_owned()];
    for (name, target) in [
        ("paths-head", Target::DefaultBranch),
        ("paths-commit", Target::Commit(fixture.first.clone())),
    ] {
        let dest = fixture.dest(name);
        check_out(
            &fixture.git(),
            &fixture.url(),
            &target,
            Sparse::Paths(&paths),
            &dest,
            &NoProgress,
        )
        .unwrap();
        assert_eq!(
            files(&dest),
            vec!["plugins/two/.codex-plugin/plugin.json"],
            "{name}"
        );
    }
    assert!(!dest.exists());
}

#[derive(Default)]
struct Recorder(Mutex<Vec<(GitOperation, String)>>);

impl GitProgress for Recorder {
    fn line(&self, operation: GitOperation, _target: &str, line: &str) {
        self.0.lock().unwrap().push((operation, line.to_owned()));
    }
}

#[test]
fn clone_progress_is_reported() {
    let fixture = Fixture::new();
    let recorder = Recorder::default();
    check_out(
        &fixture.git(),
        &fixture.url(),
        &Target::DefaultBranch,
        Sparse::All,
        &fixture.dest("progress"),
        &recorder,
    )
    .unwrap();
    let lines = recorder.0.into_inner().unwrap();
    assert!(
        lines
            .iter()
            .any(|(operation, line)| *operation == GitOperation::Clone
                && line.starts_with("Receiving objects")),
        "{lines:?}"
    );
}

#[test]
fn a_stalled_transfer_is_stopped_after_the_time_limit() {
    let fixture = Fixture::new();
    fixture.server.stall_packs_after(100);
    let git = fixture.git().with_timeout(Duration::from_secs(2));
    let started = Instant::now();
    let err = check_out(
        &git,
        &fixture.url(),
        &Target::DefaultBranch,
        Sparse::All,
        &fixture.dest("stalled"),
        &NoProgress,
    )
    .unwrap_err();
    let elapsed = started.elapsed();
    assert!(fixture.server.wait_for_stall(Duration::ZERO));
    assert!(matches!(err, GitError::TimedOut { .. }), "{err:?}");
    assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "git clone of `{}` did not finish within 2s and was stopped; the server may be unreachable or stalled (set BERTH_GIT_TIMEOUT to allow longer)",
            fixture.url()
        )
    );
}
