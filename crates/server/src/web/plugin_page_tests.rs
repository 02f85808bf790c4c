use pretty_assertions::assert_eq;

use super::*;

fn item(scope: Scope, discoverability: Option<Discoverability>) -> DirectoryItem {
    crate::web::fixtures::record("x", scope, discoverability).item
}

#[test]
fn install_commands_name_the_marketplace_clients_list_the_plugin_in() {
    assert_eq!(
        marketplace_of(&item(Scope::Global, None)),
        "openai-curated-remote"
    );
    assert_eq!(
        marketplace_of(&item(Scope::User, None)),
        "created-by-me-remote"
    );
    assert_eq!(
        marketplace_of(&item(Scope::Workspace, Some(Discoverability::Listed))),
        "workspace-directory"
    );
    assert_eq!(
        marketplace_of(&item(Scope::Workspace, Some(Discoverability::Private))),
        "workspace-shared-with-me"
    );
}

#[test]
fn sizes_are_shown_in_human_units_with_the_exact_bytes() {
    assert_eq!(human_size(512), "512 bytes");
    assert_eq!(human_size(1536), "1.5 KiB (1536 bytes)");
    assert_eq!(human_size(3 * 1024 * 1024), "3.0 MiB (3145728 bytes)");
}
