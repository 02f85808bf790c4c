use berth_service_protocol::Discoverability;

use super::*;

fn record(name: &str, scope: Scope, owner: Option<&str>) -> PluginRecord {
    let discoverability = (scope == Scope::Workspace).then_some(Discoverability::Private);
    let mut record = crate::web::fixtures::record(name, scope, discoverability);
    record.owner_account_id = owner.map(str::to_owned);
    record
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
fn only_tokens_with_the_admin_scope_make_admins() {
    assert!(viewer_is_admin("read publish admin"));
    assert!(viewer_is_admin("admin"));
    assert!(!viewer_is_admin("read publish"));
    assert!(!viewer_is_admin("administrator"));
    assert!(!viewer_is_admin(""));
}

#[test]
fn anonymous_viewers_see_only_the_global_catalog_and_no_analytics() {
    let global = record("global", Scope::Global, None);
    let private = record("private", Scope::Workspace, Some("ann"));
    assert!(Viewer::Anonymous.may_browse(&global));
    assert!(Viewer::Anonymous.may_read(&global));
    assert!(!Viewer::Anonymous.may_browse(&private));
    assert!(!Viewer::Anonymous.may_read(&private));
}

#[test]
fn analytics_are_for_admins_and_publishers_who_may_see_the_plugin() {
    let private = record("private", Scope::Workspace, Some("ann"));
    let global = record("global", Scope::Global, None);
    let publishers = ["ann".to_owned(), "cy".to_owned()];
    assert!(signed_in("ann", false).may_see_analytics(&private, &publishers));
    assert!(!signed_in("bob", false).may_see_analytics(&private, &publishers));
    assert!(!signed_in("bob", false).may_read(&private));
    // A recorded publisher who may no longer see the plugin does not see its analytics.
    assert!(!signed_in("cy", false).may_see_analytics(&private, &publishers));
    assert!(signed_in("cy", false).may_see_analytics(&global, &publishers));
    assert!(!signed_in("ann", false).may_see_analytics(&global, &[]));
    assert!(signed_in("root", true).may_see_analytics(&private, &[]));
    assert!(signed_in("root", true).is_admin());
    assert!(!Viewer::Anonymous.may_see_analytics(&global, &publishers));
}
