//! The `plugin/*` methods: list, installed, read, install and uninstall, and the summaries
//! they return (`PluginSummary`, `PluginDetail`, ...).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `plugin/list` params.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PluginListParams {
    /// Working directories whose marketplaces are also in scope.
    #[serde(default)]
    pub cwds: Option<Vec<String>>,
    /// Marketplace kinds to list; absent means local marketplaces plus the remote global
    /// catalog when `features.remote_plugin` is on.
    #[serde(default)]
    pub marketplace_kinds: Option<Vec<PluginListMarketplaceKind>>,
    /// Ask for a fresh remote catalog fetch.
    #[serde(default)]
    pub force_refetch: bool,
}

/// A marketplace kind `plugin/list` can be asked for (`marketplaceKinds`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PluginListMarketplaceKind {
    /// Local marketplaces (home, working directories, curated).
    Local,
    /// The curated remote "vertical" collection.
    Vertical,
    /// The workspace's listed plugins (`workspace-directory`).
    WorkspaceDirectory,
    /// Plugins shared with the caller (`workspace-shared-with-me`).
    SharedWithMe,
    /// Plugins the caller created (`created-by-me-remote`).
    CreatedByMeRemote,
}

/// `plugin/list` result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PluginListResponse {
    /// Marketplaces with their plugins.
    pub marketplaces: Vec<PluginMarketplaceEntry>,
    /// Marketplace files that failed to load.
    pub marketplace_load_errors: Vec<MarketplaceLoadErrorInfo>,
    /// Featured plugin ids (only for the curated marketplace).
    pub featured_plugin_ids: Vec<String>,
}

/// `plugin/installed` params.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PluginInstalledParams {
    /// Working directories whose marketplaces are also in scope.
    #[serde(default)]
    pub cwds: Option<Vec<String>>,
    /// Uninstalled local plugins to return as well (for mention UIs).
    #[serde(default)]
    pub install_suggestion_plugin_names: Option<Vec<String>>,
}

/// `plugin/installed` result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PluginInstalledResponse {
    /// Marketplaces with their installed plugins.
    pub marketplaces: Vec<PluginMarketplaceEntry>,
    /// Marketplace files that failed to load.
    pub marketplace_load_errors: Vec<MarketplaceLoadErrorInfo>,
}

/// One marketplace and its plugins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PluginMarketplaceEntry {
    /// Marketplace name.
    pub name: String,
    /// The marketplace file; `null` for remote catalogs.
    pub path: Option<String>,
    /// Display metadata.
    pub interface: Option<MarketplaceInterface>,
    /// Its plugins.
    pub plugins: Vec<PluginSummary>,
}

/// A marketplace's display metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MarketplaceInterface {
    /// `interface.displayName`.
    pub display_name: Option<String>,
}

/// A marketplace file that could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MarketplaceLoadErrorInfo {
    /// The file.
    pub marketplace_path: String,
    /// Why it failed.
    pub message: String,
}

/// Where a plugin comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum PluginSource {
    /// A folder on disk.
    Local {
        /// Absolute folder.
        path: String,
    },
    /// A Git repository.
    #[serde(rename_all = "camelCase")]
    Git {
        /// Clone URL.
        url: String,
        /// Sub-folder.
        path: Option<String>,
        /// Branch or tag.
        ref_name: Option<String>,
        /// Commit.
        sha: Option<String>,
    },
    /// The remote plugin service.
    Remote,
}

/// Whether a plugin can be installed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PluginInstallPolicy {
    /// Listed but not installable.
    NotAvailable,
    /// Installable.
    Available,
    /// Installed without being asked.
    InstalledByDefault,
}

/// When a plugin asks for authentication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PluginAuthPolicy {
    /// During install.
    OnInstall,
    /// On first use.
    OnUse,
}

/// Whether an admin allows the plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PluginAvailability {
    /// Usable (`ENABLED` is accepted as an alias).
    #[serde(alias = "ENABLED")]
    Available,
    /// Blocked by an admin.
    DisabledByAdmin,
}

/// A plugin in a list, or the head of a `PluginDetail`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PluginSummary {
    /// `<plugin>@<marketplace>`.
    pub id: String,
    /// Backend id of a remote plugin.
    pub remote_plugin_id: Option<String>,
    /// Version advertised by a remote marketplace.
    pub version: Option<String>,
    /// Version of the local package.
    pub local_version: Option<String>,
    /// Plugin name.
    pub name: String,
    /// Remote sharing context.
    pub share_context: Option<Value>,
    /// Where it comes from.
    pub source: PluginSource,
    /// Installed in the cache and config.
    pub installed: bool,
    /// Unix seconds of a remote install.
    pub installed_at: Option<i64>,
    /// Installed and enabled.
    pub enabled: bool,
    /// Install policy.
    pub install_policy: PluginInstallPolicy,
    /// Where the install policy comes from (remote only).
    pub install_policy_source: Option<String>,
    /// Whether a UI must show an interstitial before install (remote only).
    pub must_show_installation_interstitial: Option<bool>,
    /// Auth policy.
    pub auth_policy: PluginAuthPolicy,
    /// Availability.
    pub availability: PluginAvailability,
    /// Why a remote plugin is unavailable.
    pub disabled_reason: Option<String>,
    /// Plan types eligible to install (remote only).
    pub eligible_plan_types: Option<Vec<String>>,
    /// Display metadata.
    pub interface: Option<PluginInterface>,
    /// Keywords.
    pub keywords: Vec<String>,
}

