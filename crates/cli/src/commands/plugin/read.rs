//! `berth plugin read`: one plugin's details — version, state, skills, MCP servers, apps and
//! hooks — read from its marketplace, or for a remote plugin from the plugin service.

use std::fmt::Write as _;
use std::process::ExitCode;

use berth_core::{MarketplaceSelector, PluginReadOutcome};
use berth_plugin::manifest::PluginInterface;
use serde_json::json;

use crate::cli::SelectorArgs;
use crate::commands::plugin::list::{source_json, source_text};
use crate::commands::plugin::read_remote;
use crate::commands::plugin::remote::{self, RemoteSession, Selected};
use crate::commands::plugin::unknown;
use crate::context::Context;
use crate::printer;

pub(crate) fn run(context: &Context, args: &SelectorArgs) -> anyhow::Result<ExitCode> {
    let id = match remote::select(args)? {
        Selected::Local(id) => id,
        Selected::RemoteByName(id) => {
            let session = RemoteSession::connect(context)?;
            let remote_id = session.resolve_in_catalog(id.plugin_name(), id.marketplace_name())?;
            return read_remote::run(context, &session, &remote_id, args.json);
        }
        Selected::RemoteById(remote_id) => {
            let session = RemoteSession::connect(context)?;
            return read_remote::run(context, &session, &remote_id, args.json);
        }
    };
    let outcome = context
        .manager
        .read_plugin(
            &MarketplaceSelector::Name(id.marketplace_name().to_owned()),
            id.plugin_name(),
        )
        .map_err(|err| unknown::explain(context, err.into()))?;
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
    let title = plugin
        .interface
        .as_ref()
        .and_then(|interface| interface.display_name.clone())
        .unwrap_or_else(|| plugin.id.plugin_name().to_owned());
    let mut trailer: Vec<String> = plugin.details_unavailable_reason.iter().cloned().collect();
    trailer.extend(
        plugin
            .warnings
            .iter()
            .map(|warning| format!("warning: {warning}")),
    );
    DetailText {
        title,
        id: plugin.id.as_key(),
        description: plugin.description.clone(),
        status: status_text(
            plugin.installed,
            plugin.enabled,
            plugin.installed_version.as_deref(),
        ),
        version: plugin
            .local_version
            .clone()
            .unwrap_or_else(|| "-".to_owned()),
        source: source_text(&plugin.source),
        marketplace: format!(
            "{} ({})",
            outcome.marketplace_name,
            outcome.marketplace_path.display()
        ),
        skills: plugin
            .skills
            .iter()
            .map(|skill| skill.name.clone())
            .collect(),
        mcp_servers: plugin.mcp_server_names.clone(),
        apps: plugin.app_connector_ids.clone(),
        hooks: plugin
            .hooks
            .iter()
            .map(|hook| hook.event_name.clone())
            .collect(),
        trailer,
    }
    .render()
}

/// `installed 1.2.0, enabled`, or `not installed`.
pub(crate) fn status_text(installed: bool, enabled: bool, version: Option<&str>) -> String {
    match (installed, enabled) {
        (false, _) => "not installed".to_owned(),
        (true, enabled) => format!(
            "installed {}, {}",
            version.unwrap_or("?"),
            if enabled { "enabled" } else { "disabled" }
        ),
    }
}

/// The text of `berth plugin read`, for local and remote plugins alike.
pub(crate) struct DetailText {
    pub(crate) title: String,
    pub(crate) id: String,
    pub(crate) description: Option<String>,
    pub(crate) status: String,
    pub(crate) version: String,
    pub(crate) source: String,
    pub(crate) marketplace: String,
    pub(crate) skills: Vec<String>,
    pub(crate) mcp_servers: Vec<String>,
    pub(crate) apps: Vec<String>,
    pub(crate) hooks: Vec<String>,
    /// Lines after the table (why details are missing, warnings).
    pub(crate) trailer: Vec<String>,
}

impl DetailText {
    pub(crate) fn render(self) -> String {
        let list = |items: Vec<String>| {
            if items.is_empty() {
                "none".to_owned()
            } else {
                items.join(", ")
            }
        };
        let mut text = String::new();
        let _ = writeln!(text, "{} ({})", self.title, self.id);
        if let Some(description) = &self.description {
            let _ = writeln!(text, "{description}");
        }
        let _ = writeln!(text);
        let _ = writeln!(text, "Status:      {}", self.status);
        let _ = writeln!(text, "Version:     {}", self.version);
        let _ = writeln!(text, "Source:      {}", self.source);
        let _ = writeln!(text, "Marketplace: {}", self.marketplace);
        let _ = writeln!(text, "Skills:      {}", list(self.skills));
        let _ = writeln!(text, "MCP servers: {}", list(self.mcp_servers));
        let _ = writeln!(text, "Apps:        {}", list(self.apps));
        let _ = write!(text, "Hooks:       {}", list(self.hooks));
        for line in self.trailer {
            let _ = write!(text, "\n{line}");
        }
        text
    }
}
