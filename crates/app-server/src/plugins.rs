//! `plugin/list`, `plugin/installed`, `plugin/read`, `plugin/install` and
//! `plugin/uninstall`: local marketplaces go to the plugins manager (its synchronous
//! methods run on the blocking pool), remote ones to [`crate::remote`].

use std::path::PathBuf;
use std::sync::Arc;

use berth_app_server_protocol::{
    PluginInstallParams, PluginInstallResponse, PluginInstalledParams, PluginInstalledResponse,
    PluginListMarketplaceKind, PluginListParams, PluginListResponse, PluginReadParams,
    PluginReadResponse, PluginUninstallParams, PluginUninstallResponse,
};
use berth_core::{InstallRequest, ListOptions, MarketplaceSelector, PluginsManager};
use berth_plugin::is_valid_remote_plugin_id;

use crate::error_code::RpcError;
use crate::remote::CatalogSource;
use crate::server::{Handled, Session};
use crate::{mapping, remote};

/// Runs `work` with the manager on the blocking pool.
pub(crate) async fn blocking<T: Send + 'static>(
    session: &Arc<Session>,
    work: impl FnOnce(&PluginsManager) -> Result<T, RpcError> + Send + 'static,
) -> Result<T, RpcError> {
    let manager = Arc::clone(&session.manager);
    tokio::task::spawn_blocking(move || work(&manager))
        .await
        .map_err(|err| RpcError::internal(format!("a plugin operation did not finish: {err}")))?
}

/// The plugin feature flags in effect, read from one load of the config: `features.plugins`
/// (on unless set false) and `features.remote_plugin` (the remote GLOBAL catalog joins
/// `plugin/list`).
#[derive(Debug, Clone, Copy)]
struct PluginFeatures {
    plugins: bool,
    remote_catalog: bool,
}

fn plugin_features(session: &Arc<Session>) -> PluginFeatures {
    let config = session.effective_config().ok();
    let flag = |name| {
        config
            .as_ref()
            .and_then(|config| config.feature_enabled(name))
    };
    PluginFeatures {
        plugins: flag("plugins") != Some(false),
        remote_catalog: flag("remote_plugin") == Some(true),
    }
}

fn list_options(cwds: Option<Vec<String>>) -> ListOptions {
    ListOptions {
        cwds: cwds
            .unwrap_or_default()
            .into_iter()
            .map(PathBuf::from)
            .collect(),
        marketplace: None,
        local_versions: true,
        interfaces: true,
    }
}

enum Marketplace {
    Local(PathBuf),
    Remote(String),
}

fn exactly_one(
    method: &str,
    marketplace_path: Option<String>,
    remote_marketplace_name: Option<String>,
) -> Result<Marketplace, RpcError> {
    match (marketplace_path, remote_marketplace_name) {
        (Some(path), None) => Ok(Marketplace::Local(PathBuf::from(path))),
        (None, Some(name)) => Ok(Marketplace::Remote(name)),
        _ => Err(RpcError::invalid_request(format!(
            "{method} requires exactly one of marketplacePath or remoteMarketplaceName"
        ))),
    }
}

fn check_remote_id(plugin_id: &str) -> Result<(), RpcError> {
    if is_valid_remote_plugin_id(plugin_id) {
        Ok(())
    } else {
        Err(RpcError::invalid_request(
            "invalid remote plugin id: only ASCII letters, digits, `_`, `-`, and `~` are allowed",
        ))
    }
}

/// What `plugin/list` shows: local marketplaces or not, which remote listings, and whether
/// the caller named them (then a remote failure is an error, not a warning).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ListSelection {
    pub(crate) local: bool,
    pub(crate) remote: Vec<CatalogSource>,
    pub(crate) explicit: bool,
}

/// Spec §3.2: omitted kinds are the local marketplaces plus the GLOBAL catalog when
/// `features.remote_plugin` is on; explicit kinds select exactly those. `vertical` is the
/// curated remote collection, which the plugin service does not offer: it adds nothing.
pub(crate) fn list_selection(
    kinds: Option<&[PluginListMarketplaceKind]>,
    remote_catalog: bool,
) -> ListSelection {
    let Some(kinds) = kinds else {
        return ListSelection {
            local: true,
            remote: if remote_catalog {
                vec![CatalogSource::Global]
            } else {
                Vec::new()
            },
            explicit: false,
        };
    };
    let mut remote = Vec::new();
    for kind in kinds {
        let source = match kind {
            PluginListMarketplaceKind::Local | PluginListMarketplaceKind::Vertical => None,
            PluginListMarketplaceKind::WorkspaceDirectory => Some(CatalogSource::Workspace),
            PluginListMarketplaceKind::SharedWithMe => Some(CatalogSource::SharedWithMe),
            PluginListMarketplaceKind::CreatedByMeRemote => Some(CatalogSource::CreatedByMe),
        };
        if let Some(source) = source.filter(|source| !remote.contains(source)) {
            remote.push(source);
        }
    }
    ListSelection {
        local: kinds.contains(&PluginListMarketplaceKind::Local),
        remote,
        explicit: true,
    }
}

