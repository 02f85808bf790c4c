//! Remote marketplaces (`remoteMarketplaceName`, remote plugin ids): the one place where
//! `plugin/read`, `plugin/install` and `plugin/uninstall` reach the plugin service, through the
//! manager's remote operations and a client for `chatgpt_base_url` with the Codex login.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use berth_app_server_protocol::{
    AppSummary, MarketplaceInterface, PluginAuthPolicy, PluginAvailability, PluginDetail,
    PluginInstallPolicy, PluginInstallResponse, PluginInterface, PluginMarketplaceEntry,
    PluginReadResponse, PluginSource, PluginSummary, SkillSummary,
};
use berth_remote::{
    BundleUrlPolicy, NoProgress, RemoteAuth, RemoteClientOptions, RemoteError, RemotePluginClient,
    local_plugin_id,
};
use berth_service_protocol::{
    AuthenticationPolicy, DirectoryItem, InstallationPolicy, InstalledItem, Scope, Status,
};

use crate::error_code::{RpcError, chain_message};
use crate::server::Session;

/// Spec §9.1: auth problems and a 404 from the service are the caller's (-32600); the rest
/// is internal (-32603).
fn rpc_error(err: &RemoteError) -> RpcError {
    let message = chain_message(err);
    let invalid = err.is_auth_error()
        || matches!(
            err,
            RemoteError::Status { status: 404, .. }
                | RemoteError::InvalidRemotePluginId { .. }
                | RemoteError::DisabledByAdmin { .. }
                | RemoteError::NotAvailable { .. }
        );
    if invalid {
        RpcError::invalid_request(message)
    } else {
        RpcError::internal(message)
    }
}

fn client(
    session: &Session,
    operation: &str,
    marketplace: &str,
) -> Result<RemotePluginClient, RpcError> {
    let config = session.effective_config()?;
    if config.feature_enabled("plugins") == Some(false) {
        return Err(RpcError::invalid_request(format!(
            "remote plugin {operation} is not enabled for marketplace {marketplace}"
        )));
    }
    let auth = berth_auth::load_auth(&session.options.codex_home)
        .map_err(|err| RpcError::internal(chain_message(&err)))?;
    let auth = RemoteAuth::from_codex_auth(auth.as_ref()).map_err(|err| rpc_error(&err))?;
    let mut options = RemoteClientOptions::new(config.chatgpt_base_url().as_deref());
    if let Some(identity) = session.identity() {
        options.originator.clone_from(&identity.name);
        options.user_agent.clone_from(&identity.user_agent);
    }
    RemotePluginClient::new(&options, &auth).map_err(|err| rpc_error(&err))
}

fn auth_policy(policy: AuthenticationPolicy) -> PluginAuthPolicy {
    match policy {
        AuthenticationPolicy::OnInstall => PluginAuthPolicy::OnInstall,
        AuthenticationPolicy::OnUse => PluginAuthPolicy::OnUse,
    }
}

