//! Catalog items: [`DirectoryItem`], [`InstalledItem`] and the [`Release`] they carry.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::enums::{AuthenticationPolicy, Discoverability, InstallationPolicy, Scope, Status};

/// One plugin in the catalog (`GET /ps/plugins/list`, `GET /ps/plugins/{id}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DirectoryItem {
    /// Backend id, e.g. `plugins~Plugin_linear`.
    pub id: String,
    /// Plugin name; must equal the bundle manifest's `name`.
    pub name: String,
    /// Where the plugin is published.
    pub scope: Scope,
    /// Who can find it; required for [`Scope::Workspace`].
    #[serde(default)]
    pub discoverability: Option<Discoverability>,
    /// Account user id of the creator, when known.
    #[serde(default)]
    pub creator_account_user_id: Option<String>,
    /// Display name of the creator, when known.
    #[serde(default)]
    pub creator_name: Option<String>,
    /// Share link, when shared.
    #[serde(default)]
    pub share_url: Option<String>,
    /// Principals the plugin is shared with.
    #[serde(default)]
    pub share_principals: Vec<SharePrincipal>,
    /// Whether and how it can be installed.
    #[serde(default = "default_installation_policy")]
    pub installation_policy: InstallationPolicy,
    /// When its apps ask for authentication.
    #[serde(default = "default_authentication_policy")]
    pub authentication_policy: AuthenticationPolicy,
    /// Admin availability; `AVAILABLE` when absent.
    #[serde(default = "default_status")]
    pub status: Status,
    /// The current release.
    pub release: Release,
}

fn default_installation_policy() -> InstallationPolicy {
    InstallationPolicy::Available
}

fn default_authentication_policy() -> AuthenticationPolicy {
    AuthenticationPolicy::OnUse
}

fn default_status() -> Status {
    Status::Available
}

/// An installed plugin (`GET /ps/plugins/installed`): the directory fields plus per-account state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstalledItem {
    /// The catalog fields, flattened into the same JSON object.
    #[serde(flatten)]
    pub item: DirectoryItem,
    /// Whether the plugin is enabled for the account.
    pub enabled: bool,
    /// Skills the account turned off.
    #[serde(default)]
    pub disabled_skill_names: Vec<String>,
}

/// A principal a plugin is shared with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharePrincipal {
    /// `user`, `group`, `workspace`, ...
    pub principal_type: String,
    /// The principal's id.
    pub principal_id: String,
    /// `reader`, `editor`, ...
    pub role: String,
    /// Display name, when known.
    #[serde(default)]
    pub name: Option<String>,
}

/// A published release of a plugin.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Release {
    /// Release version (a valid version segment), e.g. `0.1.4`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Display name.
    #[serde(default)]
    pub display_name: String,
    /// Description. Always on the wire (an empty string when unknown): Codex's decoder
    /// requires the field and rejects the whole catalog page without it.
    #[serde(
        default,
        serialize_with = "description_or_empty",
        deserialize_with = "empty_description_as_none"
    )]
    pub description: Option<String>,
    /// Absolute URL of the gzip tar bundle; only with `includeDownloadUrls=true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle_download_url: Option<String>,
    /// Lowercase hex SHA-256 of the bundle bytes, so clients can verify the download.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle_sha256: Option<String>,
    /// App connector ids the plugin uses.
    #[serde(default)]
    pub app_ids: Vec<String>,
    /// App manifest JSON, written into global bundles on install.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_manifest: Option<Value>,
    /// App templates (decoded from `unavailable_app_templates` too).
    #[serde(default, alias = "unavailable_app_templates")]
    pub app_templates: Vec<AppTemplate>,
    /// Search keywords.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Presentation fields.
    #[serde(default)]
    pub interface: ReleaseInterface,
    /// Skills in the bundle.
    #[serde(default)]
    pub skills: Vec<SkillSummary>,
    /// MCP servers in the bundle.
    #[serde(default)]
    pub mcp_servers: Vec<McpServerRef>,
}

/// Presentation fields of a release.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseInterface {
    /// One-line description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_description: Option<String>,
    /// Long description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub long_description: Option<String>,
    /// Developer name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub developer_name: Option<String>,
    /// Category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Capabilities such as `Interactive`.
    #[serde(default)]
    pub capabilities: Vec<String>,
    /// Website.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website_url: Option<String>,
    /// Privacy policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy_policy_url: Option<String>,
    /// Terms of service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms_of_service_url: Option<String>,
    /// Brand color, e.g. `#5E6AD2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand_color: Option<String>,
    /// Single default prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_prompt: Option<String>,
    /// Default prompts (clients use at most three).
    #[serde(default)]
    pub default_prompts: Vec<String>,
    /// Composer icon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub composer_icon_url: Option<String>,
    /// Logo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
    /// Screenshots.
    #[serde(default)]
    pub screenshot_urls: Vec<String>,
}

/// An app template of a release.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppTemplate {
    /// Template id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_id: Option<String>,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Connector the template materialises.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canonical_connector_id: Option<String>,
    /// Logo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
    /// Dark logo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_url_dark: Option<String>,
    /// App ids already materialised from it.
    #[serde(default)]
    pub materialized_app_ids: Vec<String>,
    /// Why it is unavailable, when it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A skill listed in a release.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkillSummary {
    /// Skill name (the folder under `skills/`).
    pub name: String,
    /// Description from its front matter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Presentation fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interface: Option<SkillInterface>,
}

/// Presentation fields of a skill.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkillInterface {
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// One-line description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_description: Option<String>,
    /// Brand color.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand_color: Option<String>,
    /// Default prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_prompt: Option<String>,
    /// Small icon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon_small_url: Option<String>,
    /// Large icon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon_large_url: Option<String>,
}

/// An MCP server of a release, by its key in the plugin's `.mcp.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct McpServerRef {
    /// Server name.
    pub key: String,
}

#[expect(
    clippy::ref_option,
    reason = "serde's serialize_with passes the field by reference"
)]
fn description_or_empty<S: serde::Serializer>(
    description: &Option<String>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(description.as_deref().unwrap_or_default())
}

fn empty_description_as_none<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    let description = Option::<String>::deserialize(deserializer)?;
    Ok(description.filter(|text| !text.is_empty()))
}
