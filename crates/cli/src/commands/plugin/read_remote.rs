//! `berth plugin read` of a remote plugin: the plugin service's item (`GET /ps/plugins/{id}`)
//! and whether the account has it installed, in the same layout and JSON fields as a local
//! read, plus `remotePluginId` and the catalog `version`.

use std::process::ExitCode;

use berth_service_protocol::{DirectoryItem, InstalledItem};
use serde_json::{Value, json};

use crate::commands::plugin::read::{DetailText, status_text};
use crate::commands::plugin::remote::RemoteSession;
use crate::context::Context;
use crate::printer;

pub(crate) fn run(
    context: &Context,
    session: &RemoteSession,
    remote_id: &str,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let (item, installed) = session.runtime.block_on(async {
        let item = session.client.get_plugin(remote_id, false).await?;
        let installed = session
            .client
            .list_installed(false)
            .await?
            .into_iter()
            .find(|installed| installed.item.id == item.id);
        Ok::<_, berth_remote::RemoteError>((item, installed))
    })?;
    let id = berth_remote::local_plugin_id(&item)?;
    let cached = installed
        .as_ref()
        .and_then(|_| context.manager.store().active_plugin_version(&id));
    let detail = RemoteDetail {
        key: id.as_key(),
        marketplace: id.marketplace_name().to_owned(),
        item: &item,
        installed: installed.as_ref(),
        cached,
        service: session.client.base_url(),
    };
    if json {
        printer::json(&detail.json())?;
    } else {
        printer::line(detail.text())?;
    }
    Ok(ExitCode::SUCCESS)
}

struct RemoteDetail<'a> {
    key: String,
    marketplace: String,
    item: &'a DirectoryItem,
    installed: Option<&'a InstalledItem>,
    /// The cached bundle version, when installed.
    cached: Option<String>,
    service: &'a str,
}

impl RemoteDetail<'_> {
    fn enabled(&self) -> bool {
        self.installed.is_some_and(|installed| installed.enabled)
    }

    fn mcp_servers(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .item
            .release
            .mcp_servers
            .iter()
            .map(|server| server.key.clone())
            .collect();
        names.sort();
        names.dedup();
        names
    }

    fn text(&self) -> String {
        let release = &self.item.release;
        let title = if release.display_name.is_empty() {
            self.item.name.clone()
        } else {
            release.display_name.clone()
        };
        DetailText {
            title,
            id: self.key.clone(),
            description: release.description.clone(),
            status: status_text(
                self.installed.is_some(),
                self.enabled(),
                self.cached.as_deref(),
            ),
            version: release.version.clone().unwrap_or_else(|| "-".to_owned()),
            source: format!("remote {} ({})", self.item.id, self.service),
            marketplace: format!("{} (remote catalog)", self.marketplace),
            skills: release
                .skills
                .iter()
                .map(|skill| format!("{}:{}", self.item.name, skill.name))
                .collect(),
            mcp_servers: self.mcp_servers(),
            apps: release.app_ids.clone(),
            hooks: Vec::new(),
            trailer: Vec::new(),
        }
        .render()
    }

    fn json(&self) -> Value {
        let release = &self.item.release;
        let interface = &release.interface;
        json!({
            "pluginId": self.key,
            "remotePluginId": self.item.id,
            "name": self.item.name,
            "marketplaceName": self.marketplace,
            "marketplacePath": null,
            "version": release.version,
            "localVersion": null,
            "installedVersion": self.cached,
            "installed": self.installed.is_some(),
            "enabled": self.enabled(),
            "source": { "source": "remote", "id": self.item.id },
            "installPolicy": self.item.installation_policy,
            "authPolicy": self.item.authentication_policy,
            "description": release.description,
            "interface": {
                "displayName": release.display_name,
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
                "composerIcon": interface.composer_icon_url,
                "logo": interface.logo_url,
                "logoDark": null,
                "screenshots": interface.screenshot_urls,
            },
            "keywords": release.keywords,
            "skills": release.skills.iter().map(|skill| json!({
                "name": format!("{}:{}", self.item.name, skill.name),
                "description": skill.description,
                "path": null,
                "enabled": true,
            })).collect::<Vec<_>>(),
            "mcpServers": self.mcp_servers(),
            "apps": release.app_ids,
            "hooks": [],
            "detailsUnavailableReason": null,
            "warnings": [],
        })
    }
}
