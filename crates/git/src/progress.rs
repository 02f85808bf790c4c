//! [`GitProgress`]: where the progress lines `git` prints during a transfer go.

use crate::GitOperation;

/// Receives `git`'s progress lines (`Receiving objects:  45% (9/20)`) while a command runs.
/// Called from a reader thread, hence `Sync`.
pub trait GitProgress: Sync {
    /// One progress or status line of `operation` on `target` (a URL or folder).
    fn line(&self, operation: GitOperation, target: &str, line: &str);
}

/// Discards progress.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl GitProgress for NoProgress {
    fn line(&self, _operation: GitOperation, _target: &str, _line: &str) {}
}