/// `plugin/list`.
pub(crate) async fn list(
    session: &Arc<Session>,
    params: PluginListParams,
) -> Result<Handled, RpcError> {
    let mut response = PluginListResponse {
        marketplaces: Vec::new(),
        marketplace_load_errors: Vec::new(),
        featured_plugin_ids: Vec::new(),
    };
    let features = plugin_features(session);
    if !features.plugins {
        return Handled::value(&response);
    }
    let selection = list_selection(params.marketplace_kinds.as_deref(), features.remote_catalog);
    if selection.local {
        let options = list_options(params.cwds);
        response = blocking(session, move |manager| {
            let listing = manager.list_plugins(&options)?;
            let (marketplaces, marketplace_load_errors) =
                mapping::listing(manager, &listing, |_| true);
            Ok(PluginListResponse {
                marketplaces,
                marketplace_load_errors,
                featured_plugin_ids: Vec::new(),
            })
        })
        .await?;
    }
    match remote::catalog_marketplaces(session, &selection.remote, selection.explicit).await {
        Ok(Some(remote)) => response.marketplaces.extend(remote),
        Ok(None) => {}
        Err(err) if selection.explicit => return Err(err),
        // Without named kinds, an unreachable service leaves the local answer intact.
        Err(err) => tracing::warn!("remote plugin catalog unavailable: {}", err.message),
    }
    Handled::value(&response)
}

/// `plugin/installed`.
pub(crate) async fn installed(
    session: &Arc<Session>,
    params: PluginInstalledParams,
) -> Result<Handled, RpcError> {
    if !plugin_features(session).plugins {
        return Handled::value(&PluginInstalledResponse {
            marketplaces: Vec::new(),
            marketplace_load_errors: Vec::new(),
        });
    }
    let options = list_options(params.cwds);
    let suggested = params.install_suggestion_plugin_names.unwrap_or_default();
    let mut response = blocking(session, move |manager| {
        let listing = manager.list_plugins(&options)?;
        let (marketplaces, marketplace_load_errors) = mapping::listing(manager, &listing, |item| {
            item.installed || suggested.iter().any(|name| name == item.id.plugin_name())
        });
        Ok(PluginInstalledResponse {
            marketplaces,
            marketplace_load_errors,
        })
    })
    .await?;
    match remote::installed_marketplaces(session).await {
        Ok(Some(remote)) => response.marketplaces.extend(remote),
        Ok(None) => {}
        Err(err) => tracing::warn!("remote installed plugins unavailable: {}", err.message),
    }
    Handled::value(&response)
}

/// `plugin/read`.
pub(crate) async fn read(
    session: &Arc<Session>,
    params: PluginReadParams,
) -> Result<Handled, RpcError> {
    let response = match exactly_one(
        "plugin/read",
        params.marketplace_path,
        params.remote_marketplace_name,
    )? {
        Marketplace::Local(path) => {
            let name = params.plugin_name;
            blocking(session, move |manager| {
                let outcome = manager.read_plugin(&MarketplaceSelector::Path(path), &name)?;
                Ok(PluginReadResponse {
                    plugin: mapping::detail(
                        manager,
                        &outcome.marketplace_name,
                        &outcome.marketplace_path,
                        &outcome.plugin,
                    ),
                })
            })
            .await?
        }
        Marketplace::Remote(marketplace) => {
            check_remote_id(&params.plugin_name)?;
            remote::read(session, &marketplace, &params.plugin_name).await?
        }
    };
    Handled::value(&response)
}

/// `plugin/install`.
pub(crate) async fn install(
    session: &Arc<Session>,
    params: PluginInstallParams,
) -> Result<Handled, RpcError> {
    let target = exactly_one(
        "plugin/install",
        params.marketplace_path,
        params.remote_marketplace_name,
    )?;
    let _scope = session.config_scope.lock().await;
    let response = match target {
        Marketplace::Local(path) => {
            let request = InstallRequest {
                plugin_name: params.plugin_name,
                marketplace: MarketplaceSelector::Path(path),
            };
            blocking(session, move |manager| {
                let outcome = manager.install_plugin(&request)?;
                Ok(PluginInstallResponse {
                    auth_policy: mapping::auth_policy(outcome.auth_policy),
                    apps_needing_auth: Vec::new(),
                })
            })
            .await?
        }
        Marketplace::Remote(marketplace) => {
            check_remote_id(&params.plugin_name)?;
            remote::install(session, &marketplace, &params.plugin_name).await?
        }
    };
    Handled::value(&response)
}

/// `plugin/uninstall`: a local id (`name@marketplace`) or a remote plugin id.
pub(crate) async fn uninstall(
    session: &Arc<Session>,
    params: PluginUninstallParams,
) -> Result<Handled, RpcError> {
    let _scope = session.config_scope.lock().await;
    if params.plugin_id.contains('@') {
        let key = params.plugin_id;
        blocking(session, move |manager| {
            manager.uninstall_plugin(&key)?;
            Ok(())
        })
        .await?;
    } else {
        check_remote_id(&params.plugin_id)?;
        remote::uninstall(session, &params.plugin_id).await?;
    }
    Handled::value(&PluginUninstallResponse {})
}

#[cfg(test)]
#[path = "plugins_tests.rs"]
mod tests;
