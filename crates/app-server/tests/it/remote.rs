//! Remote marketplaces against `berth serve` (in process): `plugin/list` with and without
//! `marketplaceKinds`, remote failures as warnings or errors, and the in-memory snapshot of
//! the service's installed list behind `plugin/installed`.

use berth_server::PublishOptions;
use berth_service_protocol::{Discoverability, Scope};
use berth_test_support::{MarketplaceFixture, TestHome};
use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use crate::harness::{Server, berth_bin};
use crate::service::{Service, plugin_source, remote_home};

/// `(marketplace name, display name, [(plugin id, installed)])`.
type Market = (String, Value, Vec<(String, bool)>);

/// The [`Market`] of each marketplace of a listing.
fn shape(listing: &Value) -> Vec<Market> {
    listing["marketplaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|market| {
            (
                market["name"].as_str().unwrap().to_owned(),
                market["interface"]["displayName"].clone(),
                market["plugins"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|plugin| {
                        (
                            plugin["id"].as_str().unwrap().to_owned(),
                            plugin["installed"].as_bool().unwrap(),
                        )
                    })
                    .collect(),
            )
        })
        .collect()
}

fn market(
    name: &str,
    display: &str,
    plugins: &[(&str, bool)],
) -> (String, Value, Vec<(String, bool)>) {
    (
        name.to_owned(),
        json!(display),
        plugins
            .iter()
            .map(|(id, installed)| ((*id).to_owned(), *installed))
            .collect(),
    )
}

/// A service with one plugin per listing: GLOBAL `linear`, WORKSPACE listed `wsdir`,
/// WORKSPACE private `secret` shared with `acct-test`, WORKSPACE private `hidden` shared with
/// nobody, and USER `mine` created by `acct-test`.
fn published_service(parent: &std::path::Path) -> (Service, String) {
    let service = Service::start();
    service.publish(&plugin_source(parent, "linear"), PublishOptions::default());
    let wsdir = service.publish(
        &plugin_source(parent, "wsdir"),
        PublishOptions {
            scope: Scope::Workspace,
            ..PublishOptions::default()
        },
    );
    let private = |share_with: Vec<String>| PublishOptions {
        scope: Scope::Workspace,
        discoverability: Some(Discoverability::Private),
        owner_account_id: Some("acct-owner".to_owned()),
        share_with,
        ..PublishOptions::default()
    };
    service.publish(
        &plugin_source(parent, "secret"),
        private(vec!["acct-test".to_owned()]),
    );
    service.publish(&plugin_source(parent, "hidden"), private(Vec::new()));
    service.publish(
        &plugin_source(parent, "mine"),
        PublishOptions {
            scope: Scope::User,
            owner_account_id: Some("acct-test".to_owned()),
            ..PublishOptions::default()
        },
    );
    (service, wsdir)
}

#[test]
fn marketplace_kinds_select_local_and_remote_listings_exactly() {
    let scratch = tempfile::tempdir().unwrap();
    let (service, wsdir) = published_service(scratch.path());
    let home = remote_home(&service, "[features]\nremote_plugin = true\n");
    let local = MarketplaceFixture::new(home.root().join("market"), "debug").plugin(
        "sample",
        Some("1.2.0"),
        1,
    );
    let cwds = json!([local.root()]);
    let mut server = Server::spawn(
        berth_bin(),
        &home,
        &[],
        &[("CODEX_TEST_ALLOW_HTTP_REMOTE_PLUGIN_BUNDLE_DOWNLOADS", "1")],
    );
    server.initialize("test_client");
    let list = |server: &mut Server, kinds: Value| {
        shape(&server.call(
            "plugin/list",
            json!({"cwds": cwds, "marketplaceKinds": kinds}),
        ))
    };
    let debug = market("debug", "debug marketplace", &[("sample@debug", false)]);
    let global = market(
        "openai-curated-remote",
        "OpenAI Curated Remote",
        &[("linear@openai-curated-remote", false)],
    );
    assert_eq!(list(&mut server, Value::Null), vec![debug.clone(), global]);
    assert_eq!(
        list(&mut server, json!(["workspace-directory"])),
        vec![market(
            "workspace-directory",
            "Workspace Directory",
            &[("wsdir@workspace-directory", false)]
        )]
    );
    assert_eq!(
        list(&mut server, json!(["shared-with-me"])),
        vec![market(
            "workspace-shared-with-me",
            "Shared with me",
            &[("secret@workspace-shared-with-me", false)]
        )]
    );
    assert_eq!(
        list(&mut server, json!(["local", "created-by-me-remote"])),
        vec![
            debug.clone(),
            market(
                "created-by-me-remote",
                "Created by me",
                &[("mine@created-by-me-remote", false)]
            )
        ]
    );
    assert_eq!(list(&mut server, json!(["vertical"])), Vec::new());
    assert_eq!(list(&mut server, json!(["local"])), vec![debug]);

    server.call(
        "plugin/install",
        json!({"remoteMarketplaceName": "workspace-directory", "pluginName": wsdir}),
    );
    assert_eq!(
        list(
            &mut server,
            json!(["workspace-directory", "shared-with-me"])
        ),
        vec![
            market(
                "workspace-directory",
                "Workspace Directory",
                &[("wsdir@workspace-directory", true)]
            ),
            market(
                "workspace-shared-with-me",
                "Shared with me",
                &[("secret@workspace-shared-with-me", false)]
            ),
        ]
    );
    assert_eq!(
        service.requests("/ps/plugins/list?scope=WORKSPACE").len(),
        2
    );
    let error = server.call_error("plugin/list", json!({"marketplaceKinds": ["nearby"]}));
    assert_eq!(error["code"], json!(-32602));
    assert!(server.shutdown());
}

