use berth_service_protocol::{
    AuthenticationPolicy, DirectoryItem, Release, SharePrincipal, Status,
};
use pretty_assertions::assert_eq;

use super::*;

fn record(name: &str, scope: Scope, discoverability: Option<Discoverability>) -> PluginRecord {
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
            release: Release::default(),
        },
        owner_account_id: None,
    }
}

fn owned(mut record: PluginRecord, owner: &str) -> PluginRecord {
    record.owner_account_id = Some(owner.to_owned());
    record
}

fn shared(mut record: PluginRecord, account: &str) -> PluginRecord {
    record.item.share_principals.push(SharePrincipal {
        principal_type: "user".to_owned(),
        principal_id: account.to_owned(),
        role: "reader".to_owned(),
        name: None,
    });
    record
}

fn by_default(mut record: PluginRecord) -> PluginRecord {
    record.item.installation_policy = InstallationPolicy::InstalledByDefault;
    record
}

/// A catalog of one plugin per visibility rule.
fn catalog() -> Catalog {
    Catalog::default().with_changes(CatalogChanges {
        revision: 3,
        plugins: vec![
            record("global", Scope::Global, None),
            record("listed", Scope::Workspace, Some(Discoverability::Listed)),
            record(
                "unlisted",
                Scope::Workspace,
                Some(Discoverability::Unlisted),
            ),
            record("private", Scope::Workspace, Some(Discoverability::Private)),
            shared(
                record("shared", Scope::Workspace, Some(Discoverability::Private)),
                "ann",
            ),
            owned(record("mine", Scope::User, None), "ann"),
            owned(record("theirs", Scope::User, None), "bob"),
            by_default(record("core", Scope::Global, None)),
        ],
        removed: Vec::new(),
    })
}

fn names(records: &[Arc<PluginRecord>]) -> Vec<String> {
    records
        .iter()
        .map(|record| record.item.name.clone())
        .collect()
}

#[test]
fn visibility_follows_scope_discoverability_owner_and_shares() {
    let catalog = catalog();
    let visible_to = |account: &str| -> Vec<&str> {
        catalog
            .plugins
            .values()
            .filter(|record| record.visible_to(account))
            .map(|record| record.item.name.as_str())
            .collect()
    };
    assert_eq!(
        visible_to("ann"),
        vec!["core", "global", "listed", "mine", "shared", "unlisted"]
    );
    assert_eq!(
        visible_to("bob"),
        vec!["core", "global", "listed", "theirs", "unlisted"]
    );
    assert!(catalog.visible("bob", "plugins~Plugin_private").is_none());
    assert!(catalog.visible("bob", "plugins~Plugin_nope").is_none());
}

#[test]
fn listings_select_their_scope_and_page_by_id() {
    let catalog = catalog();
    let list = |listing, after: &str, limit| {
        let page = catalog.list("ann", listing, after, limit);
        (names(&page.items), page.next_page_token)
    };
    assert_eq!(
        list(Listing::Scope(Scope::Global), "", 1),
        (
            vec!["core".to_owned()],
            Some("plugins~Plugin_core".to_owned())
        )
    );
    assert_eq!(
        list(Listing::Scope(Scope::Global), "plugins~Plugin_core", 1),
        (vec!["global".to_owned()], None)
    );
    assert_eq!(
        list(Listing::Scope(Scope::Workspace), "", 10),
        (vec!["listed".to_owned()], None)
    );
    assert_eq!(
        list(Listing::Scope(Scope::User), "", 10),
        (vec!["mine".to_owned()], None)
    );
    assert_eq!(
        list(Listing::SharedWithMe, "", 10),
        (vec!["shared".to_owned()], None)
    );
}

#[test]
fn installed_merges_explicit_installs_with_visible_defaults_in_id_order() {
    let catalog = catalog();
    let installs = vec![
        AccountInstall {
            plugin_id: "plugins~Plugin_listed".to_owned(),
            enabled: false,
            disabled_skill_names: vec!["triage".to_owned()],
        },
        // Installed before it became private to someone else: no longer visible.
        AccountInstall {
            plugin_id: "plugins~Plugin_theirs".to_owned(),
            enabled: true,
            disabled_skill_names: Vec::new(),
        },
        AccountInstall {
            plugin_id: "plugins~Plugin_gone".to_owned(),
            enabled: true,
            disabled_skill_names: Vec::new(),
        },
    ];
    let page = catalog.installed("ann", installs.clone(), None, "", 10);
    let rows: Vec<(&str, bool, Vec<String>)> = page
        .items
        .iter()
        .map(|row| {
            (
                row.record.item.name.as_str(),
                row.enabled,
                row.disabled_skill_names.clone(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            ("core", true, vec![]),
            ("listed", false, vec!["triage".to_owned()]),
        ]
    );
    let workspace = catalog.installed("ann", installs.clone(), Some(Scope::Workspace), "", 10);
    assert_eq!(workspace.items.len(), 1);
    let first = catalog.installed("ann", installs, None, "", 1);
    assert_eq!(
        first.next_page_token.as_deref(),
        Some("plugins~Plugin_core")
    );
}

#[test]
fn changes_replace_records_and_track_installed_by_default() {
    let catalog = catalog();
    let mut core = record("core", Scope::Global, None);
    core.item.status = Status::DisabledByAdmin;
    let next = catalog.with_changes(CatalogChanges {
        revision: 4,
        plugins: vec![core],
        removed: Vec::new(),
    });
    assert_eq!((catalog.revision(), next.revision()), (3, 4));
    assert_eq!(next.plugins.len(), catalog.plugins.len());
    assert_eq!(
        next.visible("ann", "plugins~Plugin_core")
            .map(|record| record.item.status),
        Some(Status::DisabledByAdmin)
    );
    assert!(
        next.installed("ann", Vec::new(), None, "", 10)
            .items
            .is_empty()
    );
    assert_eq!(
        catalog
            .installed("ann", Vec::new(), None, "", 10)
            .items
            .len(),
        1
    );
}

#[test]
fn a_plugin_with_every_release_withdrawn_leaves_the_catalog() {
    let catalog = catalog();
    let next = catalog.with_changes(CatalogChanges {
        revision: 4,
        plugins: Vec::new(),
        removed: vec![
            "plugins~Plugin_core".to_owned(),
            "plugins~Plugin_global".to_owned(),
        ],
    });
    assert_eq!(next.plugins.len(), catalog.plugins.len() - 2);
    assert!(next.visible("ann", "plugins~Plugin_global").is_none());
    assert!(
        next.installed("ann", Vec::new(), None, "", 10)
            .items
            .is_empty(),
        "an installed-by-default plugin that is withdrawn is no longer installed"
    );
}
