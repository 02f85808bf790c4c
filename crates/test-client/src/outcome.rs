//! How a smoke ended: exactly one outcome line, and the exit code that goes with it.

use std::fmt;
use std::process::ExitCode;

/// The final state of a smoke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Everything validated and the original state is back.
    Pass(String),
    /// Validation failed; the original state is back.
    FailClean(String),
    /// The service is back to the original state, but the local cache or the uninstall call
    /// reported a problem.
    FailLocalCache(String),
    /// Cleanup failed: the plugin may still be installed on the account.
    FailDirty(String),
    /// The final state could not be read.
    FailUnknown(String),
}

impl Outcome {
    /// The process exit code: 0 for PASS, 1 otherwise.
    pub fn exit_code(&self) -> ExitCode {
        if matches!(self, Self::Pass(_)) {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        }
    }

    /// Whether the account or its local cache may still differ from the original state (the
    /// recovery command is printed then).
    pub fn may_be_dirty(&self) -> bool {
        matches!(
            self,
            Self::FailLocalCache(_) | Self::FailDirty(_) | Self::FailUnknown(_)
        )
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Pass(detail) => write!(f, "PASS: {detail}"),
            Self::FailClean(detail) => write!(f, "FAIL-CLEAN: {detail}"),
            Self::FailLocalCache(detail) => write!(f, "FAIL-LOCAL-CACHE: {detail}"),
            Self::FailDirty(detail) => write!(f, "FAIL-DIRTY: {detail}"),
            Self::FailUnknown(detail) => write!(f, "FAIL-UNKNOWN: {detail}"),
        }
    }
}