fn summary(
    item: &DirectoryItem,
    local_id: String,
    installed: bool,
    enabled: bool,
) -> PluginSummary {
    let release = &item.release;
    let ui = &release.interface;
    let default_prompt = if ui.default_prompts.is_empty() {
        ui.default_prompt.clone().map(|prompt| vec![prompt])
    } else {
        Some(ui.default_prompts.iter().take(3).cloned().collect())
    };
    PluginSummary {
        id: local_id,
        remote_plugin_id: Some(item.id.clone()),
        version: release.version.clone(),
        local_version: None,
        name: item.name.clone(),
        share_context: None,
        source: PluginSource::Remote,
        installed,
        installed_at: None,
        enabled,
        install_policy: match item.installation_policy {
            InstallationPolicy::NotAvailable => PluginInstallPolicy::NotAvailable,
            InstallationPolicy::Available => PluginInstallPolicy::Available,
            InstallationPolicy::InstalledByDefault => PluginInstallPolicy::InstalledByDefault,
        },
        install_policy_source: None,
        must_show_installation_interstitial: None,
        auth_policy: auth_policy(item.authentication_policy),
        availability: match item.status {
            Status::Available => PluginAvailability::Available,
            Status::DisabledByAdmin => PluginAvailability::DisabledByAdmin,
        },
        disabled_reason: None,
        eligible_plan_types: None,
        interface: Some(PluginInterface {
            display_name: Some(release.display_name.clone()),
            short_description: ui.short_description.clone(),
            long_description: ui.long_description.clone(),
            developer_name: ui.developer_name.clone(),
            category: ui.category.clone(),
            capabilities: ui.capabilities.clone(),
            website_url: ui.website_url.clone(),
            privacy_policy_url: ui.privacy_policy_url.clone(),
            terms_of_service_url: ui.terms_of_service_url.clone(),
            default_prompt,
            brand_color: ui.brand_color.clone(),
            composer_icon_url: ui.composer_icon_url.clone(),
            logo_url: ui.logo_url.clone(),
            screenshot_urls: ui.screenshot_urls.clone(),
            ..PluginInterface::default()
        }),
        keywords: release.keywords.clone(),
    }
}

/// `plugin/read` of a remote plugin (`plugin_id` is the backend id): the service's detail
/// and whether its installed list has the plugin.
pub(crate) async fn read(
    session: &Arc<Session>,
    marketplace: &str,
    plugin_id: &str,
) -> Result<PluginReadResponse, RpcError> {
    let client = client(session, "read", marketplace)?;
    let item = client
        .get_plugin(plugin_id, false)
        .await
        .map_err(|err| rpc_error(&err))?;
    let installed = client
        .list_installed(false)
        .await
        .map_err(|err| rpc_error(&err))?
        .into_iter()
        .find(|installed| installed.item.id == item.id);
    let local = local_plugin_id(&item).map_err(|err| rpc_error(&err))?;
    let mut mcp_servers: Vec<String> = item
        .release
        .mcp_servers
        .iter()
        .map(|server| server.key.clone())
        .collect();
    mcp_servers.sort();
    mcp_servers.dedup();
    let enabled = installed
        .as_ref()
        .is_some_and(|installed| installed.enabled);
    Ok(PluginReadResponse {
        plugin: PluginDetail {
            marketplace_name: local.marketplace_name().to_owned(),
            marketplace_path: None,
            summary: summary(&item, local.as_key(), installed.is_some(), enabled),
            share_url: item.share_url.clone(),
            description: item.release.description.clone(),
            skills: item
                .release
                .skills
                .iter()
                .map(|skill| SkillSummary {
                    name: format!("{}:{}", item.name, skill.name),
                    description: skill.description.clone().unwrap_or_default(),
                    short_description: None,
                    interface: None,
                    path: None,
                    enabled: true,
                })
                .collect(),
            onboarding_skill: None,
            hooks: Vec::new(),
            apps: item
                .release
                .app_ids
                .iter()
                .map(|id| AppSummary {
                    id: id.clone(),
                    name: id.clone(),
                    description: None,
                    install_url: None,
                    category: None,
                })
                .collect(),
            app_templates: Vec::new(),
            mcp_servers,
            scheduled_tasks: None,
        },
    })
}

/// `plugin/install` of a remote plugin: bundle into the cache first, then the service.
pub(crate) async fn install(
    session: &Arc<Session>,
    marketplace: &str,
    plugin_id: &str,
) -> Result<PluginInstallResponse, RpcError> {
    let client = client(session, "install", marketplace)?;
    let outcome = session
        .manager
        .install_remote_plugin(&client, plugin_id, BundleUrlPolicy::from_env(), &NoProgress)
        .await;
    // Even a failed install may have changed the service's list (e.g. a later step failed).
    session.remote_installed.invalidate();
    let outcome = outcome.map_err(|err| rpc_error(&err))?;
    Ok(PluginInstallResponse {
        auth_policy: auth_policy(outcome.authentication_policy),
        apps_needing_auth: outcome
            .app_ids_needing_auth
            .into_iter()
            .map(|id| AppSummary {
                name: id.clone(),
                id,
                description: None,
                install_url: None,
                category: None,
            })
            .collect(),
    })
}

