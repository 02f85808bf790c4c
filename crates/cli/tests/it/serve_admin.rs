//! `berth serve`'s admin commands (accounts, tokens, plugin status, events) as a user sees them,
//! snapshotted with the data folder and the secret token filtered, and a check that what they
//! register is exactly what a running production `berth serve` enforces.

use std::path::Path;
use std::process::{Command, Output};

use pretty_assertions::assert_eq;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::berth_bin;
use crate::remote::{Serve, plugin_source};

/// `berth <args> --data-dir <data_dir>`.
fn admin(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(berth_bin())
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

/// Replaces every `berth_<64 hex>` token in `text` with `[TOKEN]`.
fn redact_tokens(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("berth_") {
        out.push_str(&rest[..start]);
        let candidate = &rest[start + "berth_".len()..];
        let hex_len = candidate.bytes().take_while(u8::is_ascii_hexdigit).count();
        if hex_len == 64 {
            out.push_str("[TOKEN]");
            rest = &candidate[64..];
        } else {
            out.push_str("berth_");
            rest = candidate;
        }
    }
    out.push_str(rest);
    out
}

fn transcript(data_dir: &Path, args: &[&str], output: &Output) -> String {
    let data = data_dir.to_string_lossy().into_owned();
    let clean =
        |bytes: &[u8]| redact_tokens(&String::from_utf8_lossy(bytes).replace(&data, "[DATA]"));
    format!(
        "$ berth {} --data-dir [DATA]\nexit: {}\n--- stdout\n{}--- stderr\n{}",
        args.join(" ").replace(&data, "[DATA]"),
        output.status.code().unwrap_or(-1),
        clean(&output.stdout),
        clean(&output.stderr)
    )
}

/// The token `berth serve token add` printed: `berth_` and 64 lowercase hex digits.
fn printed_token(output: &Output) -> String {
    assert!(output.status.success(), "{output:?}");
    let token = String::from_utf8(output.stdout.clone())
        .unwrap()
        .trim()
        .to_owned();
    assert_eq!(
        redact_tokens(&token),
        "[TOKEN]",
        "unexpected token {token:?}"
    );
    token
}

#[test]
fn serve_admin_commands_read_like_a_transcript() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("serve");
    let source = plugin_source(dir.path(), "linear", "1.0.0", "Say hello.");
    let mut log = Vec::new();
    let mut step = |args: &[&str]| {
        let output = admin(&data_dir, args);
        log.push(transcript(&data_dir, args, &output));
        output
    };
    step(&["serve", "account", "list"]);
    step(&["serve", "account", "add", "acme", "--name", "Acme Inc"]);
    step(&["serve", "account", "add", "acme", "--name", "Renamed"]);
    step(&["serve", "account", "add", "../x"]);
    step(&["serve", "account", "add", "beta"]);
    step(&["serve", "account", "list"]);
    step(&["serve", "account", "list", "--json"]);
    let first = step(&["serve", "token", "add", "acme", "--label", "ci"]);
    let second = step(&["serve", "token", "add", "acme"]);
    assert_ne!(printed_token(&first), printed_token(&second));
    step(&["serve", "token", "add", "nobody"]);
    step(&[
        "serve",
        "status",
        "plugins~Plugin_missing",
        "DISABLED_BY_ADMIN",
    ]);
    let published = step(&["publish", source.to_str().unwrap(), "--json"]);
    let id = serde_json::from_slice::<Value>(&published.stdout).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    step(&["serve", "status", &id, "PAUSED"]);
    step(&["serve", "status", &id, "DISABLED_BY_ADMIN"]);
    step(&["serve", "events"]);
    step(&["serve", "events", "--json"]);
    let source_dir = source.to_string_lossy().into_owned();
    insta::assert_snapshot!(log.join("\n").replace(&source_dir, "[SOURCE]"));
}

