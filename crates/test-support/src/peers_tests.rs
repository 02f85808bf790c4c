use super::*;

#[test]
fn scripts_test_installs_every_peer_release() {
    let script = std::fs::read_to_string(workspace_root().join("scripts/test")).unwrap();
    let line = format!("for version in {}; do", CODEX_PEER_VERSIONS.join(" "));
    assert!(
        script.contains(&line),
        "scripts/test must install {CODEX_PEER_VERSIONS:?} with `{line}`"
    );
    assert!(script.contains(&format!("[ \"$version\" = {CODEX_PEER_VERSION} ]")));
}
