use pretty_assertions::assert_eq;

use super::*;

#[test]
fn omitted_kinds_list_local_marketplaces_and_the_global_catalog_only_when_the_feature_is_on() {
    assert_eq!(
        (list_selection(None, true), list_selection(None, false)),
        (
            ListSelection {
                local: true,
                remote: vec![CatalogSource::Global],
                explicit: false,
            },
            ListSelection {
                local: true,
                remote: Vec::new(),
                explicit: false,
            }
        )
    );
}

#[test]
fn explicit_kinds_select_exactly_those_sources_once_each_and_vertical_adds_none() {
    use PluginListMarketplaceKind::{
        CreatedByMeRemote, Local, SharedWithMe, Vertical, WorkspaceDirectory,
    };
    assert_eq!(
        list_selection(
            Some(&[SharedWithMe, WorkspaceDirectory, SharedWithMe, Vertical]),
            true
        ),
        ListSelection {
            local: false,
            remote: vec![CatalogSource::SharedWithMe, CatalogSource::Workspace],
            explicit: true,
        }
    );
    assert_eq!(
        list_selection(Some(&[Local, CreatedByMeRemote]), false),
        ListSelection {
            local: true,
            remote: vec![CatalogSource::CreatedByMe],
            explicit: true,
        }
    );
    assert_eq!(
        list_selection(Some(&[]), true),
        ListSelection {
            local: false,
            remote: Vec::new(),
            explicit: true,
        }
    );
}
