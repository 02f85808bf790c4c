//! An app server child process (`berth app-server` or `codex app-server`) spoken to over
//! stdio: requests with deadlines, notifications kept while waiting, errors as values.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How to start an app server.
#[derive(Debug, Clone)]
pub struct AppServerSpec {
    /// The binary (`berth` or `codex`); its folder is prepended to `PATH`.
    pub program: PathBuf,
    /// `key=value` config overrides passed as `--config` before `app-server`.
    pub config_overrides: Vec<String>,
    /// Extra environment for the child.
    pub env: Vec<(OsString, OsString)>,
}

/// Why talking to the app server failed.
#[derive(Debug, thiserror::Error)]
pub enum AppServerError {
    /// The process could not be started.
    #[error("failed to start `{}` app-server", program.display())]
    Spawn {
        /// The binary.
        program: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Writing a request failed (the server exited?).
    #[error("failed to send `{method}` to the app server; it may have exited")]
    Send {
        /// The method.
        method: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// No answer in time.
    #[error("`{method}` got no answer within {timeout:?}")]
    Timeout {
        /// The method.
        method: String,
        /// How long we waited.
        timeout: Duration,
    },
    /// The server closed its stdout.
    #[error("the app server exited while `{method}` was pending")]
    Exited {
        /// The method.
        method: String,
    },
    /// The server answered with a JSON-RPC error.
    #[error("{method} failed: {message} (code {code})")]
    Rpc {
        /// The method.
        method: String,
        /// JSON-RPC error code.
        code: i64,
        /// The error message.
        message: String,
    },
}

/// A running app server.
#[derive(Debug)]
pub struct AppServer {
    child: Child,
    stdin: Option<ChildStdin>,
    messages: Receiver<Value>,
    pending: VecDeque<Value>,
    next_id: u64,
}

impl AppServer {
    /// Starts `program [--config k=v]... app-server` with piped stdio; stderr is inherited so
    /// the server's logs stay visible.
    pub fn start(spec: &AppServerSpec) -> Result<Self, AppServerError> {
        let mut command = Command::new(&spec.program);
        for override_ in &spec.config_overrides {
            command.arg("--config").arg(override_);
        }
        command.arg("app-server");
        if let Some(dir) = spec.program.parent() {
            let mut paths = vec![dir.to_path_buf()];
            paths.extend(std::env::split_paths(
                &std::env::var_os("PATH").unwrap_or_default(),
            ));
            if let Ok(joined) = std::env::join_paths(paths) {
                command.env("PATH", joined);
            }
        }
        for (key, value) in &spec.env {
            command.env(key, value);
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|source| AppServerError::Spawn {
                program: spec.program.clone(),
                source,
            })?;
        let stdin = child.stdin.take();
        let (sender, messages) = channel();
        if let Some(stdout) = child.stdout.take() {
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines() {
                    let Ok(line) = line else { break };
                    match serde_json::from_str::<Value>(&line) {
                        Ok(message) => {
                            if sender.send(message).is_err() {
                                break;
                            }
                        }
                        Err(err) => tracing::warn!(
                            "app server wrote a line that is not JSON ({err}): {line}"
                        ),
                    }
                }
            });
        }
        Ok(Self {
            child,
            stdin,
            messages,
            pending: VecDeque::new(),
            next_id: 0,
        })
    }

    /// `initialize` as `client_name`, then `initialized`.
    pub fn initialize(
        &mut self,
        client_name: &str,
        timeout: Duration,
    ) -> Result<Value, AppServerError> {
        let result = self.request(
            "initialize",
            json!({
                "clientInfo": {"name": client_name, "title": null, "version": env!("CARGO_PKG_VERSION")},
                "capabilities": {"experimentalApi": true},
            }),
            timeout,
        )?;
        self.notify("initialized")?;
        Ok(result)
    }

    /// Sends a request and waits up to `timeout` for its result.
    pub fn request(
        &mut self,
        method: &str,
        params: Value,
        timeout: Duration,
    ) -> Result<Value, AppServerError> {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({"id": id, "method": method});
        message["params"] = params;
        self.send(method, &message)?;
        let deadline = Instant::now() + timeout;
        loop {
            let message = self.next_message(method, deadline, timeout)?;
            if message.get("id") == Some(&json!(id)) && message.get("method").is_none() {
                if let Some(error) = message.get("error") {
                    return Err(AppServerError::Rpc {
                        method: method.to_owned(),
                        code: error["code"].as_i64().unwrap_or_default(),
                        message: error["message"].as_str().unwrap_or_default().to_owned(),
                    });
                }
                return Ok(message.get("result").cloned().unwrap_or(Value::Null));
            }
            self.pending.push_back(message);
        }
    }

    /// Sends a notification without params.
    pub fn notify(&mut self, method: &str) -> Result<(), AppServerError> {
        self.send(method, &json!({"method": method}))
    }

    /// Waits for a notification matching `accept`, keeping the others.
    pub fn wait_for_notification(
        &mut self,
        description: &str,
        timeout: Duration,
        accept: impl Fn(&Value) -> bool,
    ) -> Result<Value, AppServerError> {
        if let Some(index) = self.pending.iter().position(&accept)
            && let Some(message) = self.pending.remove(index)
        {
            return Ok(message);
        }
        let deadline = Instant::now() + timeout;
        loop {
            let message = self.next_message(description, deadline, timeout)?;
            if accept(&message) {
                return Ok(message);
            }
            self.pending.push_back(message);
        }
    }

    fn next_message(
        &mut self,
        method: &str,
        deadline: Instant,
        timeout: Duration,
    ) -> Result<Value, AppServerError> {
        let remaining = deadline.saturating_duration_since(Instant::now());
        match self.messages.recv_timeout(remaining) {
            Ok(message) => Ok(message),
            Err(RecvTimeoutError::Timeout) => Err(AppServerError::Timeout {
                method: method.to_owned(),
                timeout,
            }),
            Err(RecvTimeoutError::Disconnected) => Err(AppServerError::Exited {
                method: method.to_owned(),
            }),
        }
    }

    fn send(&mut self, method: &str, message: &Value) -> Result<(), AppServerError> {
        let send_error = |source| AppServerError::Send {
            method: method.to_owned(),
            source,
        };
        let stdin = self
            .stdin
            .as_mut()
            .ok_or_else(|| send_error(std::io::Error::other("stdin is closed")))?;
        writeln!(stdin, "{message}").map_err(send_error)?;
        stdin.flush().map_err(send_error)
    }

    /// Closes stdin, gives the server a moment to flush (analytics), then stops it.
    pub fn shutdown(mut self, grace: Duration) {
        drop(self.stdin.take());
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for AppServer {
    fn drop(&mut self) {
        drop(self.stdin.take());
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}
