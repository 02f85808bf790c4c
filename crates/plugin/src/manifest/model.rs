//! The normalised plugin manifest: every `plugin.json` field of Codex's model, with paths
//! already resolved to absolute paths under the plugin root.

use std::path::{Path, PathBuf};

/// A plugin manifest after normalisation. Invalid parts were dropped with a warning on the
/// [`LoadedManifest`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PluginManifest {
    /// The `name` field, trimmed; the plugin root's directory name when blank or absent.
    pub name: String,
    /// The `version` field, trimmed; `None` when absent or blank (cache version `local`).
    pub version: Option<String>,
    /// Free-text description, trimmed; `None` when blank.
    pub description: Option<String>,
    /// Search keywords (non-blank strings, trimmed).
    pub keywords: Vec<String>,
    /// Declared skill roots; `None` when not declared (the default `./skills` applies).
    pub skills: Option<Vec<PathBuf>>,
    /// Declared MCP servers; `None` when not declared (the default `./.mcp.json` applies).
    pub mcp_servers: Option<McpServersSpec>,
    /// Declared app config file; `None` when not declared (the default `./.app.json` applies).
    pub apps: Option<PathBuf>,
    /// Declared hook sources; `None` when not declared (the default `./hooks/hooks.json` applies).
    pub hooks: Option<Vec<HooksSpec>>,
    /// UI- and model-facing metadata; `None` when no field survived normalisation.
    pub interface: Option<PluginInterface>,
}

impl PluginManifest {
    /// The trimmed, non-empty `interface.displayName`, else the plugin name.
    pub fn display_name(&self) -> &str {
        self.interface
            .as_ref()
            .and_then(|interface| interface.display_name.as_deref())
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .unwrap_or(&self.name)
    }
}

/// Where a plugin's MCP servers are declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum McpServersSpec {
    /// A JSON file shaped like `.mcp.json`: `{"mcpServers": {"<name>": {…}}}`.
    File(PathBuf),
    /// Servers written inline in `plugin.json`: `{"<name>": {…}}`.
    Inline(serde_json::Map<String, serde_json::Value>),
}

/// One source of plugin hooks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HooksSpec {
    /// A hooks file shaped like `hooks/hooks.json`: `{"hooks": {"<Event>": […]}}`.
    File(PathBuf),
    /// A hooks file written inline in `plugin.json`.
    Inline(serde_json::Value),
}

/// The manifest's `interface` object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PluginInterface {
    /// `displayName`.
    pub display_name: Option<String>,
    /// `shortDescription`.
    pub short_description: Option<String>,
    /// `longDescription`.
    pub long_description: Option<String>,
    /// `developerName`.
    pub developer_name: Option<String>,
    /// `category`.
    pub category: Option<String>,
    /// `capabilities`.
    pub capabilities: Vec<String>,
    /// `websiteUrl` (or `websiteURL`).
    pub website_url: Option<String>,
    /// `privacyPolicyUrl` (or `privacyPolicyURL`).
    pub privacy_policy_url: Option<String>,
    /// `termsOfServiceUrl` (or `termsOfServiceURL`).
    pub terms_of_service_url: Option<String>,
    /// `defaultPrompt`: at most 3 whitespace-collapsed prompts of at most 128 characters.
    pub default_prompt: Option<Vec<String>>,
    /// `brandColor`.
    pub brand_color: Option<String>,
    /// `composerIcon`, absolute.
    pub composer_icon: Option<PathBuf>,
    /// `logo`, absolute.
    pub logo: Option<PathBuf>,
    /// `logoDark`, absolute.
    pub logo_dark: Option<PathBuf>,
    /// `screenshots`, absolute.
    pub screenshots: Vec<PathBuf>,
}

impl PluginInterface {
    /// True when no field is set, in which case the manifest drops the interface.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// A manifest read from disk, with the soft problems found while normalising it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedManifest {
    /// The normalised manifest.
    pub manifest: PluginManifest,
    /// The `plugin.json` it was read from.
    pub path: PathBuf,
    /// The absolute plugin root every manifest path is resolved against.
    pub root: PathBuf,
    /// Human-readable notes about ignored parts, such as
    /// ``ignoring skills: path must start with `./` relative to plugin root``.
    pub warnings: Vec<String>,
}

impl LoadedManifest {
    /// The plugin root.
    pub fn root(&self) -> &Path {
        &self.root
    }
}

/// A value loaded from plugin component files plus the problems that were skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WithWarnings<T> {
    /// What was loaded.
    pub value: T,
    /// What was ignored, and why.
    pub warnings: Vec<String>,
}
