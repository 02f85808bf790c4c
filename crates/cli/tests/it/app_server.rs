//! `berth app-server`: the real binary answers over pipes with `-c` overrides applied in
//! memory only, and `generate-json-schema` writes the protocol's schemas.

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;

use berth_test_support::TestHome;
use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use crate::{berth_bin, berth_ok};

#[test]
fn berth_app_server_applies_config_overrides_in_memory_and_exits_on_eof() {
    let home = TestHome::new();
    let mut child = home
        .command(berth_bin())
        .args(["-c", "model=\"from-override\"", "-c", "model_provider=p", "app-server"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut answer = |request: Value| -> Value {
        writeln!(stdin, "{request}").unwrap();
        loop {
            let mut line = String::new();
            assert!(stdout.read_line(&mut line).unwrap() > 0, "server exited");
            let message: Value = serde_json::from_str(&line).unwrap();
            if message.get("id") == request.get("id") && message.get("method").is_none() {
                return message;
            }
        }
    };
    let initialized = answer(json!({"id": 1, "method": "initialize",
        "params": {"clientInfo": {"name": "cli_test", "version": "1.0"}}}));
    assert_eq!(
        initialized["result"]["codexHome"],
        json!(home.codex_home().to_str().unwrap())
    );
    let thread = answer(json!({"id": 2, "method": "thread/start", "params": {"ephemeral": true}}));
    assert_eq!(
        (thread["result"]["model"].clone(), thread["result"]["modelProvider"].clone()),
        (json!("from-override"), json!("p"))
    );
    drop(stdin);
    assert!(child.wait().unwrap().success());
    assert_eq!(home.config_text(), "");
}

#[test]
fn generate_json_schema_writes_the_plugin_types_under_v2() {
    let home = TestHome::new();
    let out = home.root().join("schema");
    berth_ok(
        &home,
        &["app-server", "generate-json-schema", "--out", out.to_str().unwrap()],
    );
    let text = std::fs::read_to_string(out.join("v2/PluginListResponse.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(schema["title"], json!("PluginListResponse"));
    assert!(out.join("JSONRPCMessage.json").is_file());
}
