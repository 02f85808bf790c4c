//! Plugin records for the web modules' unit tests.

use berth_service_protocol::{
    AuthenticationPolicy, DirectoryItem, Discoverability, InstallationPolicy, Release, Scope,
    Status,
};

use crate::catalog::PluginRecord;

/// An AVAILABLE plugin `plugins~Plugin_<name>` with no owner, an empty release and version 1.2.0.
pub(crate) fn record(
    name: &str,
    scope: Scope,
    discoverability: Option<Discoverability>,
) -> PluginRecord {
    PluginRecord {
        item: DirectoryItem {
            id: format!("plugins~Plugin_{name}"),
            name: name.to_owned(),
            scope,
            discoverability,
            creator_account_user_id: None,
            creator_name: None,
            share_url: None,
            share_principals: Vec::new(),
            installation_policy: InstallationPolicy::Available,
            authentication_policy: AuthenticationPolicy::OnUse,
            status: Status::Available,
            release: Release {
                version: Some("1.2.0".to_owned()),
                ..Release::default()
            },
        },
        owner_account_id: None,
    }
}