/// Sends `method path` to the service with optional bearer token and account header.
async fn send(
    client: &reqwest::Client,
    serve: &Serve,
    method: &str,
    path: &str,
    auth: Option<(&str, &str)>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = client.request(method.parse().unwrap(), format!("{}{path}", serve.api_url));
    if let Some((token, account)) = auth {
        request = request
            .bearer_auth(token)
            .header("chatgpt-account-id", account);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

#[test]
fn tokens_and_statuses_from_the_admin_commands_are_what_a_production_service_enforces() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("serve");
    for account in ["acme", "beta"] {
        assert!(
            admin(&data_dir, &["serve", "account", "add", account])
                .status
                .success()
        );
    }
    let token = printed_token(&admin(&data_dir, &["serve", "token", "add", "acme"]));
    let source = plugin_source(dir.path(), "linear", "1.0.0", "Say hello.");
    let published = admin(&data_dir, &["publish", source.to_str().unwrap(), "--json"]);
    assert!(published.status.success(), "{published:?}");
    let id = serde_json::from_slice::<Value>(&published.stdout).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let serve = Serve::start_production(&data_dir);
    let test_jwt = berth_auth::test_support::unsigned_jwt(&json!({
        "https://api.openai.com/auth": {"chatgpt_account_id": "acme"}
    }));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = reqwest::Client::new();
        let read = format!("/ps/plugins/{id}");
        let install = format!("/ps/plugins/{id}/install");
        let acme = Some((token.as_str(), "acme"));

        let (status, item) = send(&client, &serve, "GET", &read, acme, None).await;
        assert_eq!((status, item["id"].as_str()), (StatusCode::OK, Some(id.as_str())));
        let (status, body) = send(&client, &serve, "GET", &read, None, None).await;
        assert_eq!((status, &body["error"]["code"]), (StatusCode::UNAUTHORIZED, &json!("unauthorized")));
        let (status, body) =
            send(&client, &serve, "GET", &read, Some((&token, "beta")), None).await;
        assert_eq!((status, &body["error"]["code"]), (StatusCode::FORBIDDEN, &json!("forbidden")));
        let (status, _) =
            send(&client, &serve, "GET", &read, Some((&test_jwt, "acme")), None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "production mode accepted a test token");

        // A status set by the admin command applies to the running service at once.
        assert!(admin(&data_dir, &["serve", "status", &id, "DISABLED_BY_ADMIN"]).status.success());
        let (status, body) = send(&client, &serve, "POST", &install, acme, None).await;
        assert_eq!(
            (status, &body["error"]["code"]),
            (StatusCode::FORBIDDEN, &json!("disabled_by_admin"))
        );
        assert!(admin(&data_dir, &["serve", "status", &id, "AVAILABLE"]).status.success());
        let (status, body) = send(&client, &serve, "POST", &install, acme, None).await;
        assert_eq!((status, body), (StatusCode::OK, json!({"id": id, "enabled": true, "app_ids_needing_auth": []})));

        let event = json!({"events": [{"event_type": "codex_plugin_used", "event_params": {"plugin_id": "linear@x"}}]});
        let (status, _) = send(
            &client,
            &serve,
            "POST",
            "/codex/analytics-events/events",
            acme,
            Some(event),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
    });
    let events = admin(&data_dir, &["serve", "events", "--json"]);
    let events: Vec<Value> = serde_json::from_slice(&events.stdout).unwrap();
    let stored: Vec<(&str, &str, &Value)> = events
        .iter()
        .map(|event| {
            (
                event["account_id"].as_str().unwrap(),
                event["event_type"].as_str().unwrap(),
                &event["event_params"],
            )
        })
        .collect();
    assert_eq!(
        stored,
        vec![(
            "acme",
            "codex_plugin_used",
            &json!({"plugin_id": "linear@x"})
        )]
    );
}

#[test]
fn serve_refuses_dev_mode_off_loopback_and_a_busy_port_with_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("serve");
    let output = admin(&data_dir, &["serve", "--dev", "--bind", "0.0.0.0:0"]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--dev accepts unsigned test tokens and is only allowed on a loopback address, not 0.0.0.0:0"),
        "{stderr}"
    );
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = busy.local_addr().unwrap().to_string();
    let output = admin(&data_dir, &["serve", "--bind", &addr]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("could not listen on {addr}")),
        "{stderr}"
    );
}
