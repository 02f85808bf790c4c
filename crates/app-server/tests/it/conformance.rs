//! The same session against `berth app-server` and Codex 0.169.0's `codex app-server`, each on
//! its own temporary home with a `ChatGPT` test login and `chatgpt_base_url` pointing at its own
//! `berth serve` (dev mode): answers, turn notifications and the analytics events each service
//! stored must be equal once values that must differ (temp paths, generated ids, timestamps,
//! versions) are normalised. Differences berth keeps on purpose are listed in the README and
//! not sent here.

use std::path::Path;

use berth_test_support::{MarketplaceFixture, TestHome, codex_bin};
use pretty_assertions::assert_eq;
use serde_json::{Map, Value, json};

use crate::harness::{Server, berth_bin, provider_overrides};
use crate::loopback::Loopback;
use crate::service::Service;

const ID_KEYS: &[&str] = &[
    "id",
    "threadId",
    "turnId",
    "sessionId",
    "rootTurnId",
    "thread_id",
    "turn_id",
    "session_id",
    "root_turn_id",
];
const TIME_KEYS: &[&str] = &[
    "createdAt",
    "updatedAt",
    "recencyAt",
    "startedAt",
    "completedAt",
    "durationMs",
    "startedAtMs",
    "completedAtMs",
    "emittedAtMs",
    "created_at",
    "started_at",
    "completed_at",
    "duration_ms",
];
const VERSION_KEYS: &[&str] = &["userAgent", "cliVersion", "codex_rs_version"];

fn is_uuid(text: &str) -> bool {
    text.len() == 36 && text.chars().filter(|c| *c == '-').count() == 4
}

/// Replaces the home's path, generated ids, timestamps and versions with placeholders.
fn normalize(value: &Value, root: &str) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, value)| {
                    let normalized = match value {
                        Value::String(text) if ID_KEYS.contains(&key.as_str()) && is_uuid(text) => {
                            json!("[ID]")
                        }
                        Value::Number(_) if TIME_KEYS.contains(&key.as_str()) => json!("[TIME]"),
                        Value::String(_) if VERSION_KEYS.contains(&key.as_str()) => {
                            json!("[VERSION]")
                        }
                        other => normalize(other, root),
                    };
                    (key.clone(), normalized)
                })
                .collect::<Map<_, _>>(),
        ),
        Value::Array(items) => {
            Value::Array(items.iter().map(|item| normalize(item, root)).collect())
        }
        Value::String(text) => Value::String(text.replace(root, "[HOME]")),
        other => other.clone(),
    }
}

/// Notifications of a turn that both servers must send, in order.
const TURN_NOTIFICATIONS: &[&str] = &[
    "turn/started",
    "item/started",
    "item/completed",
    "thread/tokenUsage/updated",
    "turn/completed",
];

struct Transcript {
    answers: Vec<(String, Value)>,
    notifications: Vec<Value>,
    events: Vec<Value>,
}

/// A `ChatGPT` login both servers accept. Codex 0.169.0 ignores a JWT whose signature segment
/// is empty (as `write_chatgpt_test_auth` writes it), so the tokens get a dummy signature.
fn write_login(home: &TestHome) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let claims = json!({
        "email": "test@example.com",
        "email_verified": true,
        "iat": now,
        "exp": now + 3600,
        "sub": "user-test",
        "https://api.openai.com/auth": {
            "chatgpt_plan_type": "plus",
            "chatgpt_account_id": "acct-test",
            "chatgpt_user_id": "user-test",
        },
    });
    let token = format!("{}c2ln", berth_auth::test_support::unsigned_jwt(&claims));
    let auth = json!({
        "auth_mode": "chatgpt",
        "OPENAI_API_KEY": null,
        "tokens": {"id_token": token, "access_token": token, "refresh_token": "r", "account_id": "acct-test"},
        "last_refresh": "2026-01-01T00:00:00Z",
    });
    std::fs::write(home.codex_home().join("auth.json"), auth.to_string()).unwrap();
}

