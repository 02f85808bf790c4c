use super::*;
use pretty_assertions::assert_eq;

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    #[expect(clippy::disallowed_methods, reason = "test fixture")]
    std::fs::write(path, text).unwrap();
}

#[test]
fn codex_manifest_wins_over_claude_manifest() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".claude-plugin/plugin.json",
        r#"{"name":"claude"}"#,
    );
    assert_eq!(
        find_manifest(dir.path()).unwrap(),
        dir.path().join(".claude-plugin/plugin.json")
    );
    write(
        dir.path(),
        ".codex-plugin/plugin.json",
        r#"{"name":"codex"}"#,
    );
    let header = read_manifest_header(dir.path()).unwrap();
    assert_eq!(header.name.as_deref(), Some("codex"));
    assert_eq!(header.version, None);
}

#[test]
fn version_is_trimmed_and_blank_or_non_string_versions_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".codex-plugin/plugin.json",
        r#"{"name":"s","version":" 1.2.3-beta+7 "}"#,
    );
    assert_eq!(
        read_manifest_header(dir.path()).unwrap().version.as_deref(),
        Some("1.2.3-beta+7")
    );
    write(
        dir.path(),
        ".codex-plugin/plugin.json",
        r#"{"name":"s","version":"   "}"#,
    );
    let err = read_manifest_header(dir.path()).unwrap_err().to_string();
    assert!(
        err.starts_with("invalid plugin version in plugin.json: must not be blank"),
        "{err}"
    );
    write(
        dir.path(),
        ".codex-plugin/plugin.json",
        r#"{"name":"s","version":3}"#,
    );
    let err = read_manifest_header(dir.path()).unwrap_err().to_string();
    assert!(
        err.starts_with("invalid plugin version in plugin.json: expected string"),
        "{err}"
    );
}

#[test]
fn missing_and_unparsable_manifests_name_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let err = read_manifest_header(dir.path()).unwrap_err();
    assert!(matches!(err, ManifestHeaderError::Missing { .. }));
    write(dir.path(), ".codex-plugin/plugin.json", "{not json");
    let err = read_manifest_header(dir.path()).unwrap_err();
    assert!(
        err.to_string().contains(".codex-plugin/plugin.json"),
        "{err}"
    );
    assert!(matches!(err, ManifestHeaderError::Parse { .. }));
}

#[cfg(unix)]
#[test]
fn symlinked_manifest_is_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "plugin.json", r#"{"name":"evil"}"#);
    std::fs::create_dir_all(dir.path().join(".codex-plugin")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("plugin.json"),
        dir.path().join(".codex-plugin/plugin.json"),
    )
    .unwrap();
    assert_eq!(find_manifest(dir.path()), None);
}
