//! Where a smoke reads the analytics events a server sent: the debug-build capture file (one
//! `{"events":[...]}` request body per line) or the loopback collector.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::collector::Collector;

/// How often waits poll for new events.
pub const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// A source of delivered analytics events.
#[derive(Debug)]
pub enum EventSource {
    /// A JSONL capture file written by a debug build.
    CaptureFile(PathBuf),
    /// The recording proxy.
    Collector(Collector),
}

impl EventSource {
    /// Every event delivered so far, in order. Lines still being written are skipped.
    pub fn events(&self) -> Vec<Value> {
        match self {
            Self::CaptureFile(path) => read_capture_file(path),
            Self::Collector(collector) => collector.events(),
        }
    }

    /// Events whose `event_params` match `filter`.
    pub fn matching(&self, filter: impl Fn(&Value) -> bool) -> Vec<Value> {
        self.events()
            .into_iter()
            .filter(|event| filter(&event["event_params"]))
            .collect()
    }

    /// Polls until `done` holds for the events or `timeout` passes; returns the last events.
    pub fn wait_until(
        &self,
        timeout: Duration,
        done: impl Fn(&[Value]) -> bool,
    ) -> Result<Vec<Value>, Vec<Value>> {
        let deadline = Instant::now() + timeout;
        loop {
            let events = self.events();
            if done(&events) {
                return Ok(events);
            }
            if Instant::now() >= deadline {
                return Err(events);
            }
            std::thread::sleep(POLL_INTERVAL);
        }
    }

    /// Describes the source for the final report.
    pub fn describe(&self) -> String {
        match self {
            Self::CaptureFile(path) => format!("capture file: {}", path.display()),
            Self::Collector(collector) => format!("collector: {}", collector.base_url()),
        }
    }
}

fn read_capture_file(path: &Path) -> Vec<Value> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    text.lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .flat_map(|body| body["events"].as_array().cloned().unwrap_or_default())
        .collect()
}

/// Events of `event_type`.
pub fn of_type<'a>(
    events: &'a [Value],
    event_type: &'a str,
) -> impl Iterator<Item = &'a Value> + 'a {
    events
        .iter()
        .filter(move |event| event["event_type"] == event_type)
}