/// `plugin/uninstall` of a remote plugin id.
pub(crate) async fn uninstall(session: &Arc<Session>, plugin_id: &str) -> Result<(), RpcError> {
    let client = client(session, "uninstall", "(any)")?;
    let outcome = session
        .manager
        .uninstall_remote_plugin(&client, plugin_id)
        .await;
    // A cache-removal failure still uninstalled the plugin on the service.
    session.remote_installed.invalidate();
    outcome.map_err(|err| rpc_error(&err))?;
    Ok(())
}

/// Display names of the remote marketplaces (as Codex 0.169.0 shows them).
fn marketplace_display_name(name: &str) -> Option<String> {
    let display = match name {
        berth_plugin::REMOTE_GLOBAL_MARKETPLACE => "OpenAI Curated Remote",
        berth_plugin::REMOTE_WORKSPACE_DIRECTORY_MARKETPLACE => "Workspace Directory",
        berth_plugin::REMOTE_SHARED_WITH_ME_MARKETPLACE => "Shared with me",
        berth_plugin::REMOTE_CREATED_BY_ME_MARKETPLACE => "Created by me",
        _ => return None,
    };
    Some(display.to_owned())
}

/// A remote listing `plugin/list` can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CatalogSource {
    /// `GET /ps/plugins/list?scope=GLOBAL`.
    Global,
    /// `GET /ps/plugins/list?scope=WORKSPACE` (the workspace directory).
    Workspace,
    /// `GET /ps/plugins/workspace/shared`.
    SharedWithMe,
    /// `GET /ps/plugins/list?scope=USER` (plugins the caller created).
    CreatedByMe,
}

/// Whether the Codex home has a `ChatGPT` login (the remote parts need one).
fn has_chatgpt_login(session: &Session) -> bool {
    berth_auth::load_auth(&session.options.codex_home)
        .ok()
        .flatten()
        .is_some_and(|auth| auth.is_chatgpt())
}

/// The service's installed list for this account, from the session's cache when it is fresh
/// (same service and account, younger than the TTL, no install or uninstall since). A fetch
/// also refreshes the manager's installed snapshot, which is what makes remote plugins
/// loadable for turns.
async fn installed_items(
    session: &Arc<Session>,
    client: &RemotePluginClient,
) -> Result<Arc<Vec<InstalledItem>>, RpcError> {
    let account = match berth_auth::load_auth(&session.options.codex_home) {
        Ok(Some(berth_auth::CodexAuth::ChatGpt { account_id, .. })) => account_id,
        _ => None,
    };
    let key = format!("{} {}", client.base_url(), account.unwrap_or_default());
    let fetch = async {
        let installed = client
            .list_installed(false)
            .await
            .map_err(|err| rpc_error(&err))?;
        let snapshot = installed
            .iter()
            .filter_map(|entry| {
                local_plugin_id(&entry.item)
                    .ok()
                    .map(|local| (local, entry.item.id.clone()))
            })
            .collect();
        session
            .manager
            .set_remote_installed_snapshot(Some(snapshot));
        Ok(installed)
    };
    session
        .remote_installed
        .get_or_try_fetch(&key, std::time::Instant::now(), fetch)
        .await
}

