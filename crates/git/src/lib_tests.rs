use std::time::Duration;

use pretty_assertions::assert_eq;

use super::*;

#[test]
fn timeout_is_read_in_whole_seconds_with_a_default_for_bad_values() {
    assert_eq!(timeout_from_env_value(None), DEFAULT_GIT_TIMEOUT);
    assert_eq!(timeout_from_env_value(Some("5")), Duration::from_secs(5));
    assert_eq!(timeout_from_env_value(Some(" 7 ")), Duration::from_secs(7));
    assert_eq!(timeout_from_env_value(Some("0")), DEFAULT_GIT_TIMEOUT);
    assert_eq!(timeout_from_env_value(Some("soon")), DEFAULT_GIT_TIMEOUT);
}

#[test]
fn a_missing_git_program_is_named_with_the_fix() {
    let git = Git::new().with_program("/nonexistent/berth-test/git");
    let err = git.version().unwrap_err();
    assert_eq!(
        err.to_string(),
        "the `/nonexistent/berth-test/git` program was not found; Git marketplaces and Git plugin sources need Git: install it (https://git-scm.com/downloads) or set BERTH_GIT to its path"
    );
}
