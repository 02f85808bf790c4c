use berth_service_protocol::{
    AuthenticationPolicy, DirectoryItem, Discoverability, InstallationPolicy, Release, Status,
};
use pretty_assertions::assert_eq;

use super::*;

fn record(name: &str, scope: Scope, owner: Option<&str>) -> PluginRecord {
    PluginRecord {
        item: DirectoryItem {
            id: format!("plugins~Plugin_{name}"),
            name: name.to_owned(),
            scope,
            discoverability: (scope == Scope::Workspace).then_some(Discoverability::Private),
            creator_account_user_id: owner.map(str::to_owned),
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
        owner_account_id: owner.map(str::to_owned),
    }
}

fn signed_in(account: &str, is_admin: bool) -> Viewer {
    Viewer::SignedIn(SignedIn {
        account_id: account.to_owned(),
        csrf_token: "c".repeat(64),
        session_sha256: "s".repeat(64),
        is_admin,
    })
}

#[test]
fn no_token_grants_admin_until_tokens_carry_scopes() {
    assert!(!viewer_is_admin(token_grant(&"a".repeat(64))));
    assert!(viewer_is_admin(TokenGrant { admin: true }));
}

#[test]
fn a_plugins_publishers_are_its_owner_today() {
    assert_eq!(
        publishers_of(&record("mine", Scope::User, Some("ann"))),
        vec!["ann"]
    );
    assert!(publishers_of(&record("global", Scope::Global, None)).is_empty());
}

#[test]
fn the_version_history_is_the_current_release_today() {
    assert_eq!(
        version_history(&record("global", Scope::Global, None)),
        vec![VersionEntry {
            version: "1.2.0".to_owned(),
            published_by: None,
            current: true,
        }]
    );
}

#[test]
fn anonymous_viewers_see_only_the_global_catalog_and_no_analytics() {
    let global = record("global", Scope::Global, None);
    let private = record("private", Scope::Workspace, Some("ann"));
    assert!(Viewer::Anonymous.may_browse(&global));
    assert!(Viewer::Anonymous.may_read(&global));
    assert!(!Viewer::Anonymous.may_browse(&private));
    assert!(!Viewer::Anonymous.may_read(&private));
    assert!(!Viewer::Anonymous.may_see_analytics(&global));
}

#[test]
fn analytics_are_for_admins_and_publishers_only() {
    let private = record("private", Scope::Workspace, Some("ann"));
    let global = record("global", Scope::Global, None);
    assert!(signed_in("ann", false).may_see_analytics(&private));
    assert!(!signed_in("bob", false).may_see_analytics(&private));
    assert!(!signed_in("bob", false).may_read(&private));
    assert!(!signed_in("ann", false).may_see_analytics(&global));
    assert!(signed_in("root", true).may_see_analytics(&private));
    assert!(signed_in("root", true).is_admin());
    let records = [Arc::new(private), Arc::new(global)];
    let published = signed_in("ann", false).published(records.iter());
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].item.name, "private");
}
