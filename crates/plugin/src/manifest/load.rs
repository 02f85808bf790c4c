//! Reading `plugin.json` and normalising its top-level fields. Every problem except a missing
//! file or a JSON syntax error becomes a warning and the field is ignored.

use std::path::{Component, Path, PathBuf};

use serde_json::{Map, Value};

use super::error::{ManifestError, ManifestErrorKind};
use super::interface::normalise_interface;
use super::location::find_manifest;
use super::model::{HooksSpec, LoadedManifest, McpServersSpec, PluginManifest};

/// Finds and loads the manifest under `root` (`.codex-plugin/plugin.json`, then
/// `.claude-plugin/plugin.json`).
pub fn load_manifest(root: &Path) -> Result<LoadedManifest, ManifestError> {
    let root = absolute_root(root);
    let path = find_manifest(&root)
        .ok_or_else(|| ManifestError::new(ManifestErrorKind::NotFound { root: root.clone() }))?;
    let text = berth_fs::read_bounded_to_string(&path, berth_fs::FileKind::Manifest).map_err(
        |source| {
            ManifestError::new(ManifestErrorKind::Read {
                path: path.clone(),
                source,
            })
        },
    )?;
    parse_manifest_str(&text, &root, path)
}

/// Normalises manifest JSON `text` as if it had been read from `path` under `root`. Used for
/// manifests that do not come from the plugin's own file, such as a marketplace fallback.
pub fn parse_manifest_str(
    text: &str,
    root: &Path,
    path: PathBuf,
) -> Result<LoadedManifest, ManifestError> {
    let root = absolute_root(root);
    let value: Value = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(source) => {
            return Err(ManifestError::new(ManifestErrorKind::Syntax {
                path,
                source,
            }));
        }
    };
    let Value::Object(fields) = value else {
        return Err(ManifestError::new(ManifestErrorKind::NotAnObject { path }));
    };
    let version = match fields.get("version") {
        None | Some(Value::Null) => None,
        Some(Value::String(version)) => non_blank(version),
        Some(_) => {
            return Err(ManifestError::new(ManifestErrorKind::VersionNotString {
                path,
            }));
        }
    };
    let mut normaliser = Normaliser::new(&root);
    let name = normaliser
        .string("name", fields.get("name"))
        .unwrap_or_else(|| directory_name(&root));
    let description = normaliser.string("description", fields.get("description"));
    let keywords = normaliser.string_list("keywords", fields.get("keywords"));
    let skills = normaliser.skills(fields.get("skills"));
    let mcp_servers = normaliser.mcp_servers(fields.get("mcpServers"));
    let apps = normaliser.apps(fields.get("apps"));
    let hooks = normaliser.hooks(fields.get("hooks"));
    let interface = normaliser.interface(fields.get("interface"));
    let warnings = normaliser.warnings;
    Ok(LoadedManifest {
        manifest: PluginManifest {
            name,
            version,
            description,
            keywords,
            skills,
            mcp_servers,
            apps,
            hooks,
            interface,
        },
        path,
        root,
        warnings,
    })
}

fn absolute_root(root: &Path) -> PathBuf {
    std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf())
}

