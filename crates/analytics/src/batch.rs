//! Accumulates serialized events into one request body, tracking count, bytes and age.

use tokio::time::Instant;

use crate::settings::BatchLimits;

const BODY_PREFIX: &[u8] = br#"{"events":["#;
const BODY_SUFFIX: &[u8] = b"]}";

/// Events waiting to be sent together, already serialized.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    events: Vec<Vec<u8>>,
    bytes: usize,
    started: Option<Instant>,
}

impl Batch {
    pub(crate) fn len(&self) -> usize {
        self.events.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Size of the body as it stands.
    pub(crate) fn body_len(&self) -> usize {
        let separators = self.events.len().saturating_sub(1);
        BODY_PREFIX.len() + self.bytes + separators + BODY_SUFFIX.len()
    }

    /// Size of the body if one event of `event_len` bytes were added.
    pub(crate) fn body_len_with(&self, event_len: usize) -> usize {
        self.body_len() + event_len + usize::from(!self.events.is_empty())
    }

    /// Adds one serialized event.
    pub(crate) fn push(&mut self, event: Vec<u8>) {
        if self.started.is_none() {
            self.started = Some(Instant::now());
        }
        self.bytes += event.len();
        self.events.push(event);
    }

    /// Whether the batch must be sent now.
    pub(crate) fn is_full(&self, limits: &BatchLimits) -> bool {
        self.events.len() >= limits.max_events.max(1) || self.body_len() >= limits.max_bytes
    }

    /// When the oldest event has waited `max_delay`.
    pub(crate) fn send_at(&self, limits: &BatchLimits) -> Option<Instant> {
        self.started.map(|started| started + limits.max_delay)
    }

    /// Takes the events as one body, `{"events":[…]}`, byte-identical to
    /// `serde_json::to_vec` of the same `TrackEventsRequest`. Returns it with its event count.
    pub(crate) fn take_body(&mut self) -> (Vec<u8>, usize) {
        let mut body = Vec::with_capacity(self.body_len());
        body.extend_from_slice(BODY_PREFIX);
        for (index, event) in self.events.iter().enumerate() {
            if index > 0 {
                body.push(b',');
            }
            body.extend_from_slice(event);
        }
        body.extend_from_slice(BODY_SUFFIX);
        let count = self.events.len();
        *self = Self::default();
        (body, count)
    }
}

#[cfg(test)]
#[path = "batch_tests.rs"]
mod tests;
