//! `item/agentMessage/delta`: the provider's `response.output_text.delta` events reach the
//! client as they stream, between the message's `item/started` and `item/completed`, unless
//! the connection opted out of them.

use berth_test_support::TestHome;
use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use crate::harness::provider_server;
use crate::loopback::{Loopback, Reply};

/// Runs one turn answered with the deltas `Hel`, `lo `, `world`; returns the turn id and the
/// notifications of the turn, in order.
fn streamed_turn(opt_out: &[&str]) -> (Value, Value, Vec<Value>) {
    let home = TestHome::new();
    let loopback = Loopback::start(vec![Reply::Streamed(vec![
        "Hel".to_owned(),
        "lo ".to_owned(),
        "world".to_owned(),
    ])]);
    let mut server = provider_server(&home, &loopback.base_url, 0, &[]);
    server.call(
        "initialize",
        json!({"clientInfo": {"name": "test_client", "version": "1"},
               "capabilities": {"optOutNotificationMethods": opt_out}}),
    );
    let thread_id = server.call(
        "thread/start",
        json!({"model": "m", "modelProvider": "p", "ephemeral": true}),
    )["thread"]["id"]
        .clone();
    let started = server.call(
        "turn/start",
        json!({"threadId": thread_id, "input": [{"type": "text", "text": "hi"}]}),
    );
    let turn_id = started["turn"]["id"].clone();
    let completed = server.notification("turn/completed", |p| p["turn"]["id"] == turn_id);
    assert_eq!(completed["turn"]["status"], json!("completed"));
    let notifications = server.drain_notifications();
    assert!(server.shutdown());
    (thread_id, turn_id, notifications)
}

/// `(method, item id, text or delta)` of the agent message's notifications.
fn agent_events(notifications: &[Value]) -> Vec<(String, Value, Value)> {
    notifications
        .iter()
        .filter_map(|message| {
            let params = &message["params"];
            match message["method"].as_str()? {
                "item/agentMessage/delta" => Some((
                    "item/agentMessage/delta".to_owned(),
                    params["itemId"].clone(),
                    params["delta"].clone(),
                )),
                method @ ("item/started" | "item/completed")
                    if params["item"]["type"] == json!("agentMessage") =>
                {
                    Some((
                        method.to_owned(),
                        params["item"]["id"].clone(),
                        params["item"]["text"].clone(),
                    ))
                }
                _ => None,
            }
        })
        .collect()
}

#[test]
fn streamed_text_arrives_as_agent_message_deltas_between_item_started_and_completed() {
    let (thread_id, turn_id, notifications) = streamed_turn(&[]);
    let event = |method: &str, text: &str| (method.to_owned(), json!("msg_1"), json!(text));
    assert_eq!(
        agent_events(&notifications),
        vec![
            event("item/started", ""),
            event("item/agentMessage/delta", "Hel"),
            event("item/agentMessage/delta", "lo "),
            event("item/agentMessage/delta", "world"),
            event("item/completed", "Hello world"),
        ]
    );
    let first = notifications
        .iter()
        .find(|message| message["method"] == json!("item/agentMessage/delta"))
        .unwrap();
    assert_eq!(
        first["params"],
        json!({"threadId": thread_id, "turnId": turn_id, "itemId": "msg_1", "delta": "Hel"})
    );
}

#[test]
fn a_connection_that_opted_out_of_deltas_gets_only_the_completed_message() {
    let (_, _, notifications) = streamed_turn(&["item/agentMessage/delta"]);
    let event = |method: &str, text: &str| (method.to_owned(), json!("msg_1"), json!(text));
    assert_eq!(
        agent_events(&notifications),
        vec![
            event("item/started", ""),
            event("item/completed", "Hello world")
        ]
    );
}
