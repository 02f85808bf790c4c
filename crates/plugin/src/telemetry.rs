//! Telemetry metadata for plugin lifecycle events and the sink they are reported to. The
//! plugins manager builds every [`PluginTelemetryMetadata`]; the analytics pipeline
//! implements [`PluginEventSink`].

use std::sync::{Mutex, PoisonError};

use crate::{PluginCapabilitySummary, PluginId};

/// Who a plugin event is about: the local id, the backend id when known, and what the
/// plugin contributes when that is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginTelemetryMetadata {
    /// Local identity, `name@marketplace`.
    pub plugin_id: PluginId,
    /// Backend identity of a remote plugin (`plugins~Plugin_…`), when known.
    pub remote_plugin_id: Option<String>,
    /// Capabilities, when the plugin is installed and its manifest loads.
    pub capability_summary: Option<PluginCapabilitySummary>,
}

/// A lifecycle transition that analytics reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PluginState {
    /// Installed into the cache and enabled in config.
    Installed,
    /// Removed from the cache and config.
    Uninstalled,
    /// `enabled = true` written to config.
    Enabled,
    /// `enabled = false` written to config.
    Disabled,
}

impl PluginState {
    /// The analytics event type for this transition.
    pub fn event_type(self) -> &'static str {
        match self {
            Self::Installed => "codex_plugin_installed",
            Self::Uninstalled => "codex_plugin_uninstalled",
            Self::Enabled => "codex_plugin_enabled",
            Self::Disabled => "codex_plugin_disabled",
        }
    }
}

/// The turn a plugin was used in.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PluginUsedContext {
    /// Thread id.
    pub thread_id: String,
    /// Turn id.
    pub turn_id: String,
    /// Model slug the turn ran with.
    pub model_slug: String,
}

/// One event handed to a [`PluginEventSink`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PluginEvent {
    /// Installed, uninstalled, enabled or disabled.
    StateChanged {
        /// The transition.
        state: PluginState,
        /// The plugin.
        metadata: PluginTelemetryMetadata,
    },
    /// Explicitly mentioned in a turn.
    Used {
        /// The plugin.
        metadata: PluginTelemetryMetadata,
        /// The turn.
        context: PluginUsedContext,
    },
}

/// Receives plugin events. Implementations must not block and must never fail the caller.
pub trait PluginEventSink: Send + Sync {
    /// Records one event, best effort.
    fn record(&self, event: PluginEvent);
}

/// A sink that discards everything (analytics off).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoopEventSink;

impl PluginEventSink for NoopEventSink {
    fn record(&self, _event: PluginEvent) {}
}

/// A sink that keeps events in memory, for tests and in-process inspection.
#[derive(Debug, Default)]
pub struct RecordingEventSink {
    events: Mutex<Vec<PluginEvent>>,
}

impl RecordingEventSink {
    /// Takes the events recorded so far.
    pub fn take(&self) -> Vec<PluginEvent> {
        std::mem::take(&mut *self.events.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl PluginEventSink for RecordingEventSink {
    fn record(&self, event: PluginEvent) {
        self.events
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(event);
    }
}
