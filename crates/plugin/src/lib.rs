//! Shared plugin identity and telemetry-facing types: [`PluginId`], version and remote-id
//! validation, the plugin manifest model, [`PluginCapabilitySummary`] and
//! [`PluginTelemetryMetadata`], and the [`PluginEventSink`] that lifecycle events flow into.

mod capability;
mod id;
pub mod manifest;
mod remote;
mod telemetry;

pub use capability::{
    AppConnectorId, MAX_CAPABILITY_SUMMARY_DESCRIPTION_LEN, PluginCapabilitySummary,
};
pub use id::{
    DEFAULT_PLUGIN_VERSION, PluginId, PluginIdError, is_valid_remote_plugin_id,
    validate_plugin_segment, validate_plugin_version_segment, validate_remote_plugin_id,
};
pub use manifest::{
    LoadedManifest, ManifestError, PluginHook, PluginInterface, PluginManifest, PluginSkill,
    load_manifest, plugin_capability_summary_from_root,
};
pub use remote::{
    REMOTE_CREATED_BY_ME_MARKETPLACE, REMOTE_GLOBAL_MARKETPLACE, REMOTE_MARKETPLACES,
    REMOTE_SHARED_WITH_ME_MARKETPLACE, REMOTE_WORKSPACE_DIRECTORY_MARKETPLACE,
    is_remote_marketplace,
};
pub use telemetry::{
    NoopEventSink, PluginEvent, PluginEventSink, PluginState, PluginTelemetryMetadata,
    PluginUsedContext, RecordingEventSink,
};
