//! Turns against a loopback Responses provider: a plugin mention reaches the model as
//! instructions and analytics; failures, drops, retries and interrupts end the turn
//! correctly and the server keeps serving.

use berth_test_support::{MarketplaceFixture, TestHome};
use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use crate::harness::{Server, berth_bin, provider_overrides, provider_server};
use crate::loopback::{Loopback, Reply};

fn start_thread(server: &mut Server) -> String {
    let started = server.call(
        "thread/start",
        json!({"model": "m", "modelProvider": "p", "baseInstructions": "", "developerInstructions": "", "ephemeral": true}),
    );
    started["thread"]["id"].as_str().unwrap().to_owned()
}

/// An initialized server whose provider is `loopback` (with `retries` retries), and a thread.
fn turn_server(home: &TestHome, loopback: &Loopback, retries: u32) -> (Server, String) {
    let mut server = provider_server(home, &loopback.base_url, retries, &[]);
    server.initialize("test_client");
    let thread_id = start_thread(&mut server);
    (server, thread_id)
}

fn run_turn(server: &mut Server, thread_id: &str, input: Value) -> Value {
    let mut params = json!({"threadId": thread_id});
    params["input"] = input;
    let started = server.call("turn/start", params);
    let turn_id = started["turn"]["id"].as_str().unwrap().to_owned();
    assert_eq!(started["turn"]["status"], json!("inProgress"));
    server.notification("turn/completed", |p| p["turn"]["id"] == json!(turn_id))
}

#[test]
fn a_mention_turn_sends_the_skill_to_the_model_and_reports_plugin_use_once() {
    let home = TestHome::new();
    berth_auth::test_support::write_chatgpt_test_auth(&home.codex_home()).unwrap();
    let market = MarketplaceFixture::new(home.root().join("market"), "debug").plugin(
        "sample",
        Some("1.2.0"),
        2,
    );
    let loopback = Loopback::start(vec![]);
    let mut overrides = provider_overrides(&loopback.base_url, 0);
    overrides.push(format!(
        "chatgpt_base_url=\"{}/backend-api\"",
        loopback.base_url
    ));
    overrides.push("analytics.enabled=true".to_owned());
    let mut server = Server::spawn(berth_bin(), &home, &overrides, &[]);
    server.initialize("test_client");
    let file = market.root().join(".agents/plugins/marketplace.json");
    server.call(
        "plugin/install",
        json!({"marketplacePath": file, "pluginName": "sample"}),
    );
    let thread_id = start_thread(&mut server);
    let completed = run_turn(
        &mut server,
        &thread_id,
        json!([
            {"type": "mention", "name": "sample", "path": "plugin://sample@debug"},
            {"type": "text", "text": "and again [@sample](plugin://sample@debug)"}
        ]),
    );
    assert_eq!(completed["turn"]["status"], json!("completed"));
    assert_eq!(completed["turn"]["items"][0]["text"], json!("Hi there"));
    let usage = server.notification("thread/tokenUsage/updated", |_| true);
    assert_eq!(usage["tokenUsage"]["last"]["totalTokens"], json!(15));

    let requests = loopback.requests("/v1/responses");
    assert_eq!(requests.len(), 1);
    let body = requests[0].body.to_string();
    assert!(
        body.contains("Capabilities from the `sample` plugin"),
        "{body}"
    );
    assert!(
        body.contains("Say hello."),
        "the SKILL.md body reaches the model: {body}"
    );

    let events = loopback.wait_for_events(|events| {
        events
            .iter()
            .any(|e| e["event_type"] == json!("codex_turn_event"))
    });
    let used: Vec<&Value> = events
        .iter()
        .filter(|e| e["event_type"] == json!("codex_plugin_used"))
        .collect();
    assert_eq!(used.len(), 1, "{events:#?}");
    let params = &used[0]["event_params"];
    assert_eq!(
        (
            params["plugin_id"].clone(),
            params["thread_id"].clone(),
            params["model_slug"].clone(),
            params["product_client_id"].clone()
        ),
        (
            json!("sample@debug"),
            json!(thread_id),
            json!("m"),
            json!("test_client")
        )
    );
    let turn_event = events
        .iter()
        .find(|e| e["event_type"] == json!("codex_turn_event"))
        .unwrap();
    assert_eq!(
        turn_event["event_params"]["active_plugin_ids_at_turn_start"],
        json!(["sample@debug"])
    );
    assert!(server.shutdown());
}

