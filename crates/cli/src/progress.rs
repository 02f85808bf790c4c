//! Progress on stderr (never with `--json`). Downloads of remote plugin installs and syncs: on
//! a terminal an `indicatif` bar, prefixed during a sync with the plugin and its place
//! (`[3/12] linear`); elsewhere, during a sync only, one line per finished download
//! (`[3/12] linear 4.20 MiB`), so logs show what a long sync did. On a terminal, a spinner
//! shows what `git` is doing.

use std::io::IsTerminal as _;
use std::sync::{Mutex, PoisonError};

use berth_git::{GitOperation, GitProgress, NoProgress};
use berth_plugin::PluginId;
use berth_remote::DownloadProgress;
use indicatif::{HumanBytes, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::printer;

/// Where progress goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Bar,
    Lines,
}

#[derive(Default)]
struct State {
    bar: Option<ProgressBar>,
    /// `[3/12] linear` while a sync downloads that plugin.
    label: Option<String>,
    bytes: u64,
}

/// A [`DownloadProgress`] on stderr.
pub(crate) struct StderrProgress {
    mode: Mode,
    state: Mutex<State>,
}

impl StderrProgress {
    /// Progress for a command: `None` with `--json`.
    pub(crate) fn for_command(json: bool) -> Option<Self> {
        if json {
            return None;
        }
        let mode = if std::io::stderr().is_terminal() {
            Mode::Bar
        } else {
            Mode::Lines
        };
        Some(Self {
            mode,
            state: Mutex::new(State::default()),
        })
    }

    fn with_state(&self, f: impl FnOnce(&mut State)) {
        f(&mut self.state.lock().unwrap_or_else(PoisonError::into_inner));
    }
}

impl DownloadProgress for StderrProgress {
    fn item(&self, position: usize, total: usize, plugin: &PluginId) {
        self.with_state(|state| {
            state.label = Some(format!("[{position}/{total}] {}", plugin.plugin_name()));
        });
    }

    fn start(&self, total: Option<u64>) {
        self.with_state(|state| {
            state.bytes = 0;
            if self.mode != Mode::Bar {
                return;
            }
            let prefix = state
                .label
                .clone()
                .unwrap_or_else(|| "downloading".to_owned());
            let (bar, template) = match total {
                Some(total) => (
                    ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr()),
                    "{prefix} {bar:30} {bytes}/{total_bytes} ({bytes_per_sec})",
                ),
                None => (
                    ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
                    "{prefix} {spinner} {bytes} ({bytes_per_sec})",
                ),
            };
            let style = ProgressStyle::with_template(template)
                .unwrap_or_else(|_| ProgressStyle::default_bar());
            state.bar = Some(bar.with_style(style).with_prefix(prefix));
        });
    }

    fn advance(&self, bytes: u64) {
        self.with_state(|state| {
            state.bytes += bytes;
            if let Some(bar) = &state.bar {
                bar.inc(bytes);
            }
        });
    }

    fn finish(&self) {
        self.with_state(|state| {
            if let Some(bar) = state.bar.take() {
                bar.finish_and_clear();
            }
            // A finished sync item stays on screen (and in logs) once its bar is gone.
            if let Some(label) = state.label.take() {
                printer::note(format!("{label} {}", HumanBytes(state.bytes)));
            }
        });
    }
}

/// A [`GitProgress`] that shows `git`'s latest progress line on a spinner, drawn from the first
/// line `git` reports (a command that never runs `git` draws nothing).
pub(crate) struct GitSpinner {
    bar: Mutex<Option<ProgressBar>>,
}

impl GitSpinner {
    /// A spinner when `json` is off and stderr is a terminal; `None` otherwise.
    fn for_stderr(json: bool) -> Option<Self> {
        (!json && std::io::stderr().is_terminal()).then(|| Self {
            bar: Mutex::new(None),
        })
    }
}

impl GitProgress for GitSpinner {
    fn line(&self, operation: GitOperation, target: &str, line: &str) {
        let mut bar = self.bar.lock().unwrap_or_else(PoisonError::into_inner);
        let bar = bar.get_or_insert_with(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()).with_style(
                ProgressStyle::with_template("{spinner} {wide_msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar
        });
        bar.set_message(format!("{operation} {target}: {line}"));
    }
}

impl Drop for GitSpinner {
    fn drop(&mut self) {
        if let Some(bar) = self
            .bar
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            bar.finish_and_clear();
        }
    }
}

/// The Git progress reporter for a command: a spinner, or nothing.
pub(crate) fn git_progress(json: bool) -> Box<dyn GitProgress> {
    match GitSpinner::for_stderr(json) {
        Some(spinner) => Box::new(spinner),
        None => Box::new(NoProgress),
    }
}
