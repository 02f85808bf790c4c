//! One `git` invocation: spawned with berth's fixed options, its stderr streamed to a
//! [`GitProgress`] and kept for the error message, stopped when it outlives the time limit.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use crate::{Git, GitError, GitOperation, GitProgress};

/// Options every invocation gets: never treat a bare repository found inside a checkout as a
/// repository (as Codex does), and no detached-HEAD lecture on stderr.
const FIXED_OPTIONS: [&str; 4] = [
    "-c",
    "safe.bareRepository=explicit",
    "-c",
    "advice.detachedHead=false",
];

/// How often the runner checks whether `git` exited while a descendant still holds its pipes.
const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// How long stderr may stay open after `git` itself exited (a descendant that outlives it).
const STDERR_GRACE: Duration = Duration::from_millis(200);

/// How many stderr lines are kept for the error message.
const KEPT_LINES: usize = 40;

/// A `git` command being built.
pub(crate) struct GitCommand<'a> {
    git: &'a Git,
    operation: GitOperation,
    target: String,
    args: Vec<OsString>,
    cwd: Option<PathBuf>,
    progress: Option<&'a dyn GitProgress>,
}

impl Git {
    /// Starts building `git ...` for `operation` on `target` (the URL or folder named in
    /// errors).
    pub(crate) fn command(&self, operation: GitOperation, target: &str) -> GitCommand<'_> {
        GitCommand {
            git: self,
            operation,
            target: target.to_owned(),
            args: Vec::new(),
            cwd: None,
            progress: None,
        }
    }
}

enum ReaderEvent {
    Stdout(Vec<u8>),
    /// A `\r`-terminated progress update.
    Progress(String),
    /// A `\n`-terminated line.
    Line(String),
    StderrEnd,
}

