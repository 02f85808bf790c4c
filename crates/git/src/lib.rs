//! Running the `git` program, as Codex and uv do, so credential helpers, SSH keys and proxies
//! work as users expect. [`Git`] resolves a branch, tag or commit on a remote
//! ([`Git::resolve`] into a [`Resolution`]), checks a repository out into a folder
//! ([`Git::checkout_into`]: shallow where the ref allows, sparse on request) and reads a working
//! copy's revision. It knows nothing of plugins or marketplaces. Failures are [`GitError`]s that
//! name the URL or ref and what to do; long transfers report [`GitProgress`] and stop after a
//! timeout ([`GIT_TIMEOUT_ENV`]).

mod checkout;
mod command;
mod error;
mod progress;
mod resolve;

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use checkout::{Checkout, Sparse};
pub use error::{GitError, GitOperation};
pub use progress::{GitProgress, NoProgress};
pub use resolve::{Resolution, Target, is_full_commit_id};

/// Environment variable naming the `git` program to run (default: `git` on `PATH`).
pub const GIT_PROGRAM_ENV: &str = "BERTH_GIT";

/// Environment variable bounding one `git` command, in whole seconds (default
/// [`DEFAULT_GIT_TIMEOUT`]).
pub const GIT_TIMEOUT_ENV: &str = "BERTH_GIT_TIMEOUT";

/// How long one `git` command may run by default before it is stopped.
pub const DEFAULT_GIT_TIMEOUT: Duration = Duration::from_secs(600);

/// How to run `git`: the program, extra environment for its processes, and the time limit of
/// one command. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Git {
    program: PathBuf,
    envs: Vec<(OsString, OsString)>,
    timeout: Duration,
}

impl Default for Git {
    fn default() -> Self {
        Self::new()
    }
}

impl Git {
    /// `git` from `$BERTH_GIT` or `PATH`, with the timeout from `$BERTH_GIT_TIMEOUT`.
    pub fn new() -> Self {
        let program = std::env::var_os(GIT_PROGRAM_ENV)
            .filter(|value| !value.is_empty())
            .map_or_else(|| PathBuf::from("git"), PathBuf::from);
        let timeout = timeout_from_env_value(std::env::var(GIT_TIMEOUT_ENV).ok().as_deref());
        Self {
            program,
            envs: Vec::new(),
            timeout,
        }
    }

    /// Runs `program` instead of `git`.
    #[must_use]
    pub fn with_program(mut self, program: impl Into<PathBuf>) -> Self {
        self.program = program.into();
        self
    }

    /// Sets an environment variable for every `git` process (e.g. `GIT_CONFIG_GLOBAL` in
    /// tests); the calling process's own environment is never changed.
    #[must_use]
    pub fn with_env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.envs
            .push((key.as_ref().to_os_string(), value.as_ref().to_os_string()));
        self
    }

    /// Stops any one `git` command after `timeout`.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The program run.
    pub fn program(&self) -> &Path {
        &self.program
    }

    /// `git --version`, e.g. `git version 2.47.3`; fails with [`GitError::NotInstalled`] when
    /// the program is missing.
    pub fn version(&self) -> Result<String, GitError> {
        let output = self
            .command(GitOperation::Version, "git")
            .arg("--version")
            .run()?;
        Ok(output.trim().to_owned())
    }

    /// The commit checked out in the working copy at `dir` (`git rev-parse HEAD`).
    pub fn head_revision(&self, dir: &Path) -> Result<String, GitError> {
        let target = dir.display().to_string();
        let output = self
            .command(GitOperation::RevParse, &target)
            .current_dir(dir)
            .args(["rev-parse", "HEAD"])
            .run()?;
        let revision = output.trim();
        if is_full_commit_id(revision) {
            Ok(revision.to_owned())
        } else {
            Err(GitError::UnexpectedOutput {
                operation: GitOperation::RevParse,
                target,
                output: revision.to_owned(),
            })
        }
    }
}

/// Parses a `BERTH_GIT_TIMEOUT` value (whole seconds). Absent or unparsable values give
/// [`DEFAULT_GIT_TIMEOUT`]; an unparsable one is logged.
pub fn timeout_from_env_value(value: Option<&str>) -> Duration {
    let Some(value) = value else {
        return DEFAULT_GIT_TIMEOUT;
    };
    match value.trim().parse::<u64>() {
        Ok(seconds) if seconds > 0 => Duration::from_secs(seconds),
        _ => {
            tracing::warn!(
                "ignoring {GIT_TIMEOUT_ENV}={value:?}; expected a positive number of seconds, using {}s",
                DEFAULT_GIT_TIMEOUT.as_secs()
            );
            DEFAULT_GIT_TIMEOUT
        }
    }
}

#[cfg(test)]
#[path = "lib_tests.rs"]
mod tests;
