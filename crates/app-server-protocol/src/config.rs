//! `config/value/write` and `config/batchWrite`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How a written value combines with what is there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum MergeStrategy {
    /// Replace the old value.
    Replace,
    /// Merge tables key by key.
    Upsert,
}

/// `config/value/write` params.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConfigValueWriteParams {
    /// Dotted key path, e.g. `plugins.sample@debug.enabled`.
    pub key_path: String,
    /// The JSON value to write (`null` removes the key).
    pub value: Value,
    /// How to combine with the current value.
    pub merge_strategy: MergeStrategy,
    /// The file to write; defaults to the user's `config.toml`.
    #[serde(default)]
    pub file_path: Option<String>,
    /// Fail unless the file still has this version.
    #[serde(default)]
    pub expected_version: Option<String>,
}

/// One edit of a `config/batchWrite`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConfigEdit {
    /// Dotted key path.
    pub key_path: String,
    /// The JSON value to write.
    pub value: Value,
    /// How to combine with the current value.
    pub merge_strategy: MergeStrategy,
}

/// `config/batchWrite` params.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConfigBatchWriteParams {
    /// Edits applied in order, all or nothing.
    pub edits: Vec<ConfigEdit>,
    /// The file to write; defaults to the user's `config.toml`.
    #[serde(default)]
    pub file_path: Option<String>,
    /// Fail unless the file still has this version.
    #[serde(default)]
    pub expected_version: Option<String>,
    /// Hot-reload the user config into loaded threads.
    #[serde(default)]
    pub reload_user_config: bool,
}

/// Whether a higher-precedence layer still overrides the written value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum ConfigWriteStatus {
    /// Written and effective.
    Ok,
    /// Written, but overridden by a higher layer.
    OkOverridden,
}

/// Result of both config writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConfigWriteResponse {
    /// `ok` or `okOverridden`.
    pub status: ConfigWriteStatus,
    /// `sha256:<hex>` of the written file.
    pub version: String,
    /// The absolute file written.
    pub file_path: String,
    /// What overrides the value when `okOverridden` (berth always sends `null`).
    pub overridden_metadata: Option<Value>,
}