/// A plugin's display metadata.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PluginInterface {
    /// Display name.
    pub display_name: Option<String>,
    /// Short description.
    pub short_description: Option<String>,
    /// Long description.
    pub long_description: Option<String>,
    /// Developer.
    pub developer_name: Option<String>,
    /// Category.
    pub category: Option<String>,
    /// Capabilities.
    pub capabilities: Vec<String>,
    /// Website.
    pub website_url: Option<String>,
    /// Privacy policy.
    pub privacy_policy_url: Option<String>,
    /// Terms of service.
    pub terms_of_service_url: Option<String>,
    /// Starter prompts (at most 3).
    pub default_prompt: Option<Vec<String>>,
    /// Brand color.
    pub brand_color: Option<String>,
    /// Local composer icon.
    pub composer_icon: Option<String>,
    /// Remote composer icon.
    pub composer_icon_url: Option<String>,
    /// Local logo.
    pub logo: Option<String>,
    /// Local dark logo.
    pub logo_dark: Option<String>,
    /// Remote logo.
    pub logo_url: Option<String>,
    /// Remote dark logo.
    pub logo_url_dark: Option<String>,
    /// Local screenshots.
    pub screenshots: Vec<String>,
    /// Remote screenshots.
    pub screenshot_urls: Vec<String>,
}

/// `plugin/read` params: exactly one of `marketplacePath` / `remoteMarketplaceName`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PluginReadParams {
    /// A local marketplace file.
    #[serde(default)]
    pub marketplace_path: Option<String>,
    /// A remote marketplace.
    #[serde(default)]
    pub remote_marketplace_name: Option<String>,
    /// The plugin name (local) or remote plugin id (remote).
    pub plugin_name: String,
}

/// `plugin/read` result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PluginReadResponse {
    /// The plugin.
    pub plugin: PluginDetail,
}

/// Everything about one plugin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PluginDetail {
    /// Marketplace name.
    pub marketplace_name: String,
    /// Marketplace file; `null` for remote marketplaces.
    pub marketplace_path: Option<String>,
    /// The summary.
    pub summary: PluginSummary,
    /// Share URL of a shared remote plugin.
    pub share_url: Option<String>,
    /// Manifest description.
    pub description: Option<String>,
    /// Skills.
    pub skills: Vec<SkillSummary>,
    /// Onboarding skill.
    pub onboarding_skill: Option<SkillSummary>,
    /// Hooks.
    pub hooks: Vec<PluginHookSummary>,
    /// Apps.
    pub apps: Vec<AppSummary>,
    /// App templates (remote only).
    pub app_templates: Vec<AppTemplateSummary>,
    /// MCP server names.
    pub mcp_servers: Vec<String>,
    /// Scheduled tasks.
    pub scheduled_tasks: Option<Vec<Value>>,
}

/// A skill of a plugin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SkillSummary {
    /// `<plugin>:<skill>`.
    pub name: String,
    /// Description.
    pub description: String,
    /// Short description.
    pub short_description: Option<String>,
    /// Display metadata.
    pub interface: Option<Value>,
    /// The SKILL.md file.
    pub path: Option<String>,
    /// Whether it is enabled.
    pub enabled: bool,
}

/// A hook of a plugin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PluginHookSummary {
    /// Stable key.
    pub key: String,
    /// Event, camelCase (e.g. `preToolUse`).
    pub event_name: String,
}

/// An app (connector) of a plugin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppSummary {
    /// Connector id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Where to install it.
    pub install_url: Option<String>,
    /// Category.
    pub category: Option<String>,
}

/// An app template of a remote plugin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppTemplateSummary {
    /// Template id.
    pub template_id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Canonical connector.
    pub canonical_connector_id: Option<String>,
    /// Category.
    pub category: Option<String>,
    /// Logo.
    pub logo_url: Option<String>,
    /// Dark logo.
    pub logo_url_dark: Option<String>,
    /// Apps made from it.
    pub materialized_app_ids: Vec<String>,
    /// Why unavailable.
    pub reason: Option<String>,
}

/// `plugin/install` params: exactly one of `marketplacePath` / `remoteMarketplaceName`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PluginInstallParams {
    /// A local marketplace file.
    #[serde(default)]
    pub marketplace_path: Option<String>,
    /// A remote marketplace.
    #[serde(default)]
    pub remote_marketplace_name: Option<String>,
    /// The plugin name (local) or remote plugin id (remote).
    pub plugin_name: String,
}

/// `plugin/install` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PluginInstallResponse {
    /// When the plugin asks for authentication.
    pub auth_policy: PluginAuthPolicy,
    /// Apps that still need authentication.
    pub apps_needing_auth: Vec<AppSummary>,
}

/// `plugin/uninstall` params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PluginUninstallParams {
    /// A local id `<plugin>@<marketplace>` or a remote plugin id.
    pub plugin_id: String,
}

/// `plugin/uninstall` result: `{}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PluginUninstallResponse {}
