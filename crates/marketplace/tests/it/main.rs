//! Integration tests for berth-marketplace: loading files, discovery, admission, the
//! shipped example marketplace, and Git snapshots fetched from a loopback Git server.

#![expect(
    clippy::unwrap_used,
    reason = "fixture helpers outside #[test] fns fail the test on setup errors"
)]

mod admission;
mod discovery;
mod example;
mod fuzz;
mod load;
mod snapshot;

use std::path::{Path, PathBuf};

/// Writes `text` to `root/rel`, creating parent directories, and returns the path.
fn write_file(root: &Path, rel: &str, text: &str) -> PathBuf {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    #[expect(clippy::disallowed_methods, reason = "test fixture")]
    std::fs::write(&path, text).unwrap();
    path
}

/// Writes `.agents/plugins/marketplace.json` under `root`.
fn write_marketplace(root: &Path, json: &str) -> PathBuf {
    write_file(root, ".agents/plugins/marketplace.json", json)
}
