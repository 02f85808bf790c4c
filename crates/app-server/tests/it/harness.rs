//! A JSON-RPC client over a spawned server's stdio: send requests, wait for answers and
//! notifications with a deadline, and keep notifications that arrive while waiting.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use berth_test_support::TestHome;
use serde_json::{Value, json};

/// How long any single wait lasts before the test fails.
pub(crate) const WAIT: Duration = Duration::from_secs(20);

/// The berth server binary built for these tests.
pub(crate) fn berth_bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_berth-app-server"))
}

/// A running server.
pub(crate) struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    pending: VecDeque<Value>,
    next_id: i64,
}

impl Server {
    /// Spawns `program [-c override]... app-server` in `home`, with extra env.
    pub(crate) fn spawn(
        program: &Path,
        home: &TestHome,
        overrides: &[String],
        env: &[(&str, &str)],
    ) -> Self {
        let mut command: Command = home.command(program);
        for item in overrides {
            command.arg("-c").arg(item);
        }
        command.arg("app-server");
        for (name, value) in env {
            command.env(name, value);
        }
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = command.spawn().expect("spawn the app server");
        let stdout = child.stdout.take().expect("stdout");
        let stdin = child.stdin.take();
        let (sender, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            stdin,
            lines,
            pending: VecDeque::new(),
            next_id: 0,
        }
    }

    /// The server's stdin, for writing a message in pieces.
    pub(crate) fn stdin(&mut self) -> &mut ChildStdin {
        self.stdin.as_mut().expect("stdin open")
    }

    /// The server's process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits for an error answer with `"id": null` (to a message that could not be read).
    pub(crate) fn answer_without_id(&mut self) -> Value {
        let deadline = Instant::now() + WAIT;
        let matches = |m: &Value| m.get("id") == Some(&Value::Null) && m.get("error").is_some();
        if let Some(index) = self.pending.iter().position(matches) {
            return self.pending.remove(index).unwrap();
        }
        loop {
            let message = self.next_line(deadline);
            if matches(&message) {
                return message;
            }
            self.pending.push_back(message);
        }
    }

    /// Writes raw bytes (plus a newline).
    pub(crate) fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).unwrap();
        stdin.write_all(b"\n").unwrap();
        stdin.flush().unwrap();
    }

    /// Sends a message.
    pub(crate) fn send(&mut self, message: &Value) {
        self.send_raw(serde_json::to_string(message).unwrap().as_bytes());
    }

    /// Sends a request and returns its id.
    pub(crate) fn request(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({"id": id, "method": method});
        message["params"] = params;
        self.send(&message);
        id
    }

    fn next_line(&mut self, deadline: Instant) -> Value {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.lines.recv_timeout(left) {
            Ok(line) => serde_json::from_str(&line)
                .unwrap_or_else(|err| panic!("server wrote a non-JSON line ({err}): {line}")),
            Err(RecvTimeoutError::Timeout) => panic!("timed out waiting for the server"),
            Err(RecvTimeoutError::Disconnected) => panic!("the server closed stdout"),
        }
    }

    /// Waits for the answer to `id` (result or error), keeping other messages.
    pub(crate) fn answer(&mut self, id: i64) -> Value {
        let deadline = Instant::now() + WAIT;
        if let Some(index) = self
            .pending
            .iter()
            .position(|m| m.get("id") == Some(&json!(id)) && m.get("method").is_none())
        {
            return self.pending.remove(index).unwrap();
        }
        loop {
            let message = self.next_line(deadline);
            if message.get("id") == Some(&json!(id)) && message.get("method").is_none() {
                return message;
            }
            self.pending.push_back(message);
        }
    }

    /// Sends a request and returns its `result`, failing on an error answer.
    pub(crate) fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.request(method, params);
        let answer = self.answer(id);
        match answer.get("result") {
            Some(result) => result.clone(),
            None => panic!("{method} failed: {answer}"),
        }
    }

    /// Sends a request and returns its `error`, failing on a result.
    pub(crate) fn call_error(&mut self, method: &str, params: Value) -> Value {
        let id = self.request(method, params);
        let answer = self.answer(id);
        match answer.get("error") {
            Some(error) => error.clone(),
            None => panic!("{method} unexpectedly succeeded: {answer}"),
        }
    }

    /// Waits for a notification named `method` matching `filter`; returns its params.
    pub(crate) fn notification(&mut self, method: &str, filter: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + WAIT;
        let matches = |m: &Value| m.get("method") == Some(&json!(method)) && filter(&m["params"]);
        if let Some(index) = self.pending.iter().position(matches) {
            return self.pending.remove(index).unwrap()["params"].clone();
        }
        loop {
            let message = self.next_line(deadline);
            if matches(&message) {
                return message["params"].clone();
            }
            self.pending.push_back(message);
        }
    }

    /// Notifications received so far (in order), without waiting.
    pub(crate) fn drain_notifications(&mut self) -> Vec<Value> {
        while let Ok(line) = self.lines.try_recv() {
            self.pending
                .push_back(serde_json::from_str(&line).expect("JSON line"));
        }
        self.pending.drain(..).collect()
    }

    /// `initialize` + `initialized`; returns the initialize result.
    pub(crate) fn initialize(&mut self, client_name: &str) -> Value {
        let result = self.call(
            "initialize",
            json!({
                "clientInfo": {"name": client_name, "title": null, "version": "0.1.0"},
                "capabilities": {"experimentalApi": true},
            }),
        );
        self.send(&json!({"method": "initialized"}));
        result
    }

    /// Closes stdin and waits for the process to exit; returns whether it exited cleanly.
    pub(crate) fn shutdown(mut self) -> bool {
        drop(self.stdin.take());
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.success();
            }
            assert!(
                Instant::now() < deadline,
                "the server did not exit after EOF"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The `-c` overrides that point a server at a loopback Responses provider `p`.
/// `berth app-server` on `home` whose model provider is the loopback at `base_url` (with
/// `retries` retries), not yet initialized.
pub(crate) fn provider_server(
    home: &TestHome,
    base_url: &str,
    retries: u32,
    env: &[(&str, &str)],
) -> Server {
    Server::spawn(
        berth_bin(),
        home,
        &provider_overrides(base_url, retries),
        env,
    )
}

pub(crate) fn provider_overrides(base_url: &str, retries: u32) -> Vec<String> {
    vec![
        "model=\"m\"".to_owned(),
        "model_provider=\"p\"".to_owned(),
        "model_providers.p.name=\"p\"".to_owned(),
        format!("model_providers.p.base_url=\"{base_url}/v1\""),
        "model_providers.p.wire_api=\"responses\"".to_owned(),
        "model_providers.p.requires_openai_auth=false".to_owned(),
        format!("model_providers.p.request_max_retries={retries}"),
        format!("model_providers.p.stream_max_retries={retries}"),
    ]
}