#[test]
fn a_provider_500_and_a_dropped_stream_fail_the_turn_and_the_next_turn_completes() {
    let home = TestHome::new();
    let loopback = Loopback::start(vec![Reply::ServerError, Reply::Drop]);
    let (mut server, thread_id) = turn_server(&home, &loopback, 0);
    let failed = run_turn(
        &mut server,
        &thread_id,
        json!([{"type": "text", "text": "hi"}]),
    );
    assert_eq!(failed["turn"]["status"], json!("failed"));
    assert_eq!(
        failed["turn"]["error"],
        json!({
            "message": "We\u{2019}re currently experiencing high demand, which may cause temporary errors.",
            "codexErrorInfo": "internalServerError",
            "additionalDetails": null,
            "misalignment": null,
        })
    );
    let error = server.notification("error", |_| true);
    assert_eq!(error["willRetry"], json!(false));
    let dropped = run_turn(
        &mut server,
        &thread_id,
        json!([{"type": "text", "text": "hi"}]),
    );
    assert_eq!(dropped["turn"]["status"], json!("failed"));
    assert!(
        dropped["turn"]["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("stream disconnected before completion"),
        "{dropped}"
    );
    let ok = run_turn(
        &mut server,
        &thread_id,
        json!([{"type": "text", "text": "hi"}]),
    );
    assert_eq!(ok["turn"]["status"], json!("completed"));
    assert_eq!(
        server.call("plugin/installed", json!({}))["marketplaces"],
        json!([])
    );
    assert!(server.shutdown());
}

#[test]
fn retries_follow_the_provider_budget() {
    let home = TestHome::new();
    let loopback = Loopback::start(vec![Reply::ServerError, Reply::Drop]);
    let (mut server, thread_id) = turn_server(&home, &loopback, 1);
    let completed = run_turn(
        &mut server,
        &thread_id,
        json!([{"type": "text", "text": "hi"}]),
    );
    assert_eq!(
        completed["turn"]["status"],
        json!("completed"),
        "{completed}"
    );
    assert_eq!(loopback.requests("/v1/responses").len(), 3);
}

#[test]
fn turn_interrupt_ends_a_hanging_turn_as_interrupted() {
    let home = TestHome::new();
    let loopback = Loopback::start(vec![Reply::Hang]);
    let (mut server, thread_id) = turn_server(&home, &loopback, 0);
    let started = server.call(
        "turn/start",
        json!({"threadId": thread_id, "input": [{"type": "text", "text": "hi"}]}),
    );
    let turn_id = started["turn"]["id"].clone();
    server.notification("turn/started", |_| true);
    assert_eq!(
        server.call(
            "turn/interrupt",
            json!({"threadId": thread_id, "turnId": turn_id})
        ),
        json!({})
    );
    let completed = server.notification("turn/completed", |p| p["turn"]["id"] == turn_id);
    assert_eq!(completed["turn"]["status"], json!("interrupted"));
    assert!(server.shutdown());
}

#[test]
fn a_provider_api_key_comes_from_its_env_key() {
    let home = TestHome::new();
    let loopback = Loopback::start(vec![]);
    let mut overrides = provider_overrides(&loopback.base_url, 0);
    overrides.push("model_providers.p.env_key=\"BERTH_TEST_PROVIDER_KEY\"".to_owned());
    let mut server = Server::spawn(
        berth_bin(),
        &home,
        &overrides,
        &[("BERTH_TEST_PROVIDER_KEY", "sk-test")],
    );
    server.initialize("test_client");
    let thread_id = start_thread(&mut server);
    let completed = run_turn(
        &mut server,
        &thread_id,
        json!([{"type": "text", "text": "hi"}]),
    );
    assert_eq!(completed["turn"]["status"], json!("completed"));
    let request = &loopback.requests("/v1/responses")[0];
    assert_eq!(request.headers["authorization"], "Bearer sk-test");
    assert_eq!(request.headers["originator"], "test_client");
}

#[test]
fn opted_out_notifications_are_not_sent() {
    let home = TestHome::new();
    let loopback = Loopback::start(vec![]);
    let mut server = provider_server(&home, &loopback.base_url, 0, &[]);
    server.call(
        "initialize",
        json!({"clientInfo": {"name": "test_client", "version": "1"},
               "capabilities": {"optOutNotificationMethods": ["item/started", "item/completed"]}}),
    );
    let thread_id = start_thread(&mut server);
    let completed = run_turn(
        &mut server,
        &thread_id,
        json!([{"type": "text", "text": "hi"}]),
    );
    assert_eq!(completed["turn"]["status"], json!("completed"));
    let methods: Vec<Value> = server
        .drain_notifications()
        .into_iter()
        .map(|m| m["method"].clone())
        .collect();
    assert!(methods.contains(&json!("turn/started")), "{methods:?}");
    assert!(!methods.contains(&json!("item/started")), "{methods:?}");
    assert!(!methods.contains(&json!("item/completed")), "{methods:?}");
}