fn directory_name(root: &Path) -> String {
    root.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn non_blank(text: &str) -> Option<String> {
    let trimmed = text.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

/// The JSON type name used in "found <type>" warnings.
pub(crate) fn json_type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Collects warnings while turning raw JSON fields into manifest values.
pub(crate) struct Normaliser<'a> {
    root: &'a Path,
    pub(crate) warnings: Vec<String>,
}

impl<'a> Normaliser<'a> {
    pub(crate) fn new(root: &'a Path) -> Self {
        Self {
            root,
            warnings: Vec::new(),
        }
    }

    pub(crate) fn warn(&mut self, field: &str, message: &str) {
        self.warnings.push(format!("ignoring {field}: {message}"));
    }

    /// A trimmed non-blank string; other JSON types are ignored with a warning.
    pub(crate) fn string(&mut self, field: &str, value: Option<&Value>) -> Option<String> {
        match value? {
            Value::Null => None,
            Value::String(text) => non_blank(text),
            other => {
                self.warn(
                    field,
                    &format!("expected a string; found {}", json_type_name(other)),
                );
                None
            }
        }
    }

    /// Trimmed non-blank strings of an array; non-string entries are ignored with a warning.
    pub(crate) fn string_list(&mut self, field: &str, value: Option<&Value>) -> Vec<String> {
        match value {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .filter_map(|(index, item)| match item {
                    Value::String(text) => non_blank(text),
                    other => {
                        self.warn(
                            &format!("{field}[{index}]"),
                            &format!("expected a string; found {}", json_type_name(other)),
                        );
                        None
                    }
                })
                .collect(),
            Some(other) => {
                self.warn(
                    field,
                    &format!("expected a string array; found {}", json_type_name(other)),
                );
                Vec::new()
            }
        }
    }

    /// Resolves a manifest-relative path: it must start with `./`, not be exactly `./`, and
    /// contain only normal components. An empty string is silently absent.
    pub(crate) fn path(&mut self, field: &str, path: &str) -> Option<PathBuf> {
        if path.is_empty() {
            return None;
        }
        let Some(relative) = path.strip_prefix("./") else {
            self.warn(field, "path must start with `./` relative to plugin root");
            return None;
        };
        if relative.is_empty() {
            self.warn(field, "path must not be `./`");
            return None;
        }
        let mut resolved = self.root.to_path_buf();
        for component in Path::new(relative).components() {
            match component {
                Component::Normal(part) => resolved.push(part),
                Component::ParentDir => {
                    self.warn(field, "path must not contain '..'");
                    return None;
                }
                Component::CurDir | Component::RootDir | Component::Prefix(_) => {
                    self.warn(field, "path must stay within the plugin root");
                    return None;
                }
            }
        }
        Some(resolved)
    }

    fn skills(&mut self, value: Option<&Value>) -> Option<Vec<PathBuf>> {
        let roots: Vec<PathBuf> = match value? {
            Value::Null => return None,
            Value::String(path) => self.path("skills", path).into_iter().collect(),
            Value::Array(items) => items
                .iter()
                .filter_map(|item| match item {
                    Value::String(path) => self.path("skills", path),
                    other => {
                        self.warn(
                            "skills",
                            &format!(
                                "expected a string or string array; found array containing {}",
                                json_type_name(other)
                            ),
                        );
                        None
                    }
                })
                .collect(),
            other => {
                self.warn(
                    "skills",
                    &format!(
                        "expected a string or string array; found {}",
                        json_type_name(other)
                    ),
                );
                return None;
            }
        };
        (!roots.is_empty()).then_some(roots)
    }

    fn mcp_servers(&mut self, value: Option<&Value>) -> Option<McpServersSpec> {
        match value? {
            Value::Null => None,
            Value::String(path) => self.path("mcpServers", path).map(McpServersSpec::File),
            Value::Object(servers) => Some(McpServersSpec::Inline(unwrap_mcp_servers(servers))),
            other => {
                self.warn(
                    "mcpServers",
                    &format!(
                        "expected a string or object; found {}",
                        json_type_name(other)
                    ),
                );
                None
            }
        }
    }

    fn apps(&mut self, value: Option<&Value>) -> Option<PathBuf> {
        match value? {
            Value::Null => None,
            Value::String(path) => self.path("apps", path),
            other => {
                self.warn(
                    "apps",
                    &format!("expected a string; found {}", json_type_name(other)),
                );
                None
            }
        }
    }

    fn hooks(&mut self, value: Option<&Value>) -> Option<Vec<HooksSpec>> {
        const EXPECTED: &str = "expected a string, string array, object, or object array";
        let sources: Vec<HooksSpec> = match value? {
            Value::Null => return None,
            Value::String(path) => self
                .path("hooks", path)
                .map(HooksSpec::File)
                .into_iter()
                .collect(),
            inline @ Value::Object(_) => vec![HooksSpec::Inline(inline.clone())],
            Value::Array(items) => items
                .iter()
                .filter_map(|item| match item {
                    Value::String(path) => self.path("hooks", path).map(HooksSpec::File),
                    Value::Object(_) => Some(HooksSpec::Inline(item.clone())),
                    other => {
                        self.warn(
                            "hooks",
                            &format!(
                                "{EXPECTED}; found array containing {}",
                                json_type_name(other)
                            ),
                        );
                        None
                    }
                })
                .collect(),
            other => {
                self.warn(
                    "hooks",
                    &format!("{EXPECTED}; found {}", json_type_name(other)),
                );
                return None;
            }
        };
        (!sources.is_empty()).then_some(sources)
    }

    fn interface(&mut self, value: Option<&Value>) -> Option<super::model::PluginInterface> {
        match value? {
            Value::Null => None,
            Value::Object(fields) => normalise_interface(self, fields),
            other => {
                self.warn(
                    "interface",
                    &format!("expected an object; found {}", json_type_name(other)),
                );
                None
            }
        }
    }
}

/// Accepts both `{"<name>": {…}}` and the `.mcp.json` shape `{"mcpServers": {…}}` inline.
fn unwrap_mcp_servers(servers: &Map<String, Value>) -> Map<String, Value> {
    match servers.get("mcpServers") {
        Some(Value::Object(inner)) if servers.len() == 1 => inner.clone(),
        _ => servers.clone(),
    }
}

#[cfg(test)]
#[path = "load_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "load_fuzz_tests.rs"]
mod fuzz_tests;
