//! Typed access to the parts of `config.toml` berth knows: `[plugins."<id>"]`,
//! `[marketplaces.<name>]`, `[features]`, `[analytics]` and `chatgpt_base_url`.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use serde_json::{Value as Json, json};
use toml_edit::{Item, TableLike};

use crate::error::{ConfigError, KeyPathProblem};
use crate::file::ConfigFile;
use crate::value::MergeStrategy;

/// The top-level table of plugin entries.
const PLUGINS: &str = "plugins";
/// The top-level table of user-added marketplaces.
const MARKETPLACES: &str = "marketplaces";

/// One `[plugins."<name>@<marketplace>"]` entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PluginConfigEntry {
    /// Whether the plugin is enabled; `true` when the entry omits `enabled`.
    pub enabled: bool,
}

/// One `[marketplaces.<name>]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarketplaceConfig {
    /// The marketplace name (the table key).
    pub name: String,
    /// `local` for a directory on disk; anything else is a remote (git) source.
    pub source_type: String,
    /// The directory (for `local`) or URL of the marketplace.
    pub source: String,
    /// `ref`: the branch, tag or commit a Git marketplace follows.
    pub ref_name: Option<String>,
    /// `sparse_paths`: the paths of a Git marketplace that are checked out (all when empty).
    pub sparse_paths: Vec<String>,
}

/// A problem in `config.toml` that does not stop berth; the affected part is ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigWarning {
    /// The `[plugins]` table does not have the expected shape, so no plugin is configured.
    InvalidPluginsConfig {
        /// The config file.
        path: PathBuf,
        /// The key path of the offending value.
        key_path: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A `[marketplaces.<name>]` entry lacks a string `source_type` or `source` and is skipped.
    InvalidMarketplaceConfig {
        /// The config file.
        path: PathBuf,
        /// The marketplace name.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
}

impl fmt::Display for ConfigWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidPluginsConfig {
                path,
                key_path,
                reason,
            } => write!(
                f,
                "invalid plugins config in `{}`: `{key_path}` {reason}; all plugin entries are ignored until it is fixed",
                path.display()
            ),
            Self::InvalidMarketplaceConfig { path, name, reason } => write!(
                f,
                "invalid marketplace config in `{}`: `marketplaces.{name}` {reason}; the marketplace is ignored",
                path.display()
            ),
        }
    }
}

/// A value read from the config together with the problems found while reading it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WithWarnings<T> {
    /// What was read; invalid parts are left out.
    pub value: T,
    /// What was left out and why.
    pub warnings: Vec<ConfigWarning>,
}

impl ConfigFile {
    /// The configured plugins keyed by `name@marketplace`.
    ///
    /// Like Codex, a `[plugins]` table of the wrong shape (unknown keys, a non-boolean
    /// `enabled`, ...) makes the whole table count as empty, reported as a warning.
    pub fn plugins(&self) -> WithWarnings<BTreeMap<String, PluginConfigEntry>> {
        let mut value = BTreeMap::new();
        let Some(item) = self.table().get(PLUGINS) else {
            return WithWarnings {
                value,
                warnings: Vec::new(),
            };
        };
        match read_plugins(item, &mut value) {
            Ok(()) => WithWarnings {
                value,
                warnings: Vec::new(),
            },
            Err((key_path, reason)) => {
                let warning = ConfigWarning::InvalidPluginsConfig {
                    path: self.path().to_path_buf(),
                    key_path,
                    reason,
                };
                tracing::warn!("{warning}");
                WithWarnings {
                    value: BTreeMap::new(),
                    warnings: vec![warning],
                }
            }
        }
    }