#[test]
fn remote_failures_are_warnings_without_kinds_and_errors_with_them() {
    let scratch = tempfile::tempdir().unwrap();
    let (service, _) = published_service(scratch.path());
    // Logged in, but the service answers 404 for everything under this base URL.
    let home = TestHome::new();
    berth_auth::test_support::write_chatgpt_test_auth(&home.codex_home()).unwrap();
    berth_test_support::write(
        &home.config_path(),
        &format!(
            "chatgpt_base_url = \"{}/missing\"\n[features]\nremote_plugin = true\n",
            service.api_url
        ),
    );
    let mut server = Server::spawn(berth_bin(), &home, &[], &[]);
    server.initialize("test_client");
    assert_eq!(
        server.call("plugin/list", json!({})),
        json!({"marketplaces": [], "marketplaceLoadErrors": [], "featuredPluginIds": []})
    );
    let not_found = server.call_error(
        "plugin/list",
        json!({"marketplaceKinds": ["workspace-directory"]}),
    );
    assert_eq!(not_found["code"], json!(-32600), "{not_found}");
    assert!(server.shutdown());

    // A service that is not there at all: an internal error.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    berth_test_support::write(
        &home.config_path(),
        &format!("chatgpt_base_url = \"http://127.0.0.1:{port}/backend-api\"\n"),
    );
    let mut server = Server::spawn(berth_bin(), &home, &[], &[]);
    server.initialize("test_client");
    let unreachable = server.call_error(
        "plugin/list",
        json!({"marketplaceKinds": ["local", "shared-with-me"]}),
    );
    assert_eq!(unreachable["code"], json!(-32603), "{unreachable}");
    assert!(server.shutdown());

    // No ChatGPT login: without kinds the remote part is simply absent; with them, -32600.
    let anonymous = TestHome::new();
    let mut server = Server::spawn(
        berth_bin(),
        &anonymous,
        &["features.remote_plugin=true".to_owned()],
        &[],
    );
    server.initialize("test_client");
    assert_eq!(
        server.call("plugin/list", json!({}))["marketplaces"],
        json!([])
    );
    let login = server.call_error(
        "plugin/list",
        json!({"marketplaceKinds": ["created-by-me-remote"]}),
    );
    assert_eq!(login["code"], json!(-32600), "{login}");
    assert!(server.shutdown());
}

/// Local ids of the plugins `plugin/installed` reports.
fn installed_ids(server: &mut Server) -> Vec<String> {
    let installed = server.call("plugin/installed", json!({}));
    shape(&installed)
        .into_iter()
        .flat_map(|(_, _, plugins)| plugins.into_iter().map(|(id, _)| id))
        .collect()
}

#[test]
fn plugin_installed_reuses_the_services_installed_list_and_sees_its_own_installs_at_once() {
    let scratch = tempfile::tempdir().unwrap();
    let (service, wsdir) = published_service(scratch.path());
    let home = remote_home(&service, "");
    let mut server = Server::spawn(
        berth_bin(),
        &home,
        &[],
        &[("CODEX_TEST_ALLOW_HTTP_REMOTE_PLUGIN_BUNDLE_DOWNLOADS", "1")],
    );
    server.initialize("test_client");
    // The startup refresh and both calls share one request to the service.
    assert_eq!(installed_ids(&mut server), Vec::<String>::new());
    assert_eq!(installed_ids(&mut server), Vec::<String>::new());
    assert_eq!(
        service.requests("/ps/plugins/installed"),
        vec!["GET /backend-api/ps/plugins/installed?limit=200".to_owned()]
    );

    server.call(
        "plugin/install",
        json!({"remoteMarketplaceName": "workspace-directory", "pluginName": wsdir}),
    );
    assert_eq!(
        installed_ids(&mut server),
        vec!["wsdir@workspace-directory".to_owned()]
    );
    let after_install = service.requests("/ps/plugins/installed").len();
    assert_eq!(
        installed_ids(&mut server),
        vec!["wsdir@workspace-directory".to_owned()]
    );
    assert_eq!(
        service.requests("/ps/plugins/installed").len(),
        after_install
    );
    server.call("plugin/uninstall", json!({"pluginId": wsdir}));
    assert_eq!(installed_ids(&mut server), Vec::<String>::new());
    assert!(server.shutdown());
}
