//! Special files for tests of hostile input: FIFOs made with the real `mkfifo` program.

use std::path::Path;

/// Makes a FIFO at `path` (replacing a file there), failing the test if `mkfifo` fails.
pub fn mkfifo(path: &Path) {
    let _ = std::fs::remove_file(path);
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("run mkfifo");
    assert!(status.success(), "mkfifo {} failed", path.display());
}
