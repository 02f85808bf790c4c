#![expect(clippy::disallowed_methods, reason = "test fixtures")]

use super::is_linked_worktree;

#[test]
fn only_a_dot_git_file_pointing_into_worktrees_is_a_linked_worktree() {
    let dir = tempfile::tempdir().unwrap();
    let nested = dir.path().join("repo/src/deep");
    std::fs::create_dir_all(&nested).unwrap();
    assert!(!is_linked_worktree(&nested));
    std::fs::write(
        dir.path().join("repo/.git"),
        "gitdir: /elsewhere/.git/worktrees/repo\n",
    )
    .unwrap();
    assert!(is_linked_worktree(&nested));
    std::fs::write(
        dir.path().join("repo/.git"),
        "gitdir: ../.git/modules/repo\n",
    )
    .unwrap();
    assert!(
        !is_linked_worktree(&nested),
        "a submodule is not a worktree"
    );
    std::fs::remove_file(dir.path().join("repo/.git")).unwrap();
    std::fs::create_dir(dir.path().join("repo/.git")).unwrap();
    assert!(
        !is_linked_worktree(&nested),
        "a main checkout is not a linked worktree"
    );
}
