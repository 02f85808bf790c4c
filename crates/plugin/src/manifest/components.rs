//! The component files a manifest points at (or their defaults): MCP servers (`.mcp.json`),
//! app connectors (`.app.json`) and hooks (`hooks/hooks.json`).
//!
//! Hook keys are `<source>:<EventName>:<index>`, where `<source>` is the hooks file path
//! relative to the plugin root (`hooks/hooks.json`) or `inline[<n>]` for the n-th entry of an
//! inline `hooks` declaration, and `<index>` is the position in that event's array.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value};

use super::load::json_type_name;
use super::model::{HooksSpec, LoadedManifest, McpServersSpec, WithWarnings};
use crate::AppConnectorId;

/// Default MCP config file, relative to the plugin root.
pub const DEFAULT_MCP_CONFIG_FILE: &str = ".mcp.json";
/// Default app config file, relative to the plugin root.
pub const DEFAULT_APP_CONFIG_FILE: &str = ".app.json";
/// Default hooks file, relative to the plugin root.
pub const DEFAULT_HOOKS_FILE: &str = "hooks/hooks.json";

/// One hook group a plugin registers, as `plugin/read` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginHook {
    /// Stable key: `<source>:<EventName>:<index>`.
    pub key: String,
    /// The hook event, such as `PreToolUse`.
    pub event_name: String,
}

impl LoadedManifest {
    /// MCP servers by name (sorted, unique) with their raw JSON config. Reads the declared
    /// file or inline object, else `./.mcp.json` when it exists.
    pub fn mcp_servers(&self) -> WithWarnings<BTreeMap<String, Value>> {
        let mut warnings = Vec::new();
        let servers = match &self.manifest.mcp_servers {
            Some(McpServersSpec::Inline(servers)) => servers.clone(),
            Some(McpServersSpec::File(path)) => read_mcp_file(path, true, &mut warnings),
            None => read_mcp_file(
                &self.root.join(DEFAULT_MCP_CONFIG_FILE),
                false,
                &mut warnings,
            ),
        };
        let value = servers
            .into_iter()
            .filter_map(|(name, config)| {
                if config.is_object() {
                    Some((name, config))
                } else {
                    warnings.push(format!(
                        "ignoring MCP server `{name}`: expected an object; found {}",
                        json_type_name(&config)
                    ));
                    None
                }
            })
            .collect();
        WithWarnings { value, warnings }
    }

    /// App connector ids from the declared app file, else `./.app.json` when it exists. Blank
    /// ids are dropped with a warning; duplicates are removed keeping the first.
    pub fn app_connector_ids(&self) -> WithWarnings<Vec<AppConnectorId>> {
        let mut warnings = Vec::new();
        let (path, declared) = match &self.manifest.apps {
            Some(path) => (path.clone(), true),
            None => (self.root.join(DEFAULT_APP_CONFIG_FILE), false),
        };
        let mut ids: Vec<AppConnectorId> = Vec::new();
        let apps = read_json_file(&path, declared, &mut warnings).and_then(|mut value| {
            if let Some(Value::Object(apps)) = value.get_mut("apps").map(Value::take) {
                Some(apps)
            } else {
                warnings.push(format!(
                    "ignoring app config `{}`: expected an `apps` object",
                    path.display()
                ));
                None
            }
        });
        for (key, app) in apps.unwrap_or_default() {
            let id = app.get("id").and_then(Value::as_str).map(str::trim);
            match id {
                Some(id) if !id.is_empty() => {
                    if !ids.iter().any(|known| known.as_str() == id) {
                        ids.push(AppConnectorId(id.to_owned()));
                    }
                }
                _ => warnings.push(format!("ignoring app `{key}`: id must not be blank")),
            }
        }
        WithWarnings {
            value: ids,
            warnings,
        }
    }

    /// Hook groups from the declared sources, else `./hooks/hooks.json` when it exists.
    pub fn hooks(&self) -> WithWarnings<Vec<PluginHook>> {
        let mut warnings = Vec::new();
        let mut hooks = Vec::new();
        let default_sources;
        let sources = if let Some(sources) = &self.manifest.hooks {
            sources
        } else {
            default_sources = vec![HooksSpec::File(self.root.join(DEFAULT_HOOKS_FILE))];
            &default_sources
        };
        let declared = self.manifest.hooks.is_some();
        for (position, source) in sources.iter().enumerate() {
            let (label, value) = match source {
                HooksSpec::File(path) => (
                    relative_label(&self.root, path),
                    read_json_file(path, declared, &mut warnings),
                ),
                HooksSpec::Inline(value) => (format!("inline[{position}]"), Some(value.clone())),
            };
            let Some(value) = value else { continue };
            collect_hooks(&label, &value, &mut hooks, &mut warnings);
        }
        WithWarnings {
            value: hooks,
            warnings,
        }
    }
}

fn collect_hooks(
    label: &str,
    file: &Value,
    hooks: &mut Vec<PluginHook>,
    warnings: &mut Vec<String>,
) {
    let events = match file.get("hooks") {
        Some(Value::Object(events)) => events,
        Some(Value::Null) | None => return,
        Some(other) => {
            warnings.push(format!(
                "ignoring hooks in `{label}`: expected an object; found {}",
                json_type_name(other)
            ));
            return;
        }
    };
    for (event_name, groups) in events {
        let Value::Array(groups) = groups else {
            warnings.push(format!(
                "ignoring hooks for `{event_name}` in `{label}`: expected an array; found {}",
                json_type_name(groups)
            ));
            continue;
        };
        hooks.extend((0..groups.len()).map(|index| PluginHook {
            key: format!("{label}:{event_name}:{index}"),
            event_name: event_name.clone(),
        }));
    }
}

fn relative_label(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    relative
        .components()
        .map(|part| part.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn read_mcp_file(path: &Path, declared: bool, warnings: &mut Vec<String>) -> Map<String, Value> {
    let Some(mut value) = read_json_file(path, declared, warnings) else {
        return Map::new();
    };
    if let Some(Value::Object(servers)) = value.get_mut("mcpServers").map(Value::take) {
        servers
    } else {
        warnings.push(format!(
            "ignoring MCP config `{}`: expected an `mcpServers` object",
            path.display()
        ));
        Map::new()
    }
}

/// Reads a JSON file. A missing default file is silent; a missing declared file, a read
/// failure or a syntax error is a warning.
fn read_json_file(path: &Path, declared: bool, warnings: &mut Vec<String>) -> Option<Value> {
    let text = match berth_fs::read_bounded_to_string(path, berth_fs::FileKind::Manifest) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound && !declared => return None,
        Err(error) => {
            warnings.push(format!("failed to read `{}`: {error}", path.display()));
            return None;
        }
    };
    match serde_json::from_str(&text) {
        Ok(value) => Some(value),
        Err(error) => {
            warnings.push(format!("failed to parse `{}`: {error}", path.display()));
            None
        }
    }
}

#[cfg(test)]
#[path = "components_tests.rs"]
mod tests;