/// Marketplace entries of remote plugins grouped by canonical marketplace, in name order.
fn group(
    plugins: impl IntoIterator<Item = (String, PluginSummary)>,
) -> Vec<PluginMarketplaceEntry> {
    let mut groups: BTreeMap<String, Vec<PluginSummary>> = BTreeMap::new();
    for (marketplace, plugin) in plugins {
        groups.entry(marketplace).or_default().push(plugin);
    }
    groups
        .into_iter()
        .map(|(name, plugins)| PluginMarketplaceEntry {
            interface: Some(MarketplaceInterface {
                display_name: marketplace_display_name(&name),
            }),
            name,
            path: None,
            plugins,
        })
        .collect()
}

/// The remote part of `plugin/installed`: the plugins the service reports installed for this
/// account, grouped into their canonical marketplaces. `Ok(None)` without a `ChatGPT` login:
/// there is no remote part then.
pub(crate) async fn installed_marketplaces(
    session: &Arc<Session>,
) -> Result<Option<Vec<PluginMarketplaceEntry>>, RpcError> {
    if !has_chatgpt_login(session) {
        return Ok(None);
    }
    let client = client(session, "list", berth_plugin::REMOTE_GLOBAL_MARKETPLACE)?;
    let installed = installed_items(session, &client).await?;
    let plugins = installed.iter().filter_map(|entry| {
        let Ok(local) = local_plugin_id(&entry.item) else {
            tracing::warn!(remote_plugin_id = %entry.item.id, "skipping a remote plugin without a valid local id");
            return None;
        };
        let mut plugin = summary(&entry.item, local.as_key(), true, entry.enabled);
        plugin.local_version = session.manager.store().active_plugin_version(&local);
        Some((local.marketplace_name().to_owned(), plugin))
    });
    Ok(Some(group(plugins)))
}

/// Learns which remote plugins are installed (the manager's snapshot), for turns; without a
/// `ChatGPT` login this does nothing.
pub(crate) async fn refresh_installed(session: &Arc<Session>) -> Result<(), RpcError> {
    if has_chatgpt_login(session) {
        let client = client(session, "list", berth_plugin::REMOTE_GLOBAL_MARKETPLACE)?;
        installed_items(session, &client).await?;
    }
    Ok(())
}

/// The remote part of `plugin/list`: the catalog of each source, each plugin marked installed
/// and enabled from the service's installed list, grouped into canonical marketplaces. With
/// `required` false a missing `ChatGPT` login means no remote part (`Ok(None)`); with it, the
/// login error.
pub(crate) async fn catalog_marketplaces(
    session: &Arc<Session>,
    sources: &[CatalogSource],
    required: bool,
) -> Result<Option<Vec<PluginMarketplaceEntry>>, RpcError> {
    if sources.is_empty() || (!required && !has_chatgpt_login(session)) {
        return Ok(None);
    }
    let client = client(session, "list", berth_plugin::REMOTE_GLOBAL_MARKETPLACE)?;
    let installed = installed_items(session, &client).await?;
    let mut seen = HashSet::new();
    let mut plugins = Vec::new();
    for source in sources {
        let items = match source {
            CatalogSource::Global => client.list_catalog(Scope::Global).await,
            CatalogSource::Workspace => client.list_catalog(Scope::Workspace).await,
            CatalogSource::SharedWithMe => client.list_shared().await,
            CatalogSource::CreatedByMe => client.list_catalog(Scope::User).await,
        }
        .map_err(|err| rpc_error(&err))?;
        for item in items {
            if !seen.insert(item.id.clone()) {
                continue;
            }
            let Ok(local) = local_plugin_id(&item) else {
                tracing::warn!(remote_plugin_id = %item.id, "skipping a remote plugin without a valid local id");
                continue;
            };
            let state = installed.iter().find(|entry| entry.item.id == item.id);
            let mut plugin = summary(
                &item,
                local.as_key(),
                state.is_some(),
                state.is_some_and(|entry| entry.enabled),
            );
            if state.is_some() {
                plugin.local_version = session.manager.store().active_plugin_version(&local);
            }
            plugins.push((local.marketplace_name().to_owned(), plugin));
        }
    }
    Ok(Some(group(plugins)))
}
