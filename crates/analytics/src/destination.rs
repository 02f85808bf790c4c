//! Where batches go: the HTTP endpoint, or (debug builds only) a JSONL capture file that
//! replaces HTTP entirely.

#[cfg(debug_assertions)]
use std::path::Path;
use std::path::PathBuf;

use crate::settings::events_url;

/// The destination chosen once when the client starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnalyticsDestination {
    /// `POST` each batch to this URL.
    Http {
        /// `{base_url}/codex/analytics-events/events`.
        url: String,
    },
    /// Append each batch as one line to this file; never touch the network.
    #[cfg(debug_assertions)]
    CaptureFile {
        /// The JSONL file.
        path: PathBuf,
    },
}

impl AnalyticsDestination {
    /// In debug builds, `Some(path)` selects the capture file (created empty with mode 0600
    /// so tools can wait for it) and logs that network delivery is off; otherwise, and
    /// always in release builds, the HTTP endpoint under `base_url`.
    pub fn from_base_url_and_capture_file(base_url: &str, capture_file: Option<PathBuf>) -> Self {
        #[cfg(debug_assertions)]
        if let Some(path) = capture_file {
            tracing::warn!(
                path = %path.display(),
                "analytics event capture enabled; network delivery is disabled"
            );
            initialize_capture_file(&path);
            return Self::CaptureFile { path };
        }
        #[cfg(not(debug_assertions))]
        drop(capture_file);
        Self::Http {
            url: events_url(base_url),
        }
    }
}

#[cfg(debug_assertions)]
fn initialize_capture_file(path: &Path) {
    if let Err(err) = crate::capture::initialize(path) {
        tracing::error!(
            path = %path.display(),
            "failed to initialize analytics event capture; network delivery remains disabled: {err}"
        );
    }
}

#[cfg(test)]
#[path = "destination_tests.rs"]
mod tests;
