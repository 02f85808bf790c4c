//! A stdio JSON-RPC client for app servers (`berth app-server` or `codex app-server`): spawns
//! the server, sends requests one line each, and waits for the answer with the same id while
//! keeping the notifications that arrive in between.

use std::io::{BufRead, BufReader, Lines, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use serde_json::{Value, json};

/// A running app server spoken to over its stdin and stdout.
#[derive(Debug)]
pub struct AppServerClient {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Lines<BufReader<ChildStdout>>,
    next_id: u64,
    notifications: Vec<Value>,
}

impl AppServerClient {
    /// Spawns `command` (already pointing at the app server, e.g. `codex app-server`) with piped
    /// stdin and stdout; stderr is discarded.
    pub fn spawn(mut command: Command) -> Self {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn the app server");
        let stdin = child.stdin.take();
        let lines = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
        Self {
            child,
            stdin,
            lines,
            next_id: 0,
            notifications: Vec::new(),
        }
    }

    /// `initialize` as client `name`, then the `initialized` notification; returns the result.
    pub fn initialize(&mut self, name: &str) -> Value {
        let result = self.request(
            "initialize",
            json!({"clientInfo": {"name": name, "title": null, "version": "0.1.0"}}),
        );
        self.notify("initialized", None);
        result
    }

    /// Sends a request and returns the whole answer (`result` or `error`).
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({"id": id, "method": method});
        message["params"] = params;
        self.send(&message);
        self.wait_for_id(id)
    }

    /// Sends a request that must succeed and returns its `result`.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let answer = self.call(method, params);
        match answer.get("result") {
            Some(result) => result.clone(),
            None => panic!("{method} failed: {answer}"),
        }
    }

    /// Sends a notification.
    pub fn notify(&mut self, method: &str, params: Option<Value>) {
        let message = match params {
            Some(params) => json!({"method": method, "params": params}),
            None => json!({"method": method}),
        };
        self.send(&message);
    }

    /// Reads notifications until one with `method` arrives (or was already kept); returns it.
    pub fn wait_for_notification(&mut self, method: &str) -> Value {
        if let Some(index) = self
            .notifications
            .iter()
            .position(|message| message["method"] == method)
        {
            return self.notifications.remove(index);
        }
        loop {
            let message = self.read_message();
            if message["method"] == method {
                return message;
            }
            self.notifications.push(message);
        }
    }

    /// Notifications received so far and not yet taken.
    pub fn take_notifications(&mut self) -> Vec<Value> {
        std::mem::take(&mut self.notifications)
    }

    fn send(&mut self, message: &Value) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        writeln!(stdin, "{message}").expect("write to the app server");
        stdin.flush().expect("flush the app server's stdin");
    }

    fn wait_for_id(&mut self, id: u64) -> Value {
        loop {
            let message = self.read_message();
            if message.get("id") == Some(&json!(id)) && message.get("method").is_none() {
                return message;
            }
            self.notifications.push(message);
        }
    }

    fn read_message(&mut self) -> Value {
        let line = self
            .lines
            .next()
            .expect("the app server closed its stdout")
            .expect("read from the app server");
        serde_json::from_str(&line).unwrap_or_else(|err| panic!("not JSON ({err}): {line}"))
    }
}

impl Drop for AppServerClient {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
