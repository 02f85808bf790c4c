//! `berth plugin read`: one plugin's details — version, state, skills, MCP servers, apps and
//! hooks.

use std::fmt::Write as _;
use std::process::ExitCode;

use berth_core::{MarketplaceSelector, PluginReadOutcome};
use berth_plugin::manifest::PluginInterface;
use serde_json::json;

use crate::cli::SelectorArgs;
use crate::commands::plugin::list::{source_json, source_text};
use crate::commands::plugin::selected_plugin_id;
use crate::context::Context;
use crate::printer;

pub(crate) fn run(context: &Context, args: &SelectorArgs) -> anyhow::Result<ExitCode> {
    let id = selected_plugin_id(args)?;
    let outcome = context.manager.read_plugin(
        &MarketplaceSelector::Name(id.marketplace_name().to_owned()),
        id.plugin_name(),
    )?;
    if args.json {
        printer::json(&detail_json(&outcome))?;
    } else {
        printer::line(detail_text(&outcome))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn detail_json(outcome: &PluginReadOutcome) -> serde_json::Value {
    let plugin = &outcome.plugin;
    json!({
        "pluginId": plugin.id.as_key(),
        "name": plugin.id.plugin_name(),
        "marketplaceName": outcome.marketplace_name,
        "marketplacePath": outcome.marketplace_path,
        "localVersion": plugin.local_version,
        "installedVersion": plugin.installed_version,
        "installed": plugin.installed,
        "enabled": plugin.enabled,
        "source": source_json(&plugin.source),
        "installPolicy": plugin.policy.installation,
        "authPolicy": plugin.policy.authentication,
        "description": plugin.description,
        "interface": plugin.interface.as_ref().map(interface_json),
        "keywords": plugin.keywords,
        "skills": plugin.skills.iter().map(|skill| json!({
            "name": skill.name,
            "description": skill.description,
            "path": skill.path,
            "enabled": skill.enabled,
        })).collect::<Vec<_>>(),
        "mcpServers": plugin.mcp_server_names,
        "apps": plugin.app_connector_ids,
        "hooks": plugin.hooks.iter().map(|hook| json!({"key": hook.key, "eventName": hook.event_name})).collect::<Vec<_>>(),
        "detailsUnavailableReason": plugin.details_unavailable_reason,
        "warnings": plugin.warnings,
    })
}

fn interface_json(interface: &PluginInterface) -> serde_json::Value {
    json!({
        "displayName": interface.display_name,
        "shortDescription": interface.short_description,
        "longDescription": interface.long_description,
        "developerName": interface.developer_name,
        "category": interface.category,
        "capabilities": interface.capabilities,
        "websiteUrl": interface.website_url,
        "privacyPolicyUrl": interface.privacy_policy_url,
        "termsOfServiceUrl": interface.terms_of_service_url,
        "defaultPrompt": interface.default_prompt,
        "brandColor": interface.brand_color,
        "composerIcon": interface.composer_icon,
        "logo": interface.logo,
        "logoDark": interface.logo_dark,
        "screenshots": interface.screenshots,
    })
}

fn detail_text(outcome: &PluginReadOutcome) -> String {
    let plugin = &outcome.plugin;
    let mut text = String::new();
    let title = plugin
        .interface
        .as_ref()
        .and_then(|interface| interface.display_name.clone())
        .unwrap_or_else(|| plugin.id.plugin_name().to_owned());
    let _ = writeln!(text, "{title} ({})", plugin.id);
    if let Some(description) = &plugin.description {
        let _ = writeln!(text, "{description}");
    }
    let state = match (plugin.installed, plugin.enabled) {
        (false, _) => "not installed".to_owned(),
        (true, enabled) => format!(
            "installed {}, {}",
            plugin.installed_version.as_deref().unwrap_or("?"),
            if enabled { "enabled" } else { "disabled" }
        ),
    };
    let _ = writeln!(text);
    let _ = writeln!(text, "Status:      {state}");
    let _ = writeln!(
        text,
        "Version:     {}",
        plugin.local_version.as_deref().unwrap_or("-")
    );
    let _ = writeln!(text, "Source:      {}", source_text(&plugin.source));
    let _ = writeln!(
        text,
        "Marketplace: {} ({})",
        outcome.marketplace_name,
        outcome.marketplace_path.display()
    );
    let list = |items: Vec<String>| {
        if items.is_empty() {
            "none".to_owned()
        } else {
            items.join(", ")
        }
    };
    let _ = writeln!(
        text,
        "Skills:      {}",
        list(
            plugin
                .skills
                .iter()
                .map(|skill| skill.name.clone())
                .collect()
        )
    );
    let _ = writeln!(
        text,
        "MCP servers: {}",
        list(plugin.mcp_server_names.clone())
    );
    let _ = writeln!(
        text,
        "Apps:        {}",
        list(plugin.app_connector_ids.clone())
    );
    let _ = write!(
        text,
        "Hooks:       {}",
        list(
            plugin
                .hooks
                .iter()
                .map(|hook| hook.event_name.clone())
                .collect()
        )
    );
    if let Some(reason) = &plugin.details_unavailable_reason {
        let _ = write!(text, "\n{reason}");
    }
    for warning in &plugin.warnings {
        let _ = write!(text, "\nwarning: {warning}");
    }
    text
}
