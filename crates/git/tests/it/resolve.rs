//! Resolving refs with `git ls-remote`.

use berth_git::{GitError, Resolution, Target};
use pretty_assertions::assert_eq;

use crate::Fixture;

#[test]
fn no_ref_resolves_to_the_default_branch_head() {
    let fixture = Fixture::new();
    assert_eq!(
        fixture.git().resolve(&fixture.url(), None).unwrap(),
        Resolution {
            target: Target::DefaultBranch,
            revision: Some(fixture.second),
        }
    );
}

#[test]
fn branches_tags_and_annotated_tags_resolve_to_their_commits() {
    let fixture = Fixture::new();
    let git = fixture.git();
    let url = fixture.url();
    assert_eq!(
        git.resolve(&url, Some("stable")).unwrap(),
        Resolution {
            target: Target::Branch("stable".to_owned()),
            revision: Some(fixture.first.clone()),
        }
    );
    assert_eq!(
        git.resolve(&url, Some("v1")).unwrap(),
        Resolution {
            target: Target::Tag("v1".to_owned()),
            revision: Some(fixture.first.clone()),
        }
    );
    // The annotated tag's own object id is not a commit; the peeled id is.
    assert_eq!(
        git.resolve(&url, Some("av1")).unwrap(),
        Resolution {
            target: Target::Tag("av1".to_owned()),
            revision: Some(fixture.first.clone()),
        }
    );
    assert_eq!(
        git.resolve(&url, Some("refs/heads/main")).unwrap(),
        Resolution {
            target: Target::Branch("main".to_owned()),
            revision: Some(fixture.second),
        }
    );
}

#[test]
fn a_full_commit_id_needs_no_network() {
    let fixture = Fixture::new();
    let resolution = fixture
        .git()
        .resolve(&fixture.url(), Some(&fixture.first))
        .unwrap();
    assert_eq!(
        resolution,
        Resolution {
            target: Target::Commit(fixture.first.clone()),
            revision: Some(fixture.first.clone()),
        }
    );
    assert_eq!(fixture.server.requests(), Vec::<String>::new());
}

#[test]
fn an_abbreviated_commit_id_is_resolved_at_checkout() {
    let fixture = Fixture::new();
    let short = &fixture.first[..9];
    assert_eq!(
        fixture.git().resolve(&fixture.url(), Some(short)).unwrap(),
        Resolution {
            target: Target::Commit(short.to_owned()),
            revision: None,
        }
    );
}

#[test]
fn an_unknown_ref_is_named_with_the_repository() {
    let fixture = Fixture::new();
    let url = fixture.url();
    let err = fixture.git().resolve(&url, Some("nosuch")).unwrap_err();
    assert!(matches!(err, GitError::RefNotFound { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "`{url}` has no branch, tag or commit `nosuch`; check the name (`git ls-remote {url}` lists branches and tags)"
        )
    );
}

#[test]
fn an_unreachable_repository_reports_git_s_reason_and_the_fix() {
    let fixture = Fixture::new();
    let url = fixture.server.url("missing");
    let err = fixture.git().resolve(&url, None).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "git ls-remote of `{url}` failed (exit status: 128): fatal: repository '{url}/' not found; check the URL, the network, and your Git credentials (`git ls-remote URL` shows what Git sees)"
        )
    );
}
