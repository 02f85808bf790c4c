//! The transport and handshake: bad input is answered or skipped and the server keeps
//! serving; plugin and config methods over a real process.

use berth_test_support::{MarketplaceFixture, TestHome};
use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use crate::harness::{Server, berth_bin};

fn server(home: &TestHome) -> Server {
    Server::spawn(berth_bin(), home, &[], &[])
}

#[test]
fn requests_before_initialize_and_a_second_initialize_are_invalid_requests() {
    let home = TestHome::new();
    let mut server = server(&home);
    assert_eq!(
        server.call_error("plugin/list", json!({})),
        json!({"code": -32600, "message": "Not initialized"})
    );
    let result = server.initialize("test_client");
    assert_eq!(
        result["codexHome"],
        json!(home.codex_home().to_str().unwrap())
    );
    assert_eq!(result["platformFamily"], json!("unix"));
    assert!(
        result["userAgent"]
            .as_str()
            .unwrap()
            .starts_with("test_client/")
    );
    assert_eq!(
        server.call_error(
            "initialize",
            json!({"clientInfo": {"name": "again", "version": "1"}})
        ),
        json!({"code": -32600, "message": "Already initialized"})
    );
    assert!(server.shutdown());
}

#[test]
fn garbage_a_ten_mebibyte_line_unknown_methods_and_wrong_params_leave_the_server_serving() {
    let home = TestHome::new();
    let mut server = server(&home);
    server.send_raw(b"this is not json");
    server.send_raw(b"{\"id\": 1, \"method\": ");
    server.initialize("test_client");
    let big = format!(
        "{{\"id\": 900, \"method\": \"plugin/list\", \"params\": {{\"cwds\": [\"{}\"]}}}}",
        "x".repeat(10 * 1024 * 1024)
    );
    server.send_raw(big.as_bytes());
    let answer = server.answer(900);
    assert_eq!(answer["result"]["marketplaces"], json!([]));
    assert_eq!(
        server.call_error("nope/method", json!({})),
        json!({"code": -32601, "message": "method not found: `nope/method`"})
    );
    let error = server.call_error("plugin/read", json!({"marketplacePath": 5}));
    assert_eq!(error["code"], json!(-32602));
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .starts_with("invalid params for `plugin/read`: invalid type: integer `5`"),
        "{error}"
    );
    assert_eq!(
        server.call_error("plugin/read", json!({"pluginName": "x"})),
        json!({"code": -32600, "message": "plugin/read requires exactly one of marketplacePath or remoteMarketplaceName"})
    );
    assert_eq!(
        server.call("plugin/list", json!({})),
        json!({"marketplaces": [], "marketplaceLoadErrors": [], "featuredPluginIds": []})
    );
    assert!(server.shutdown());
}

