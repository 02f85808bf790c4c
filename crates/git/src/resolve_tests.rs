use pretty_assertions::assert_eq;

use super::*;

#[test]
fn commit_ids_are_recognised_by_length_and_lowercase_hex() {
    assert!(is_full_commit_id(
        "c6852a26c2f7e4b91afae38a80e7c2095c1db582"
    ));
    assert!(is_full_commit_id(&"a".repeat(64)));
    assert!(!is_full_commit_id(
        "C6852A26C2F7E4B91AFAE38A80E7C2095C1DB582"
    ));
    assert!(!is_full_commit_id("c6852a2"));
    assert!(is_abbreviated_commit_id("c6852a2"));
    assert!(!is_abbreviated_commit_id("main"));
    assert!(!is_abbreviated_commit_id("abc"));
}

#[test]
fn ls_remote_output_is_looked_up_by_exact_ref_name() {
    let output = "1111111111111111111111111111111111111111\trefs/heads/v1\n\
                  2222222222222222222222222222222222222222\trefs/tags/v1\n\
                  3333333333333333333333333333333333333333\trefs/tags/v1^{}\n";
    assert_eq!(
        lookup(output, "refs/tags/v1^{}").as_deref(),
        Some("3333333333333333333333333333333333333333")
    );
    assert_eq!(lookup(output, "refs/heads/v2"), None);
    assert_eq!(lookup(output, "v1"), None);
}
