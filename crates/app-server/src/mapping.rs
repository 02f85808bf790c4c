//! Plain functions from the manager's domain types to the wire types of `plugin/*`.

use std::path::Path;

use berth_app_server_protocol as wire;
use berth_core::{MarketplaceEntry, PluginDetail, PluginListItem, PluginListing, PluginsManager};
use berth_marketplace::{AuthPolicy, InstallPolicy, PluginSource};
use berth_plugin::manifest::PluginInterface;

fn path_text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// A marketplace source.
pub(crate) fn source(source: &PluginSource) -> wire::PluginSource {
    match source {
        PluginSource::Local { path } => wire::PluginSource::Local {
            path: path_text(path),
        },
        PluginSource::Git {
            url,
            path,
            ref_name,
            sha,
        } => wire::PluginSource::Git {
            url: url.clone(),
            path: path.clone(),
            ref_name: ref_name.clone(),
            sha: sha.clone(),
        },
    }
}

/// An install policy.
pub(crate) fn install_policy(policy: InstallPolicy) -> wire::PluginInstallPolicy {
    match policy {
        InstallPolicy::NotAvailable => wire::PluginInstallPolicy::NotAvailable,
        InstallPolicy::Available => wire::PluginInstallPolicy::Available,
        InstallPolicy::InstalledByDefault => wire::PluginInstallPolicy::InstalledByDefault,
    }
}

/// An auth policy.
pub(crate) fn auth_policy(policy: AuthPolicy) -> wire::PluginAuthPolicy {
    match policy {
        AuthPolicy::OnInstall => wire::PluginAuthPolicy::OnInstall,
        AuthPolicy::OnUse => wire::PluginAuthPolicy::OnUse,
    }
}

/// A manifest interface.
pub(crate) fn interface(interface: &PluginInterface) -> wire::PluginInterface {
    wire::PluginInterface {
        display_name: interface.display_name.clone(),
        short_description: interface.short_description.clone(),
        long_description: interface.long_description.clone(),
        developer_name: interface.developer_name.clone(),
        category: interface.category.clone(),
        capabilities: interface.capabilities.clone(),
        website_url: interface.website_url.clone(),
        privacy_policy_url: interface.privacy_policy_url.clone(),
        terms_of_service_url: interface.terms_of_service_url.clone(),
        default_prompt: interface.default_prompt.clone(),
        brand_color: interface.brand_color.clone(),
        composer_icon: interface.composer_icon.as_deref().map(path_text),
        composer_icon_url: None,
        logo: interface.logo.as_deref().map(path_text),
        logo_dark: interface.logo_dark.as_deref().map(path_text),
        logo_url: None,
        logo_url_dark: None,
        screenshots: interface.screenshots.iter().map(|p| path_text(p)).collect(),
        screenshot_urls: Vec::new(),
    }
}

/// A listed plugin.
pub(crate) fn summary(manager: &PluginsManager, item: &PluginListItem) -> wire::PluginSummary {
    wire::PluginSummary {
        id: item.id.as_key(),
        remote_plugin_id: manager.remote_plugin_id_for(&item.id),
        version: None,
        local_version: item.local_version.clone(),
        name: item.id.plugin_name().to_owned(),
        share_context: None,
        source: source(&item.source),
        installed: item.installed,
        installed_at: None,
        enabled: item.enabled,
        install_policy: install_policy(item.policy.installation),
        install_policy_source: None,
        must_show_installation_interstitial: None,
        auth_policy: auth_policy(item.policy.authentication),
        availability: wire::PluginAvailability::Available,
        disabled_reason: None,
        eligible_plan_types: None,
        interface: item.interface.as_ref().map(interface),
        keywords: item.keywords.clone(),
    }
}

fn marketplace(
    manager: &PluginsManager,
    entry: &MarketplaceEntry,
    keep: impl Fn(&PluginListItem) -> bool,
) -> Option<wire::PluginMarketplaceEntry> {
    let plugins: Vec<_> = entry
        .plugins
        .iter()
        .filter(|item| keep(item))
        .map(|item| summary(manager, item))
        .collect();
    (!plugins.is_empty()).then(|| wire::PluginMarketplaceEntry {
        name: entry.name.clone(),
        path: Some(path_text(&entry.file)),
        interface: Some(wire::MarketplaceInterface {
            display_name: entry.display_name.clone(),
        }),
        plugins,
    })
}

/// Marketplaces of a listing, keeping the plugins `keep` accepts and dropping empty ones,
/// and the load errors.
pub(crate) fn listing(
    manager: &PluginsManager,
    listing: &PluginListing,
    keep: impl Fn(&PluginListItem) -> bool,
) -> (
    Vec<wire::PluginMarketplaceEntry>,
    Vec<wire::MarketplaceLoadErrorInfo>,
) {
    let marketplaces = listing
        .marketplaces
        .iter()
        .filter_map(|entry| marketplace(manager, entry, &keep))
        .collect();
    let errors = listing
        .errors
        .iter()
        .map(|error| wire::MarketplaceLoadErrorInfo {
            marketplace_path: path_text(&error.path),
            message: error.message.clone(),
        })
        .collect();
    (marketplaces, errors)
}

/// `PreToolUse` → `preToolUse`.
fn hook_event_name(name: &str) -> String {
    let mut chars = name.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_lowercase().chain(chars).collect()
    })
}

/// A plugin read in full.
pub(crate) fn detail(
    manager: &PluginsManager,
    marketplace_name: &str,
    marketplace_path: &Path,
    plugin: &PluginDetail,
) -> wire::PluginDetail {
    let summary = wire::PluginSummary {
        id: plugin.id.as_key(),
        remote_plugin_id: manager.remote_plugin_id_for(&plugin.id),
        version: None,
        local_version: plugin.local_version.clone(),
        name: plugin.id.plugin_name().to_owned(),
        share_context: None,
        source: source(&plugin.source),
        installed: plugin.installed,
        installed_at: None,
        enabled: plugin.enabled,
        install_policy: install_policy(plugin.policy.installation),
        install_policy_source: None,
        must_show_installation_interstitial: None,
        auth_policy: auth_policy(plugin.policy.authentication),
        availability: wire::PluginAvailability::Available,
        disabled_reason: None,
        eligible_plan_types: None,
        interface: plugin.interface.as_ref().map(interface),
        keywords: plugin.keywords.clone(),
    };
    wire::PluginDetail {
        marketplace_name: marketplace_name.to_owned(),
        marketplace_path: Some(path_text(marketplace_path)),
        summary,
        share_url: None,
        description: plugin.description.clone(),
        skills: plugin
            .skills
            .iter()
            .map(|skill| wire::SkillSummary {
                name: skill.name.clone(),
                description: skill.description.clone().unwrap_or_default(),
                short_description: None,
                interface: None,
                path: Some(path_text(&skill.path)),
                enabled: skill.enabled,
            })
            .collect(),
        onboarding_skill: None,
        hooks: plugin
            .hooks
            .iter()
            .map(|hook| wire::PluginHookSummary {
                key: hook.key.clone(),
                event_name: hook_event_name(&hook.event_name),
            })
            .collect(),
        apps: plugin
            .app_connector_ids
            .iter()
            .map(|id| wire::AppSummary {
                id: id.clone(),
                name: id.clone(),
                description: None,
                install_url: None,
                category: None,
            })
            .collect(),
        app_templates: Vec::new(),
        mcp_servers: plugin.mcp_server_names.clone(),
        scheduled_tasks: None,
    }
}
