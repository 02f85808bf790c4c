//! Temp homes, plugin sources and directory listings for the store tests.

use std::path::{Path, PathBuf};

use berth_plugin::PluginId;
use berth_store::PluginStore;
use tempfile::TempDir;

/// Writes `contents` to `path`, creating parent dirs.
pub(crate) fn write(path: impl AsRef<Path>, contents: impl AsRef<[u8]>) {
    let path = path.as_ref();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    #[expect(clippy::disallowed_methods, reason = "test fixtures need no atomicity")]
    std::fs::write(path, contents).unwrap();
}

/// A temp `CODEX_HOME` and its store.
pub(crate) fn home() -> (TempDir, PluginStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = PluginStore::try_new(dir.path()).unwrap();
    (dir, store)
}

pub(crate) fn id(key: &str) -> PluginId {
    PluginId::parse(key).unwrap()
}

/// A plugin source at `root/<dir_name>` with a manifest and one skill.
pub(crate) fn plugin_source(root: &Path, dir_name: &str, manifest: &str) -> PathBuf {
    let source = root.join(dir_name);
    write(source.join(".codex-plugin/plugin.json"), manifest);
    write(
        source.join("skills/hello/SKILL.md"),
        "---\nname: hello\n---\nhi\n",
    );
    source
}

/// A source whose manifest has `name` and optionally `version`.
pub(crate) fn named_source(root: &Path, name: &str, version: Option<&str>) -> PathBuf {
    let manifest = match version {
        Some(version) => format!(r#"{{"name": "{name}", "version": "{version}"}}"#),
        None => format!(r#"{{"name": "{name}"}}"#),
    };
    plugin_source(
        root,
        &format!("src-{name}-{}", version.unwrap_or("local")),
        &manifest,
    )
}

/// Sorted names directly under `dir` (empty if missing).
pub(crate) fn names(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}
