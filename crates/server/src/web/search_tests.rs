use berth_service_protocol::{Discoverability, ReleaseInterface};
use pretty_assertions::assert_eq;

use super::*;
use crate::catalog::CatalogChanges;
use crate::web::access::SignedIn;

fn record(name: &str, scope: Scope, category: &str, keywords: &[&str]) -> PluginRecord {
    let discoverability = (scope == Scope::Workspace).then_some(Discoverability::Listed);
    let mut record = crate::web::fixtures::record(name, scope, discoverability);
    let release = &mut record.item.release;
    release.display_name = format!("{name} Display");
    release.description = Some(format!("The {name} plugin"));
    release.keywords = keywords.iter().map(|k| (*k).to_owned()).collect();
    release.interface = ReleaseInterface {
        category: Some(category.to_owned()),
        ..ReleaseInterface::default()
    };
    record
}

fn index() -> SearchIndex {
    let catalog = Catalog::default().with_changes(CatalogChanges {
        revision: 2,
        removed: Vec::new(),
        plugins: vec![
            record(
                "linear",
                Scope::Global,
                "Productivity",
                &["issues", "Tracker"],
            ),
            record("github", Scope::Global, "Developer tools", &["git"]),
            record("wiki", Scope::Workspace, "Productivity", &[]),
        ],
    });
    SearchIndex::build(&catalog)
}

fn ann() -> Viewer {
    Viewer::SignedIn(SignedIn {
        account_id: "ann".to_owned(),
        csrf_token: String::new(),
        session_sha256: String::new(),
        is_admin: false,
    })
}

fn names(page: &SearchPage) -> Vec<&str> {
    page.items
        .iter()
        .map(|record| record.item.name.as_str())
        .collect()
}

fn query(text: &str) -> SearchQuery {
    SearchQuery {
        text: text.to_owned(),
        page: 1,
        ..SearchQuery::default()
    }
}

#[test]
fn every_word_must_match_name_description_or_keywords_in_any_case() {
    let index = index();
    assert_eq!(
        names(&index.search(&ann(), &query("TRACKER"))),
        vec!["linear"]
    );
    assert_eq!(
        names(&index.search(&ann(), &query("the plugin"))),
        vec!["github", "linear", "wiki"]
    );
    assert_eq!(
        names(&index.search(&ann(), &query("git display"))),
        vec!["github"]
    );
    assert!(names(&index.search(&ann(), &query("git wiki"))).is_empty());
}

#[test]
fn filters_select_a_category_and_a_scope_and_categories_list_what_may_be_seen() {
    let index = index();
    let mut wanted = query("");
    wanted.category = Some("Productivity".to_owned());
    let page = index.search(&ann(), &wanted);
    assert_eq!(names(&page), vec!["linear", "wiki"]);
    assert_eq!(page.categories, vec!["Developer tools", "Productivity"]);
    wanted.scope = Some(Scope::Workspace);
    assert_eq!(names(&index.search(&ann(), &wanted)), vec!["wiki"]);
    let anonymous = index.search(&Viewer::Anonymous, &query(""));
    assert_eq!(names(&anonymous), vec!["github", "linear"]);
}

#[test]
fn pages_hold_a_fixed_number_of_plugins_and_count_them_all() {
    let plugins = (0..60)
        .map(|n| record(&format!("p{n:02}"), Scope::Global, "X", &[]))
        .collect();
    let catalog = Catalog::default().with_changes(CatalogChanges {
        revision: 1,
        plugins,
        removed: Vec::new(),
    });
    let index = SearchIndex::build(&catalog);
    let mut wanted = query("");
    wanted.page = 3;
    let page = index.search(&ann(), &wanted);
    assert_eq!(page.total, 60);
    assert_eq!(page.items.len(), 60 - 2 * PAGE_SIZE);
    assert_eq!(page.items[0].item.name, format!("p{:02}", 2 * PAGE_SIZE));
}
