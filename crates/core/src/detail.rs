//! Reading one plugin in full: manifest, skills, MCP servers, apps and hooks.

use std::path::PathBuf;

use berth_marketplace::{PluginPolicy, PluginSource};
use berth_plugin::PluginId;
use berth_plugin::manifest::{PluginHook, PluginInterface, load_manifest};

use crate::marketplaces::MarketplaceSelector;
use crate::{ManagerError, PluginsManager};

/// A plugin read through its marketplace.
#[derive(Debug, Clone)]
pub struct PluginReadOutcome {
    /// The marketplace name.
    pub marketplace_name: String,
    /// The marketplace file.
    pub marketplace_path: PathBuf,
    /// The plugin.
    pub plugin: PluginDetail,
}

/// Everything known about one plugin.
#[derive(Debug, Clone)]
pub struct PluginDetail {
    /// Local id.
    pub id: PluginId,
    /// Where the marketplace says it comes from.
    pub source: PluginSource,
    /// Install and auth policy.
    pub policy: PluginPolicy,
    /// Manifest version of the source.
    pub local_version: Option<String>,
    /// Active cache version when installed.
    pub installed_version: Option<String>,
    /// Installed and recorded in config.toml.
    pub installed: bool,
    /// Installed and enabled.
    pub enabled: bool,
    /// Manifest description.
    pub description: Option<String>,
    /// Manifest interface, category overridden by the marketplace.
    pub interface: Option<PluginInterface>,
    /// Manifest keywords.
    pub keywords: Vec<String>,
    /// Skills, named `<plugin>:<skill>`.
    pub skills: Vec<SkillDetail>,
    /// MCP server names, sorted.
    pub mcp_server_names: Vec<String>,
    /// App connector ids.
    pub app_connector_ids: Vec<String>,
    /// Hooks.
    pub hooks: Vec<PluginHook>,
    /// Why details are missing (e.g. a Git source that is not installed), if they are.
    pub details_unavailable_reason: Option<String>,
    /// Warnings from reading the manifest and its component files.
    pub warnings: Vec<String>,
}

/// One skill of a plugin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkillDetail {
    /// `<plugin>:<skill>`.
    pub name: String,
    /// From the SKILL.md frontmatter.
    pub description: Option<String>,
    /// The SKILL.md file.
    pub path: PathBuf,
    /// Whether the skill is enabled.
    pub enabled: bool,
}

impl PluginsManager {
    /// Reads a plugin of a marketplace.
    pub fn read_plugin(
        &self,
        marketplace: &MarketplaceSelector,
        plugin_name: &str,
    ) -> Result<PluginReadOutcome, ManagerError> {
        let config = self.config.load()?;
        let marketplace = self.resolve_marketplace(&config, marketplace)?;
        let plugin = marketplace
            .plugins
            .iter()
            .find(|plugin| plugin.name == plugin_name)
            .ok_or_else(|| berth_marketplace::MarketplaceError::PluginNotFound {
                plugin: plugin_name.to_owned(),
                marketplace: marketplace.name.clone(),
            })?;
        let entry = config.plugins().value.get(&plugin.id.as_key()).copied();
        let installed_version = entry
            .as_ref()
            .and_then(|_| self.store.active_plugin_version(&plugin.id));
        let installed = installed_version.is_some();
        let mut detail = PluginDetail {
            id: plugin.id.clone(),
            source: plugin.source.clone(),
            policy: plugin.policy.clone(),
            local_version: None,
            installed_version,
            installed,
            enabled: installed && entry.is_some_and(|entry| entry.enabled),
            description: None,
            interface: None,
            keywords: Vec::new(),
            skills: Vec::new(),
            mcp_server_names: Vec::new(),
            app_connector_ids: Vec::new(),
            hooks: Vec::new(),
            details_unavailable_reason: None,
            warnings: Vec::new(),
        };
        let root = match &plugin.source {
            PluginSource::Local { path } => Some(path.clone()),
            PluginSource::Git { url, .. } => {
                let cached = self.store.active_plugin_root(&plugin.id);
                if cached.is_none() {
                    detail.details_unavailable_reason = Some(format!(
                        "This is a cross-repo plugin. Install it to view more detailed information. The source of the plugin is {url}."
                    ));
                }
                cached
            }
        };
        if let Some(root) = root {
            let loaded = load_manifest(&root).map_err(|source| ManagerError::InvalidManifest {
                plugin_id: plugin.id.as_key(),
                source,
            })?;
            let manifest = &loaded.manifest;
            detail.local_version.clone_from(&manifest.version);
            detail.description.clone_from(&manifest.description);
            detail.keywords.clone_from(&manifest.keywords);
            detail.interface = manifest.interface.clone().map(|mut interface| {
                if plugin.category.is_some() {
                    interface.category.clone_from(&plugin.category);
                }
                interface
            });
            detail.warnings.clone_from(&loaded.warnings);
            let skills = loaded.skills();
            detail.skills = skills
                .value
                .iter()
                .map(|skill| SkillDetail {
                    name: format!("{}:{}", plugin.name, skill.name),
                    description: skill.description.clone(),
                    path: skill.path.clone(),
                    enabled: true,
                })
                .collect();
            let mcp_servers = loaded.mcp_servers();
            detail.mcp_server_names = mcp_servers.value.keys().cloned().collect();
            let apps = loaded.app_connector_ids();
            detail.app_connector_ids = apps.value.iter().map(|id| id.as_str().to_owned()).collect();
            let hooks = loaded.hooks();
            detail.hooks = hooks.value;
            for warnings in [
                skills.warnings,
                mcp_servers.warnings,
                apps.warnings,
                hooks.warnings,
            ] {
                detail.warnings.extend(warnings);
            }
        }
        Ok(PluginReadOutcome {
            marketplace_name: marketplace.name.clone(),
            marketplace_path: marketplace.file.clone(),
            plugin: detail,
        })
    }
}