fn session(program: &Path, home: &TestHome) -> Transcript {
    write_login(home);
    let market = MarketplaceFixture::new(home.root().join("market"), "debug").plugin(
        "sample",
        Some("1.2.0"),
        3,
    );
    let file = market.root().join(".agents/plugins/marketplace.json");
    let loopback = Loopback::start(vec![]);
    let service = Service::start();
    let mut overrides = provider_overrides(&loopback.base_url, 0);
    overrides.push(format!("chatgpt_base_url=\"{}\"", service.api_url));
    overrides.push("analytics.enabled=true".to_owned());
    let mut server = Server::spawn(program, home, &overrides, &[]);
    let mut answers = Vec::new();
    let initialize = server.initialize("conformance_client");
    answers.push(("initialize".to_owned(), initialize));
    let cwds = json!({"cwds": [market.root()]});
    let steps = [
        (
            "plugin/read",
            json!({"marketplacePath": file, "pluginName": "sample"}),
        ),
        (
            "plugin/install",
            json!({"marketplacePath": file, "pluginName": "sample"}),
        ),
        ("plugin/list", cwds.clone()),
        ("plugin/installed", cwds),
        (
            "config/value/write",
            json!({"keyPath": "plugins.sample@debug.enabled", "value": false, "mergeStrategy": "replace"}),
        ),
        (
            "config/batchWrite",
            json!({"edits": [{"keyPath": "plugins.sample@debug.enabled", "value": true, "mergeStrategy": "replace"}]}),
        ),
        (
            "thread/start",
            json!({"model": "m", "modelProvider": "p", "baseInstructions": "", "developerInstructions": "", "ephemeral": true}),
        ),
    ];
    for (method, params) in steps {
        let result = server.call(method, params);
        answers.push((method.to_owned(), result));
    }
    let thread_id = answers.last().unwrap().1["thread"]["id"].clone();
    let started = server.call(
        "turn/start",
        json!({"threadId": thread_id, "input": [{"type": "mention", "name": "sample", "path": "plugin://sample@debug"}]}),
    );
    let turn_id = started["turn"]["id"].clone();
    answers.push(("turn/start".to_owned(), started));
    let completed = server.notification("turn/completed", |p| p["turn"]["id"] == turn_id);
    let notifications: Vec<Value> = server
        .drain_notifications()
        .into_iter()
        .filter(|m| {
            m["method"]
                .as_str()
                .is_some_and(|method| TURN_NOTIFICATIONS.contains(&method))
        })
        .map(|m| json!({"method": m["method"], "params": m["params"]}))
        .collect();
    answers.push(("turn/completed".to_owned(), completed));
    let uninstalled = server.call("plugin/uninstall", json!({"pluginId": "sample@debug"}));
    answers.push(("plugin/uninstall".to_owned(), uninstalled));
    let deadline = std::time::Instant::now() + crate::harness::WAIT;
    let events = loop {
        let events = service.events();
        if events
            .iter()
            .any(|e| e["event_type"] == json!("codex_plugin_uninstalled"))
        {
            break events;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the service never stored the uninstall event: {events:#?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(server.shutdown() || program != berth_bin());
    let root = home.root().to_str().unwrap();
    Transcript {
        answers: answers
            .into_iter()
            .map(|(method, result)| (method, normalize(&result, root)))
            .collect(),
        notifications: notifications.iter().map(|n| normalize(n, root)).collect(),
        events: events.iter().map(|e| normalize(e, root)).collect(),
    }
}

fn plugin_events(events: &[Value]) -> Vec<Value> {
    events
        .iter()
        .filter(|e| {
            e["event_type"]
                .as_str()
                .is_some_and(|t| t.starts_with("codex_plugin_"))
        })
        .cloned()
        .collect()
}

#[test]
fn berth_and_codex_answer_the_same_session_identically() {
    let Some(codex) = codex_bin() else {
        eprintln!("skipping: Codex peer not installed");
        return;
    };
    let berth_home = TestHome::new();
    let codex_home = TestHome::new();
    let ours = session(berth_bin(), &berth_home);
    let theirs = session(&codex, &codex_home);
    for ((method, our), (_, their)) in ours.answers.iter().zip(&theirs.answers) {
        assert_eq!(our, their, "`{method}` answers differ");
    }
    assert_eq!(ours.answers.len(), theirs.answers.len());
    // turn/started, user and agent items (started and completed), token usage; turn/completed
    // is compared with the answers.
    assert_eq!(ours.notifications.len(), 6, "{:#?}", ours.notifications);
    assert_eq!(
        ours.notifications, theirs.notifications,
        "turn notifications differ"
    );
    assert_eq!(
        plugin_events(&ours.events),
        plugin_events(&theirs.events),
        "plugin analytics differ"
    );
    let event_types = |events: &[Value]| -> Vec<Value> {
        events.iter().map(|e| e["event_type"].clone()).collect()
    };
    assert_eq!(event_types(&ours.events), event_types(&theirs.events));
    assert_eq!(
        event_types(&plugin_events(&ours.events)),
        vec![
            json!("codex_plugin_installed"),
            json!("codex_plugin_disabled"),
            json!("codex_plugin_enabled"),
            json!("codex_plugin_used"),
            json!("codex_plugin_uninstalled"),
        ]
    );
    for kind in ["codex_thread_initialized", "codex_turn_event"] {
        let find = |events: &[Value]| {
            events
                .iter()
                .find(|e| e["event_type"] == json!(kind))
                .unwrap()["event_params"]
                .clone()
        };
        let (our, their) = (find(&ours.events), find(&theirs.events));
        for (key, value) in our.as_object().unwrap() {
            if matches!(key.as_str(), "runtime" | "sampling_request_count") {
                continue;
            }
            assert_eq!(Some(value), their.get(key), "`{kind}.{key}` differs");
        }
    }
}
