//! `config/value/write` and `config/batchWrite`: locked, versioned edits of `config.toml`
//! (or the given `filePath`) versioned as Codex versions them (see
//! [`crate::config_version`]), then `codex_plugin_enabled` / `codex_plugin_disabled` for every
//! plugin toggle the edits contained.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use berth_app_server_protocol::{
    ConfigBatchWriteParams, ConfigEdit, ConfigValueWriteParams, ConfigWriteResponse,
    ConfigWriteStatus, MergeStrategy,
};
use berth_config::{ConfigError, ConfigStore, parse_key_path};
use serde_json::{Value, json};

use crate::config_version::codex_config_version;
use crate::error_code::RpcError;
use crate::plugins::blocking;
use crate::server::{Handled, Session};

/// `config/value/write`.
pub(crate) async fn value_write(
    session: &Arc<Session>,
    params: ConfigValueWriteParams,
) -> Result<Handled, RpcError> {
    write(
        session,
        vec![ConfigEdit {
            key_path: params.key_path,
            value: params.value,
            merge_strategy: params.merge_strategy,
        }],
        params.file_path,
        params.expected_version,
    )
    .await
}

/// `config/batchWrite`.
pub(crate) async fn batch_write(
    session: &Arc<Session>,
    params: ConfigBatchWriteParams,
) -> Result<Handled, RpcError> {
    write(
        session,
        params.edits,
        params.file_path,
        params.expected_version,
    )
    .await
}

struct ParsedEdit {
    key_path: Vec<String>,
    value: Value,
    strategy: berth_config::MergeStrategy,
}

async fn write(
    session: &Arc<Session>,
    edits: Vec<ConfigEdit>,
    file_path: Option<String>,
    expected_version: Option<String>,
) -> Result<Handled, RpcError> {
    let edits = edits
        .into_iter()
        .map(|edit| {
            Ok(ParsedEdit {
                key_path: parse_key_path(&edit.key_path)?,
                value: edit.value,
                strategy: match edit.merge_strategy {
                    MergeStrategy::Replace => berth_config::MergeStrategy::Replace,
                    MergeStrategy::Upsert => berth_config::MergeStrategy::Upsert,
                },
            })
        })
        .collect::<Result<Vec<_>, ConfigError>>()?;
    let toggles = plugin_toggles(
        edits
            .iter()
            .map(|edit| (edit.key_path.as_slice(), &edit.value)),
    );
    let overridden = edits.iter().any(|edit| {
        session.overrides.iter().any(|item| {
            item.key_path.starts_with(&edit.key_path) || edit.key_path.starts_with(&item.key_path)
        })
    });
    let store = match file_path {
        Some(path) => {
            ConfigStore::for_file(std::path::absolute(PathBuf::from(&path)).map_err(|err| {
                RpcError::invalid_request(format!("invalid filePath `{path}`: {err}"))
            })?)
        }
        None => session.user_config.clone(),
    };
    let _scope = session.config_scope.lock().await;
    let file_path = store.path().to_string_lossy().into_owned();
    let version = blocking(session, move |manager| {
        let (version, _file_version) = store.edit(|config| {
            if let Some(expected) = &expected_version {
                let actual = codex_config_version(config);
                if *expected != actual {
                    return Err(ConfigError::VersionConflict {
                        path: config.path().to_path_buf(),
                        expected: expected.clone(),
                        actual,
                    });
                }
            }
            for edit in &edits {
                config.set_value(&edit.key_path, &edit.value, edit.strategy)?;
            }
            Ok::<_, ConfigError>(codex_config_version(config))
        })?;
        if !toggles.is_empty() {
            manager.report_plugin_toggles(&toggles);
        }
        Ok(version)
    })
    .await?;
    Handled::value(&ConfigWriteResponse {
        status: if overridden {
            ConfigWriteStatus::OkOverridden
        } else {
            ConfigWriteStatus::Ok
        },
        version,
        file_path,
        overridden_metadata: overridden.then(|| {
            json!({
                "message": "a -c override passed to the server takes precedence over this value",
                "overridingLayer": {"name": {"type": "sessionFlags"}, "version": null},
                "effectiveValue": null,
            })
        }),
    })
}

/// Plugin toggles in edits, last write per id winning: `plugins.<id>.enabled = bool`,
/// `plugins.<id> = {enabled: bool, ..}` and `plugins = {<id>: {enabled: bool}}`.
pub(crate) fn plugin_toggles<'a>(
    edits: impl IntoIterator<Item = (&'a [String], &'a Value)>,
) -> BTreeMap<String, bool> {
    let mut toggles = BTreeMap::new();
    for (key_path, value) in edits {
        match key_path {
            [plugins, id, enabled] if plugins == "plugins" && enabled == "enabled" => {
                if let Some(enabled) = value.as_bool() {
                    toggles.insert(id.clone(), enabled);
                }
            }
            [plugins, id] if plugins == "plugins" => {
                if let Some(enabled) = value.get("enabled").and_then(Value::as_bool) {
                    toggles.insert(id.clone(), enabled);
                }
            }
            [plugins] if plugins == "plugins" => {
                if let Some(entries) = value.as_object() {
                    for (id, entry) in entries {
                        if let Some(enabled) = entry.get("enabled").and_then(Value::as_bool) {
                            toggles.insert(id.clone(), enabled);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    toggles
}

#[cfg(test)]
#[path = "config_write_tests.rs"]
mod tests;
