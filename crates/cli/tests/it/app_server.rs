//! `berth app-server`: the real binary answers over pipes with `-c` overrides applied in
//! memory only, reads, installs and uninstalls remote plugins from a real `berth serve` (which
//! stores the analytics it sends), and `generate-json-schema` writes the protocol's schemas.

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;

use berth_test_support::TestHome;
use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use crate::remote::{Serve, plugin_source, remote_home};
use crate::{berth_bin, berth_ok};

#[test]
fn berth_app_server_applies_config_overrides_in_memory_and_exits_on_eof() {
    let home = TestHome::new();
    let mut child = home
        .command(berth_bin())
        .args([
            "-c",
            "model=\"from-override\"",
            "-c",
            "model_provider=p",
            "app-server",
        ])
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
        (
            thread["result"]["model"].clone(),
            thread["result"]["modelProvider"].clone()
        ),
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
        &[
            "app-server",
            "generate-json-schema",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let text = std::fs::read_to_string(out.join("v2/PluginListResponse.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(schema["title"], json!("PluginListResponse"));
    assert!(out.join("JSONRPCMessage.json").is_file());
}

#[test]
fn berth_app_server_reads_installs_and_uninstalls_a_remote_plugin_from_berth_serve() {
    let serve = Serve::start();
    let home = remote_home(&serve);
    let remote_id = serve.publish(&plugin_source(home.root(), "linear", "0.1.4", "v1"), &[]);
    let mut command = home.command(berth_bin());
    command
        .env("CODEX_TEST_ALLOW_HTTP_REMOTE_PLUGIN_BUNDLE_DOWNLOADS", "1")
        .arg("app-server");
    let mut client = Pipe::spawn(command);
    client.request(
        "initialize",
        json!({"clientInfo": {"name": "remote_client", "version": "1.0"}}),
    );
    let read = json!({"remoteMarketplaceName": "openai-curated-remote", "pluginName": remote_id});
    let before = client.request("plugin/read", read.clone());
    let summary = &before["plugin"]["summary"];
    assert_eq!(
        (
            summary["id"].clone(),
            summary["remotePluginId"].clone(),
            summary["installed"].clone(),
            summary["source"].clone(),
            before["plugin"]["skills"][0]["name"].clone(),
        ),
        (
            json!("linear@openai-curated-remote"),
            json!(remote_id),
            json!(false),
            json!({"type": "remote"}),
            json!("linear:hello"),
        )
    );
    let installed = client.request("plugin/install", read.clone());
    assert_eq!(installed["appsNeedingAuth"], json!([]));
    let cache = home
        .codex_home()
        .join("plugins/cache/openai-curated-remote/linear");
    assert!(cache.join("0.1.4/skills/hello/SKILL.md").is_file());
    let after = client.request("plugin/read", read.clone());
    assert_eq!(after["plugin"]["summary"]["installed"], json!(true));
    assert_eq!(
        client.request("plugin/uninstall", json!({"pluginId": remote_id})),
        json!({})
    );
    assert!(!cache.exists());
    let gone = client.request("plugin/read", read);
    assert_eq!(gone["plugin"]["summary"]["installed"], json!(false));
    // EOF: the server flushes its analytics before exiting.
    client.finish();

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let lifecycle = loop {
        let events: Vec<(String, Value)> = serve
            .events()
            .into_iter()
            .filter(|(kind, _)| kind.starts_with("codex_plugin_"))
            .collect();
        if events.len() >= 2 || std::time::Instant::now() > deadline {
            break events;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let identities: Vec<_> = lifecycle
        .iter()
        .map(|(kind, params)| {
            (
                kind.as_str(),
                params["plugin_id"].clone(),
                params["remote_plugin_id"].clone(),
                params["product_client_id"].clone(),
            )
        })
        .collect();
    assert_eq!(
        identities,
        vec![
            (
                "codex_plugin_installed",
                json!("linear@openai-curated-remote"),
                json!(remote_id),
                json!("remote_client")
            ),
            (
                "codex_plugin_uninstalled",
                json!("linear@openai-curated-remote"),
                json!(remote_id),
                json!("remote_client")
            ),
        ]
    );
}

/// A server on pipes, answered request by request; `finish` closes stdin and waits for exit.
struct Pipe {
    child: std::process::Child,
    stdin: Option<std::process::ChildStdin>,
    stdout: BufReader<std::process::ChildStdout>,
    next_id: i64,
}

impl Pipe {
    fn spawn(mut command: std::process::Command) -> Self {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Self {
            child,
            stdin,
            stdout,
            next_id: 0,
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = json!(self.next_id);
        let mut message = json!({"id": id, "method": method});
        message["params"] = params;
        writeln!(self.stdin.as_mut().unwrap(), "{message}").unwrap();
        loop {
            let mut line = String::new();
            assert!(
                self.stdout.read_line(&mut line).unwrap() > 0,
                "server exited"
            );
            let answer: Value = serde_json::from_str(&line).unwrap();
            if answer.get("id") == Some(&id) && answer.get("method").is_none() {
                return answer
                    .get("result")
                    .cloned()
                    .unwrap_or_else(|| panic!("{method} failed: {answer}"));
            }
        }
    }

    fn finish(mut self) {
        drop(self.stdin.take());
        assert!(self.child.wait().unwrap().success());
    }
}
