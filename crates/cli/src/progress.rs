//! The download progress bar of remote plugin installs and syncs: an `indicatif` bar on
//! stderr when stderr is a terminal, nothing otherwise (or with `--json`).

use std::io::IsTerminal as _;
use std::sync::Mutex;

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