#[test]
fn string_ids_are_echoed_and_answers_carry_no_jsonrpc_field() {
    let home = TestHome::new();
    let mut server = server(&home);
    server.initialize("test_client");
    server.send(&json!({"id": "abc-1", "method": "plugin/installed", "params": {}}));
    let deadline = std::time::Instant::now() + crate::harness::WAIT;
    let answer = loop {
        let message = server
            .drain_notifications()
            .into_iter()
            .find(|m| m.get("id") == Some(&json!("abc-1")));
        if let Some(message) = message {
            break message;
        }
        assert!(std::time::Instant::now() < deadline, "no answer");
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    assert_eq!(
        answer,
        json!({"id": "abc-1", "result": {"marketplaces": [], "marketplaceLoadErrors": []}})
    );
}

#[test]
fn a_local_plugin_is_read_installed_listed_toggled_and_uninstalled() {
    let home = TestHome::new();
    let market = MarketplaceFixture::new(home.root().join("market"), "debug").plugin(
        "sample",
        Some("1.2.0"),
        3,
    );
    let file = market.root().join(".agents/plugins/marketplace.json");
    let file = file.to_str().unwrap();
    let mut server = server(&home);
    server.initialize("test_client");
    let read = server.call(
        "plugin/read",
        json!({"marketplacePath": file, "pluginName": "sample"}),
    );
    assert_eq!(read["plugin"]["summary"]["installed"], json!(false));
    assert_eq!(read["plugin"]["skills"][0]["name"], json!("sample:hello"));
    assert_eq!(
        server.call(
            "plugin/install",
            json!({"marketplacePath": file, "pluginName": "sample"})
        ),
        json!({"authPolicy": "ON_INSTALL", "appsNeedingAuth": []})
    );
    assert!(
        home.codex_home()
            .join("plugins/cache/debug/sample/1.2.0")
            .is_dir()
    );
    let cwds = json!({"cwds": [market.root()]});
    let installed = server.call("plugin/installed", cwds.clone());
    let summary = &installed["marketplaces"][0]["plugins"][0];
    assert_eq!(
        (
            summary["id"].clone(),
            summary["installed"].clone(),
            summary["enabled"].clone()
        ),
        (json!("sample@debug"), json!(true), json!(true))
    );
    let written = server.call(
        "config/value/write",
        json!({"keyPath": "plugins.sample@debug.enabled", "value": false, "mergeStrategy": "replace"}),
    );
    assert_eq!(
        written,
        json!({
            "status": "ok",
            "version": "sha256:1f814347456fbdb07b61727ba499608207f6fc629e5352efa2449d5d95539ad9",
            "filePath": home.config_path().to_str().unwrap(),
            "overriddenMetadata": null,
        })
    );
    assert_eq!(
        home.config_text(),
        "[plugins.\"sample@debug\"]\nenabled = false\n"
    );
    let listed = server.call("plugin/list", cwds);
    assert_eq!(
        listed["marketplaces"][0]["plugins"][0]["enabled"],
        json!(false)
    );
    let conflict = server.call_error(
        "config/batchWrite",
        json!({"edits": [{"keyPath": "plugins.sample@debug.enabled", "value": true, "mergeStrategy": "replace"}],
               "expectedVersion": "sha256:00"}),
    );
    assert_eq!(
        conflict["data"],
        json!({"config_write_error_code": "configVersionConflict"})
    );
    server.call(
        "config/batchWrite",
        json!({"edits": [{"keyPath": "plugins.sample@debug.enabled", "value": true, "mergeStrategy": "replace"}],
               "expectedVersion": written["version"]}),
    );
    assert_eq!(
        server.call("plugin/uninstall", json!({"pluginId": "sample@debug"})),
        json!({})
    );
    assert!(
        !home
            .codex_home()
            .join("plugins/cache/debug/sample")
            .exists()
    );
    assert_eq!(
        server.call_error("plugin/uninstall", json!({"pluginId": "not valid!"})),
        json!({"code": -32600, "message": "invalid remote plugin id: only ASCII letters, digits, `_`, `-`, and `~` are allowed"})
    );
    let remote = server.call_error(
        "plugin/install",
        json!({"remoteMarketplaceName": "openai-curated-remote", "pluginName": "plugins~Plugin_1"}),
    );
    assert_eq!(remote["code"], json!(-32600));
    assert!(server.shutdown());
}

#[test]
fn a_slow_request_does_not_block_plugin_list() {
    // A config write waiting on the config lock (held here) must not delay plugin/list.
    let home = TestHome::new();
    let lock_path = home.codex_home().join(".config.toml.berth-lock");
    let held = berth_fs::LockedFile::acquire(&lock_path, "test").unwrap();
    let mut server = server(&home);
    server.initialize("test_client");
    let slow = server.request(
        "config/value/write",
        json!({"keyPath": "a", "value": 1, "mergeStrategy": "replace"}),
    );
    let list = server.request("plugin/list", json!({}));
    let answer = server.answer(list);
    assert!(answer.get("result").is_some(), "{answer}");
    drop(held);
    let answer: Value = server.answer(slow);
    assert_eq!(answer["result"]["status"], json!("ok"));
}

/// Debug builds only, like the hook itself.
#[cfg(debug_assertions)]
/// An initialized server whose real config.toml holds `real` and whose user config layer is
/// replaced by an empty test file (returned).
fn isolated_server(home: &TestHome, real: &str) -> (Server, std::path::PathBuf) {
    std::fs::create_dir_all(home.codex_home()).unwrap();
    std::fs::write(home.config_path(), real).unwrap();
    let test_file = home.root().join("isolated.toml");
    std::fs::write(&test_file, "").unwrap();
    let mut server = Server::spawn(
        berth_bin(),
        home,
        &[],
        &[(
            "CODEX_APP_SERVER_TEST_USER_CONFIG_FILE",
            test_file.to_str().unwrap(),
        )],
    );
    server.initialize("test_client");
    (server, test_file)
}

#[test]
fn the_test_user_config_file_replaces_the_user_layer_for_reads_and_writes() {
    let home = TestHome::new();
    let real = "# the real profile\nmodel = \"real-model\"\n";
    let (mut server, test_file) = isolated_server(&home, real);
    let written = server.call(
        "config/value/write",
        json!({"keyPath": "model", "value": "isolated-model", "mergeStrategy": "replace"}),
    );
    assert_eq!(
        (written["status"].clone(), written["filePath"].clone()),
        (json!("ok"), json!(test_file.to_str().unwrap()))
    );
    server.call(
        "config/batchWrite",
        json!({"edits": [{"keyPath": "plugins.sample@debug.enabled", "value": false,
                          "mergeStrategy": "upsert"}]}),
    );
    let thread = server.call("thread/start", json!({"ephemeral": true}));
    assert_eq!(thread["model"], json!("isolated-model"));
    assert!(server.shutdown());
    assert_eq!(
        (
            std::fs::read_to_string(home.config_path()).unwrap(),
            std::fs::read_to_string(&test_file).unwrap()
        ),
        (
            real.to_owned(),
            "model = \"isolated-model\"\n\n[plugins.\"sample@debug\"]\nenabled = false\n"
                .to_owned()
        )
    );
}

#[test]
fn plugin_state_lives_in_the_test_user_config_file_when_it_is_set() {
    let home = TestHome::new();
    let market = MarketplaceFixture::new(home.root().join("market"), "debug").plugin(
        "sample",
        Some("1.2.0"),
        2,
    );
    let file = market.root().join(".agents/plugins/marketplace.json");
    let real = "# the real profile\n";
    let (mut server, test_file) = isolated_server(&home, real);
    server.call(
        "plugin/install",
        json!({"marketplacePath": file, "pluginName": "sample"}),
    );
    server.call(
        "config/value/write",
        json!({"keyPath": "plugins.sample@debug.enabled", "value": false, "mergeStrategy": "replace"}),
    );
    let installed = server.call("plugin/installed", json!({"cwds": [market.root()]}));
    let sample = &installed["marketplaces"][0]["plugins"][0];
    assert_eq!(
        (&sample["id"], &sample["installed"], &sample["enabled"]),
        (&json!("sample@debug"), &json!(true), &json!(false))
    );
    assert!(server.shutdown());
    assert_eq!(
        (
            std::fs::read_to_string(home.config_path()).unwrap(),
            std::fs::read_to_string(&test_file).unwrap()
        ),
        (
            real.to_owned(),
            "[plugins.\"sample@debug\"]\nenabled = false\n".to_owned()
        )
    );
}
