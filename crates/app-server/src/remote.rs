//! Remote marketplaces (`remoteMarketplaceName`, remote plugin ids): the one place where
//! `plugin/read`, `plugin/install` and `plugin/uninstall` reach the plugin service. Until
//! the manager's remote operations land (issue 5), each answers -32600 saying so.

use std::sync::Arc;

use berth_app_server_protocol::{PluginInstallResponse, PluginReadResponse};

use crate::error_code::RpcError;
use crate::server::Session;

fn not_available(operation: &str, target: &str) -> RpcError {
    RpcError::invalid_request(format!(
        "remote plugin {operation} is not available in this berth build ({target}); use a local marketplace (`marketplacePath`)"
    ))
}

/// `plugin/read` of a remote plugin (`plugin_id` is the backend id).
pub(crate) async fn read(
    _session: &Arc<Session>,
    marketplace: &str,
    plugin_id: &str,
) -> Result<PluginReadResponse, RpcError> {
    Err(not_available(
        "read",
        &format!("marketplace `{marketplace}`, plugin `{plugin_id}`"),
    ))
}

/// `plugin/install` of a remote plugin.
pub(crate) async fn install(
    _session: &Arc<Session>,
    marketplace: &str,
    plugin_id: &str,
) -> Result<PluginInstallResponse, RpcError> {
    Err(not_available(
        "install",
        &format!("marketplace `{marketplace}`, plugin `{plugin_id}`"),
    ))
}

/// `plugin/uninstall` of a remote plugin id.
pub(crate) async fn uninstall(_session: &Arc<Session>, plugin_id: &str) -> Result<(), RpcError> {
    Err(not_available("uninstall", &format!("plugin `{plugin_id}`")))
}
