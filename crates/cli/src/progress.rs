//! Progress on stderr when stderr is a terminal (never with `--json`): the download bar of
//! remote plugin installs and syncs, and a spinner showing what `git` is doing.

use std::io::IsTerminal as _;
use std::sync::Mutex;

use berth_git::{GitOperation, GitProgress, NoProgress};
use berth_remote::DownloadProgress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A [`DownloadProgress`] that draws one bar per download on stderr.
pub(crate) struct TerminalProgress {
    bar: Mutex<Option<ProgressBar>>,
}

impl TerminalProgress {
    /// A bar when `json` is off and stderr is a terminal; `None` otherwise.
    pub(crate) fn for_stderr(json: bool) -> Option<Self> {
        (!json && std::io::stderr().is_terminal()).then(|| Self {
            bar: Mutex::new(None),
        })
    }

    fn with_bar(&self, f: impl FnOnce(&mut Option<ProgressBar>)) {
        let mut guard = self
            .bar
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut guard);
    }
}

impl DownloadProgress for TerminalProgress {
    fn start(&self, total: Option<u64>) {
        let bar = match total {
            Some(total) => ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
                .with_style(
                    ProgressStyle::with_template(
                        "downloading {bar:30} {bytes}/{total_bytes} ({bytes_per_sec})",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
                ),
            None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()).with_style(
                ProgressStyle::with_template("downloading {spinner} {bytes} ({bytes_per_sec})")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            ),
        };
        self.with_bar(|slot| *slot = Some(bar));
    }

    fn advance(&self, bytes: u64) {
        self.with_bar(|slot| {
            if let Some(bar) = slot {
                bar.inc(bytes);
            }
        });
    }

    fn finish(&self) {
        self.with_bar(|slot| {
            if let Some(bar) = slot.take() {
                bar.finish_and_clear();
            }
        });
    }
}

/// A [`GitProgress`] that shows `git`'s latest progress line on a spinner.
pub(crate) struct GitSpinner {
    bar: ProgressBar,
}

impl GitSpinner {
    /// A spinner when `json` is off and stderr is a terminal; `None` otherwise.
    fn for_stderr(json: bool) -> Option<Self> {
        (!json && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()).with_style(
                ProgressStyle::with_template("{spinner} {wide_msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            Self { bar }
        })
    }
}

impl GitProgress for GitSpinner {
    fn line(&self, operation: GitOperation, target: &str, line: &str) {
        self.bar
            .set_message(format!("{operation} {target}: {line}"));
    }
}

impl Drop for GitSpinner {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

/// The Git progress reporter for a command: a spinner, or nothing.
pub(crate) fn git_progress(json: bool) -> Box<dyn GitProgress> {
    match GitSpinner::for_stderr(json) {
        Some(spinner) => Box::new(spinner),
        None => Box::new(NoProgress),
    }
}
