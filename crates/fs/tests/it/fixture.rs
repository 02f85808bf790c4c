//! Fixture writing for tests: plain, non-atomic writes so fixtures do not depend on the code
//! under test.

use std::path::Path;

/// Writes `contents` to `path`.
pub(crate) fn write(path: impl AsRef<Path>, contents: impl AsRef<[u8]>) {
    #[expect(clippy::disallowed_methods, reason = "test fixtures need no atomicity")]
    std::fs::write(path, contents).unwrap();
}