    /// The user-added marketplaces in file order. Entries without a string `source_type` and
    /// `source` are skipped with a warning.
    pub fn marketplaces(&self) -> WithWarnings<Vec<MarketplaceConfig>> {
        let mut value = Vec::new();
        let mut warnings = Vec::new();
        let Some(table) = self.table().get(MARKETPLACES).and_then(Item::as_table_like) else {
            return WithWarnings { value, warnings };
        };
        for (name, item) in table.iter() {
            let warn = |reason| ConfigWarning::InvalidMarketplaceConfig {
                path: self.path().to_path_buf(),
                name: name.to_owned(),
                reason,
            };
            let Some(entry) = item.as_table_like() else {
                warnings.push(warn("is not a table"));
                continue;
            };
            let string = |key: &str| entry.get(key).and_then(Item::as_str).map(str::to_owned);
            let sparse_paths = entry
                .get("sparse_paths")
                .and_then(Item::as_array)
                .map(|paths| {
                    paths
                        .iter()
                        .filter_map(|path| path.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            match (string("source_type"), string("source")) {
                (Some(source_type), Some(source)) => value.push(MarketplaceConfig {
                    name: name.to_owned(),
                    source_type,
                    source,
                    ref_name: string("ref").filter(|name| !name.trim().is_empty()),
                    sparse_paths,
                }),
                (None, _) => warnings.push(warn("has no string `source_type`")),
                (_, None) => warnings.push(warn("has no string `source`")),
            }
        }
        WithWarnings { value, warnings }
    }

    /// The top-level `chatgpt_base_url`, if set to a string.
    pub fn chatgpt_base_url(&self) -> Option<String> {
        self.table()
            .get("chatgpt_base_url")
            .and_then(Item::as_str)
            .map(str::to_owned)
    }

    /// `[analytics] enabled`, if set to a boolean.
    pub fn analytics_enabled(&self) -> Option<bool> {
        self.bool_at("analytics", "enabled")
    }

    /// `[features] <name>`, if set to a boolean.
    pub fn feature_enabled(&self, name: &str) -> Option<bool> {
        self.bool_at("features", name)
    }

    fn bool_at(&self, table: &str, key: &str) -> Option<bool> {
        self.table()
            .get(table)
            .and_then(Item::as_table_like)
            .and_then(|t| t.get(key))
            .and_then(Item::as_bool)
    }

    /// Sets `enabled` for a plugin, creating `[plugins."<key>"]` if needed (written the way
    /// Codex writes it: a standard table with `enabled = true`).
    pub fn set_plugin_enabled(&mut self, key: &str, enabled: bool) -> Result<(), ConfigError> {
        check_entry_key(PLUGINS, key)?;
        self.set_value(
            &[PLUGINS, key, "enabled"],
            &Json::Bool(enabled),
            MergeStrategy::Replace,
        )
    }

    /// Removes a plugin's whole entry, including sub-tables such as `.mcp_servers`. Returns
    /// whether it was configured.
    pub fn clear_plugin(&mut self, key: &str) -> Result<bool, ConfigError> {
        check_entry_key(PLUGINS, key)?;
        self.clear_value(&[PLUGINS, key])
    }

    /// Records a marketplace as `[marketplaces.<name>]` with `source_type` and `source`,
    /// updating those two keys (and keeping any others) if it already exists.
    pub fn set_marketplace(
        &mut self,
        name: &str,
        source_type: &str,
        source: &str,
    ) -> Result<(), ConfigError> {
        check_entry_key(MARKETPLACES, name)?;
        self.set_value(
            &[MARKETPLACES, name],
            &json!({ "source_type": source_type, "source": source }),
            MergeStrategy::Upsert,
        )
    }

    /// Records a Git marketplace the way Codex does: `source_type = "git"`, `source`, then
    /// `ref` and `sparse_paths` when given (removed when not), keeping any other keys.
    pub fn set_git_marketplace(
        &mut self,
        name: &str,
        source: &str,
        ref_name: Option<&str>,
        sparse_paths: &[String],
    ) -> Result<(), ConfigError> {
        check_entry_key(MARKETPLACES, name)?;
        let sparse_paths = (!sparse_paths.is_empty()).then_some(sparse_paths);
        self.set_value(
            &[MARKETPLACES, name],
            &json!({
                "source_type": "git",
                "source": source,
                "ref": ref_name,
                "sparse_paths": sparse_paths,
            }),
            MergeStrategy::Upsert,
        )
    }

    /// Removes `[marketplaces.<name>]`. Returns whether it existed.
    pub fn remove_marketplace(&mut self, name: &str) -> Result<bool, ConfigError> {
        check_entry_key(MARKETPLACES, name)?;
        self.clear_value(&[MARKETPLACES, name])
    }
}

fn check_entry_key(table: &str, key: &str) -> Result<(), ConfigError> {
    if key.is_empty() {
        return Err(ConfigError::InvalidKeyPath {
            key_path: format!("{table}."),
            problem: KeyPathProblem::EmptySegment,
        });
    }
    Ok(())
}

/// Validates `[plugins]` against Codex's `PluginConfig` shape (which denies unknown fields)
/// and collects the entries. On error returns the offending key path and what is wrong.
fn read_plugins(
    item: &Item,
    out: &mut BTreeMap<String, PluginConfigEntry>,
) -> Result<(), (String, &'static str)> {
    let table = item
        .as_table_like()
        .ok_or_else(|| (PLUGINS.to_owned(), "is not a table"))?;
    for (key, entry) in table.iter() {
        let at = |suffix: &str| format!("{PLUGINS}.{key}{suffix}");
        let entry = entry
            .as_table_like()
            .ok_or_else(|| (at(""), "is not a table"))?;
        let mut enabled = true;
        for (field, value) in entry.iter() {
            match field {
                "enabled" => {
                    enabled = value
                        .as_bool()
                        .ok_or_else(|| (at(".enabled"), "is not a boolean"))?;
                }
                "mcp_servers" => {
                    check_mcp_servers(value).map_err(|reason| (at(".mcp_servers"), reason))?;
                }
                _ => return Err((at(&format!(".{field}")), "is not a known plugin setting")),
            }
        }
        out.insert(key.to_owned(), PluginConfigEntry { enabled });
    }
    Ok(())
}

fn check_mcp_servers(item: &Item) -> Result<(), &'static str> {
    let servers: &dyn TableLike = item.as_table_like().ok_or("is not a table")?;
    for (_, server) in servers.iter() {
        if !server.is_table_like() {
            return Err("has a server entry that is not a table");
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "sections_tests.rs"]
mod tests;
