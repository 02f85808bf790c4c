//! The ingress limit (`BERTH_APP_SERVER_MAX_IN_FLIGHT`): requests beyond it are answered
//! `-32001` at once, and the server serves again once load drops.

use berth_test_support::TestHome;
use pretty_assertions::assert_eq;
use serde_json::json;

use crate::harness::{Server, provider_server};
use crate::loopback::{Loopback, Reply};

#[test]
fn requests_beyond_the_limit_are_overloaded_until_running_turns_end() {
    let home = TestHome::new();
    let loopback = Loopback::start(vec![
        Reply::Gate("first".to_owned()),
        Reply::Gate("second".to_owned()),
    ]);
    let mut server = provider_server(
        &home,
        &loopback.base_url,
        0,
        &[("BERTH_APP_SERVER_MAX_IN_FLIGHT", "2")],
    );
    server.initialize("test_client");
    let thread = |server: &mut Server| {
        server.call(
            "thread/start",
            json!({"model": "m", "modelProvider": "p", "ephemeral": true}),
        )["thread"]["id"]
            .clone()
    };
    let (first, second) = (thread(&mut server), thread(&mut server));
    let mut turns = Vec::new();
    for thread_id in [&first, &second] {
        let started = server.call(
            "turn/start",
            json!({"threadId": thread_id, "input": [{"type": "text", "text": "hi"}]}),
        );
        turns.push(started["turn"]["id"].clone());
    }
    // Both slots are held by the running turns.
    let overloaded = json!({"code": -32001, "message": "Server overloaded; retry later."});
    assert_eq!(server.call_error("plugin/list", json!({})), overloaded);
    assert_eq!(
        server.call_error("thread/start", json!({"ephemeral": true})),
        overloaded
    );

    loopback.open_gate();
    for turn_id in &turns {
        let completed = server.notification("turn/completed", |p| p["turn"]["id"] == *turn_id);
        assert_eq!(completed["turn"]["status"], json!("completed"));
    }
    assert_eq!(
        server.call("plugin/list", json!({}))["marketplaces"],
        json!([])
    );
    let third = thread(&mut server);
    let started = server.call(
        "turn/start",
        json!({"threadId": third, "input": [{"type": "text", "text": "again"}]}),
    );
    let completed = server.notification("turn/completed", |p| {
        p["turn"]["id"] == started["turn"]["id"]
    });
    assert_eq!(completed["turn"]["status"], json!("completed"));
    assert!(server.shutdown());
}
