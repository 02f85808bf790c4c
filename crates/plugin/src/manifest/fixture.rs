//! Test fixtures: plugin roots written into temp dirs.

use std::path::Path;

/// Writes `text` to `root/rel`, creating parent directories.
pub(crate) fn write_file(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    #[expect(clippy::disallowed_methods, reason = "test fixture")]
    std::fs::write(path, text).unwrap();
}

/// Writes `.codex-plugin/plugin.json` under `root`.
pub(crate) fn write_manifest(root: &Path, json: &str) {
    write_file(root, ".codex-plugin/plugin.json", json);
}