impl<'a> GitCommand<'a> {
    pub(crate) fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.args.push(arg.into());
        self
    }

    pub(crate) fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub(crate) fn current_dir(mut self, dir: &Path) -> Self {
        self.cwd = Some(dir.to_path_buf());
        self
    }

    /// Streams stderr lines to `progress` (callers also pass `--progress` where git needs it).
    pub(crate) fn progress(mut self, progress: &'a dyn GitProgress) -> Self {
        self.progress = Some(progress);
        self
    }

    /// Runs the command; returns its stdout on success.
    pub(crate) fn run(self) -> Result<String, GitError> {
        let mut command = Command::new(&self.git.program);
        command
            .args(FIXED_OPTIONS)
            .args(&self.args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(dir) = &self.cwd {
            command.current_dir(dir);
        }
        for (key, value) in &self.git.envs {
            command.env(key, value);
        }
        tracing::debug!(operation = %self.operation, target = %self.target, args = ?self.args, "running git");
        let mut child = command.spawn().map_err(|source| {
            if source.kind() == std::io::ErrorKind::NotFound {
                GitError::NotInstalled {
                    program: self.git.program.clone(),
                }
            } else {
                GitError::Spawn {
                    program: self.git.program.clone(),
                    source,
                }
            }
        })?;
        let (sender, events) = mpsc::channel();
        spawn_readers(&mut child, &sender);
        drop(sender);
        let deadline = Instant::now() + self.git.timeout;
        let mut stdout = None;
        let mut stderr_open = true;
        let mut lines = VecDeque::new();
        let mut exited: Option<(ExitStatus, Instant)> = None;
        loop {
            if stdout.is_some() && !stderr_open {
                break;
            }
            let now = Instant::now();
            if let Some((_, at)) = exited
                && stdout.is_some()
                && now.duration_since(at) > STDERR_GRACE
            {
                break;
            }
            if now >= deadline {
                return Err(self.stop(&mut child));
            }
            match events.recv_timeout((deadline - now).min(POLL_INTERVAL)) {
                Ok(ReaderEvent::Stdout(bytes)) => stdout = Some(bytes),
                Ok(ReaderEvent::Progress(text)) => self.report(&text),
                Ok(ReaderEvent::Line(text)) => {
                    self.report(&text);
                    if lines.len() == KEPT_LINES {
                        lines.pop_front();
                    }
                    lines.push_back(text);
                }
                Ok(ReaderEvent::StderrEnd) => stderr_open = false,
                Err(RecvTimeoutError::Timeout) => {
                    if exited.is_none()
                        && let Ok(Some(status)) = child.try_wait()
                    {
                        exited = Some((status, Instant::now()));
                    }
                }
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        let status = match exited {
            Some((status, _)) => status,
            None => child.wait().map_err(|source| GitError::Spawn {
                program: self.git.program.clone(),
                source,
            })?,
        };
        if status.success() {
            Ok(String::from_utf8_lossy(&stdout.unwrap_or_default()).into_owned())
        } else {
            Err(GitError::Failed {
                operation: self.operation,
                target: self.target,
                status: status.to_string(),
                detail: summarize(&lines),
            })
        }
    }

    fn report(&self, text: &str) {
        if let Some(progress) = self.progress
            && !text.trim().is_empty()
        {
            progress.line(self.operation, &self.target, text.trim_end());
        }
    }

    /// Kills `git` after the time limit. A descendant (e.g. `git-remote-http`) may keep the
    /// pipes open; its reader threads are left to end with it.
    fn stop(&self, child: &mut Child) -> GitError {
        tracing::warn!(operation = %self.operation, target = %self.target, "stopping git after {}s", self.git.timeout.as_secs());
        if let Err(err) = child.kill() {
            tracing::debug!("failed to kill git: {err}");
        }
        if let Err(err) = child.wait() {
            tracing::debug!("failed to reap git: {err}");
        }
        GitError::TimedOut {
            operation: self.operation,
            target: self.target.clone(),
            timeout: self.git.timeout,
        }
    }
}

/// Starts one thread per pipe; they end when every holder of the pipe closed it.
fn spawn_readers(child: &mut Child, sender: &Sender<ReaderEvent>) {
    if let Some(mut out) = child.stdout.take() {
        let sender = sender.clone();
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Err(err) = out.read_to_end(&mut bytes) {
                tracing::debug!("failed to read git stdout: {err}");
            }
            let _ = sender.send(ReaderEvent::Stdout(bytes));
        });
    } else {
        let _ = sender.send(ReaderEvent::Stdout(Vec::new()));
    }
    if let Some(mut err) = child.stderr.take() {
        let sender = sender.clone();
        std::thread::spawn(move || {
            let mut pending = Vec::new();
            let mut buffer = [0_u8; 4096];
            loop {
                let read = match err.read(&mut buffer) {
                    Ok(0) | Err(_) => break,
                    Ok(read) => read,
                };
                for &byte in &buffer[..read] {
                    if byte == b'\r' || byte == b'\n' {
                        let text = String::from_utf8_lossy(&pending).into_owned();
                        pending.clear();
                        let event = if byte == b'\n' {
                            ReaderEvent::Line(text)
                        } else {
                            ReaderEvent::Progress(text)
                        };
                        if sender.send(event).is_err() {
                            return;
                        }
                    } else {
                        pending.push(byte);
                    }
                }
            }
            if !pending.is_empty() {
                let _ = sender.send(ReaderEvent::Line(
                    String::from_utf8_lossy(&pending).into_owned(),
                ));
            }
            let _ = sender.send(ReaderEvent::StderrEnd);
        });
    } else {
        let _ = sender.send(ReaderEvent::StderrEnd);
    }
}

/// Git's error lines (`fatal:`/`error:`), else its last lines, on one line.
fn summarize(lines: &VecDeque<String>) -> String {
    let meaningful: Vec<&str> = lines
        .iter()
        .map(|line| line.trim())
        .filter(|line| !line.is_empty())
        .collect();
    let errors: Vec<&str> = meaningful
        .iter()
        .copied()
        .filter(|line| line.starts_with("fatal:") || line.starts_with("error:"))
        .collect();
    let chosen = if errors.is_empty() {
        meaningful[meaningful.len().saturating_sub(3)..].to_vec()
    } else {
        errors
    };
    if chosen.is_empty() {
        "git printed no error message".to_owned()
    } else {
        chosen.join(" ")
    }
}

#[cfg(test)]
#[path = "command_tests.rs"]
mod tests;
