//! [`GitError`]: why a `git` command failed, naming the URL or folder, the ref, and what to do.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::{GIT_PROGRAM_ENV, GIT_TIMEOUT_ENV};

/// The `git` step that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GitOperation {
    /// `git --version`.
    Version,
    /// `git ls-remote`.
    LsRemote,
    /// `git clone`.
    Clone,
    /// `git init` and `git remote add`.
    Init,
    /// `git fetch`.
    Fetch,
    /// `git sparse-checkout set`.
    SparseCheckout,
    /// `git checkout`.
    Checkout,
    /// `git rev-parse`.
    RevParse,
}

impl fmt::Display for GitOperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Version => "git --version",
            Self::LsRemote => "git ls-remote",
            Self::Clone => "git clone",
            Self::Init => "git init",
            Self::Fetch => "git fetch",
            Self::SparseCheckout => "git sparse-checkout",
            Self::Checkout => "git checkout",
            Self::RevParse => "git rev-parse",
        })
    }
}

/// A failed `git` command.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// The `git` program is not installed (or not where [`GIT_PROGRAM_ENV`] says).
    #[error(
        "the `{}` program was not found; Git marketplaces and Git plugin sources need Git: install it (https://git-scm.com/downloads) or set {GIT_PROGRAM_ENV} to its path",
        program.display()
    )]
    NotInstalled {
        /// The program looked for.
        program: PathBuf,
    },
    /// `git` could not be started for another reason.
    #[error("failed to run `{}`", program.display())]
    Spawn {
        /// The program.
        program: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// `git` exited unsuccessfully; `detail` is what it printed on stderr.
    #[error("{operation} of `{target}` failed ({status}): {detail}; {}", operation_hint(*operation))]
    Failed {
        /// The step.
        operation: GitOperation,
        /// The URL or folder it worked on.
        target: String,
        /// `exit status: 128`, or the signal that ended it.
        status: String,
        /// Git's own message (its last error lines).
        detail: String,
    },
    /// The remote has no branch or tag of that name, and it is not a commit of the repository.
    #[error(
        "`{url}` has no branch, tag or commit `{reference}`; check the name (`git ls-remote {url}` lists branches and tags)"
    )]
    RefNotFound {
        /// The repository.
        url: String,
        /// The ref asked for.
        reference: String,
    },
    /// `git` ran longer than the time limit and was stopped.
    #[error(
        "{operation} of `{target}` did not finish within {}s and was stopped; the server may be unreachable or stalled (set {GIT_TIMEOUT_ENV} to allow longer)",
        timeout.as_secs()
    )]
    TimedOut {
        /// The step.
        operation: GitOperation,
        /// The URL or folder it worked on.
        target: String,
        /// The limit.
        timeout: Duration,
    },
    /// `git` succeeded but printed something berth does not understand.
    #[error("{operation} of `{target}` printed unexpected output `{output}`")]
    UnexpectedOutput {
        /// The step.
        operation: GitOperation,
        /// The URL or folder it worked on.
        target: String,
        /// What it printed.
        output: String,
    },
    /// A folder for the checkout could not be prepared.
    #[error("failed to prepare `{}` for a git checkout", path.display())]
    Io {
        /// The folder.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

fn operation_hint(operation: GitOperation) -> &'static str {
    match operation {
        GitOperation::LsRemote | GitOperation::Clone | GitOperation::Fetch => {
            "check the URL, the network, and your Git credentials (`git ls-remote URL` shows what Git sees)"
        }
        GitOperation::Version | GitOperation::Init => "check that Git works (`git --version`)",
        GitOperation::SparseCheckout | GitOperation::Checkout | GitOperation::RevParse => {
            "the checkout is incomplete; run the command again"
        }
    }
}
