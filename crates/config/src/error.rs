//! [`ConfigError`], everything that can go wrong reading, editing or writing `config.toml`.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

/// An error reading, editing or writing `config.toml`.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file is not valid TOML. It is never overwritten in this state.
    #[error(
        "failed to parse `{}` at line {line}, column {column}: {message}; fix the file by hand, berth will not overwrite it",
        path.display()
    )]
    Parse {
        /// The config file.
        path: PathBuf,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column (in characters) of the error.
        column: usize,
        /// The parser's description of the problem.
        message: String,
    },

    /// The file is not UTF-8, so it cannot be TOML.
    #[error(
        "`{}` is not valid UTF-8; fix the file by hand, berth will not overwrite it",
        path.display()
    )]
    NotUtf8 {
        /// The config file.
        path: PathBuf,
        /// Where decoding failed.
        #[source]
        source: std::str::Utf8Error,
    },

    /// Reading, writing or locking a file failed.
    #[error("failed to {context} `{}`", path.display())]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// What was being done, e.g. `read` or `write`.
        context: &'static str,
        /// The underlying error.
        #[source]
        source: io::Error,
    },

    /// Another process held the config lock for too long.
    #[error(
        "timed out after {timeout:?} waiting for the lock on `{}`; another berth process may be editing the config",
        lock_path.display()
    )]
    LockTimeout {
        /// The lock file.
        lock_path: PathBuf,
        /// How long we waited.
        timeout: Duration,
    },

    /// The file changed since the caller read the version it expected.
    #[error(
        "`{}` changed since it was read (expected version `{expected}`, found `{actual}`); read it again and retry",
        path.display()
    )]
    VersionConflict {
        /// The config file.
        path: PathBuf,
        /// The version the caller expected.
        expected: String,
        /// The version on disk.
        actual: String,
    },

    /// A key path is empty or malformed.
    #[error("invalid config key path `{key_path}`: {problem}")]
    InvalidKeyPath {
        /// The key path as given, segments joined with `.`.
        key_path: String,
        /// What is wrong with it.
        problem: KeyPathProblem,
    },

    /// A value cannot be represented in TOML.
    #[error("cannot write `{key_path}` to `{}`: {problem}", path.display())]
    InvalidValue {
        /// The config file.
        path: PathBuf,
        /// The key path being written.
        key_path: String,
        /// What is wrong with the value.
        problem: ValueProblem,
    },

    /// A key path runs through an existing value that is not a table.
    #[error(
        "cannot write `{key_path}` to `{}`: `{blocking_key}` is {found}, not a table; remove or change it first",
        path.display()
    )]
    NotATable {
        /// The config file.
        path: PathBuf,
        /// The key path being written.
        key_path: String,
        /// The prefix of the key path that holds a non-table value.
        blocking_key: String,
        /// What it holds instead, e.g. `a string`.
        found: &'static str,
    },
}

/// What is wrong with a key path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyPathProblem {
    /// No segments at all.
    #[error("it is empty; use dot-separated keys such as `plugins.sample@debug.enabled`")]
    Empty,
    /// Two dots in a row, or a leading or trailing dot.
    #[error(
        "it has an empty segment; use dot-separated keys such as `plugins.sample@debug.enabled`"
    )]
    EmptySegment,
    /// A `"` without its closing partner.
    #[error("it has an unterminated quote")]
    UnterminatedQuote,
}

/// Why a JSON value cannot be written as TOML.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueProblem {
    /// TOML arrays cannot hold `null`.
    #[error("arrays cannot contain null in TOML; remove the null element")]
    NullInArray,
    /// TOML integers are signed 64-bit.
    #[error("integer {0} does not fit in TOML's signed 64-bit integers")]
    IntegerOutOfRange(String),
}
