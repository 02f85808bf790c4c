//! Which app server a smoke talks to (printed for the operator), and whether the mutation
//! smoke requires the `codex_plugin_uninstalled` event (`--uninstall-event`).
//!
//! Measured: Codex 0.169.0's `codex app-server` does send exactly one
//! `codex_plugin_uninstalled` (local `plugin_id`, backend `remote_plugin_id`) for a remote
//! uninstall, provided it keeps running until its analytics queue flushes, which the smoke
//! does; so the event is required by default for every server. `optional` exists for servers
//! that send none.

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

/// Whether the mutation smoke requires the `codex_plugin_uninstalled` event.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum UninstallEvent {
    /// Exactly one event is required.
    #[default]
    Required,
    /// At most one event is allowed (validated when present); for servers that send none.
    Optional,
}

impl UninstallEvent {
    /// Whether exactly one event is required.
    pub fn is_required(self) -> bool {
        self == Self::Required
    }

    /// The line to print when the event is not asserted.
    pub fn note(self) -> Option<&'static str> {
        match self {
            Self::Required => None,
            Self::Optional => Some(
                "note: uninstall analytics not asserted (--uninstall-event optional): at most one codex_plugin_uninstalled is allowed, and validated when present",
            ),
        }
    }
}

/// What a server says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerIdentity {
    /// `userAgent` from the `initialize` result, e.g. `client/0.169.0 (Debian 12; x86_64) ...`.
    pub user_agent: String,
    /// The first line of `<server-bin> --version`, e.g. `codex-cli 0.169.0` or `berth 0.1.0`
    /// (both servers put the client name first in their `userAgent`, so the version line is
    /// what tells them apart).
    pub version_line: String,
}

impl ServerIdentity {
    /// Reads the identity of `server_bin` from its `initialize` result and its `--version`.
    pub fn probe(server_bin: &Path, initialize: &Value) -> Self {
        let version_line = Command::new(server_bin)
            .arg("--version")
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .ok()
            .and_then(|output| {
                String::from_utf8_lossy(&output.stdout)
                    .lines()
                    .next()
                    .map(|line| line.trim().to_owned())
            })
            .unwrap_or_default();
        Self {
            user_agent: initialize["userAgent"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            version_line,
        }
    }

    /// One line for the report.
    pub fn describe(&self) -> String {
        let version = if self.version_line.is_empty() {
            "unknown version"
        } else {
            &self.version_line
        };
        format!("server: {version} (userAgent `{}`)", self.user_agent)
    }
}

#[cfg(test)]
#[path = "identity_tests.rs"]
mod tests;
