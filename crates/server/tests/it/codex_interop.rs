//! Interop with the real Codex 0.169.0: its app server, pointed at `berth serve` over https with
//! a test CA and a test login, lists the catalog, reads, installs (bundle and sidecar in its
//! cache), uninstalls, and its analytics events arrive in the server's store.

use std::time::{Duration, Instant};

use berth_server::PublishOptions;
use berth_test_support::{AppServerClient, TestHome};
use serde_json::{Value, json};

use crate::tls::start_tls_server;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codex_lists_reads_installs_and_uninstalls_from_berth_serve() {
    let Some(codex) = berth_test_support::codex_bin() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "the Codex peer must be installed in CI"
        );
        return;
    };
    let (server, ca) = start_tls_server(true).await;
    server.publish("hello", PublishOptions::default()).await;
    // Codex refuses homes under /tmp, so the home lives under target/ (TestHome).
    let home = TestHome::new();
    let codex_home = home.codex_home();
    berth_auth::test_support::write_chatgpt_test_auth(&codex_home).unwrap();
    let mut command = home.command(&codex);
    command
        .arg("-c")
        .arg(format!("chatgpt_base_url=\"{}\"", server.api))
        .arg("-c")
        .arg("features.plugins=true")
        .arg("-c")
        .arg("features.remote_plugin=true")
        .arg("app-server")
        .env("CODEX_CA_CERTIFICATE", &ca.ca_pem);
    let steps = tokio::task::spawn_blocking(move || {
        let mut client = AppServerClient::spawn(command);
        client.initialize("berth-interop");
        let list = client.call("plugin/list", json!({}));
        let read = client.call(
            "plugin/read",
            json!({"remoteMarketplaceName": "openai-curated-remote", "pluginName": "plugins~Plugin_hello"}),
        );
        let install = client.call(
            "plugin/install",
            json!({"remoteMarketplaceName": "openai-curated-remote", "pluginName": "plugins~Plugin_hello"}),
        );
        (client, list, read, install)
    })
    .await
    .unwrap();
    let (client, list, read, install) = steps;
    assert!(
        list.to_string().contains("plugins~Plugin_hello"),
        "plugin/list: {list}"
    );
    assert!(read.get("result").is_some(), "plugin/read: {read}");
    assert!(install.get("result").is_some(), "plugin/install: {install}");
    let cache = codex_home.join("plugins/cache/openai-curated-remote/hello");
    assert!(
        cache.join("1.0.0/.codex-plugin/plugin.json").is_file(),
        "bundle installed"
    );
    let sidecar: Value = serde_json::from_str(
        &std::fs::read_to_string(cache.join(".codex-remote-plugin-install.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(sidecar["remote_plugin_id"], json!("plugins~Plugin_hello"));
    let (_, installed) = server
        .send_as(
            "GET",
            "/ps/plugins/installed",
            &dev_token(&codex_home),
            "acct-test",
        )
        .await;
    assert_eq!(installed["plugins"][0]["id"], json!("plugins~Plugin_hello"));

    let (client, uninstall) = tokio::task::spawn_blocking(move || {
        let mut client = client;
        let uninstall = client.call(
            "plugin/uninstall",
            json!({"pluginId": "plugins~Plugin_hello"}),
        );
        (client, uninstall)
    })
    .await
    .unwrap();
    assert!(
        uninstall.get("result").is_some(),
        "plugin/uninstall: {uninstall}"
    );
    assert!(!cache.exists(), "cache removed after uninstall");
    // Codex 0.169.0 reports the remote install and uninstall with the local `plugin_id` and the
    // backend `remote_plugin_id`; its app server must keep running until its analytics queue
    // flushes, so the client stays open while the events are awaited.
    let deadline = Instant::now() + Duration::from_secs(30);
    let events = loop {
        let events: Vec<(String, Value)> = server
            .db
            .events()
            .await
            .unwrap()
            .into_iter()
            .filter(|event| {
                event.event_type.starts_with("codex_plugin_")
                    && event.event_params["remote_plugin_id"] == json!("plugins~Plugin_hello")
            })
            .map(|event| (event.event_type, event.event_params))
            .collect();
        if events.len() >= 2 || Instant::now() > deadline {
            break events;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    drop(client);
    let kinds: Vec<&str> = events.iter().map(|(kind, _)| kind.as_str()).collect();
    assert_eq!(
        kinds,
        vec!["codex_plugin_installed", "codex_plugin_uninstalled"],
        "{events:?}"
    );
    for (_, params) in &events {
        assert_eq!(params["plugin_id"], json!("hello@openai-curated-remote"));
        assert_eq!(params["product_client_id"], json!("berth-interop"));
    }
    server.shutdown().await;
}

fn dev_token(codex_home: &std::path::Path) -> String {
    let auth: Value =
        serde_json::from_str(&std::fs::read_to_string(codex_home.join("auth.json")).unwrap())
            .unwrap();
    auth["tokens"]["access_token"].as_str().unwrap().to_owned()
}
