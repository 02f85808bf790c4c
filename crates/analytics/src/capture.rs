//! Debug-only JSONL capture of request bodies (`CODEX_ANALYTICS_EVENTS_CAPTURE_FILE`). Each
//! batch becomes one line, byte-identical to the HTTP body. Not compiled in release builds.

use std::fs::{File, OpenOptions};
use std::io::{self, Write as _};
use std::path::Path;

/// Creates `path` (mode 0600) if missing, without truncating it. Parent folders are not
/// created.
pub(crate) fn initialize(path: &Path) -> io::Result<()> {
    open_append(path).map(drop)
}

/// Appends `body` and a newline to `path` in one write, creating it (mode 0600) if missing.
pub(crate) fn append_line(path: &Path, body: &[u8]) -> io::Result<()> {
    let mut line = Vec::with_capacity(body.len() + 1);
    line.extend_from_slice(body);
    line.push(b'\n');
    let mut file = open_append(path)?;
    file.write_all(&line)?;
    file.flush()
}

fn open_append(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}
