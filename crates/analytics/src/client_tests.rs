use berth_plugin::{PluginId, PluginState, PluginTelemetryMetadata, PluginUsedContext};
use pretty_assertions::assert_eq;

use super::*;

fn metadata(name: &str) -> PluginTelemetryMetadata {
    PluginTelemetryMetadata {
        plugin_id: PluginId::new(name, "test").unwrap(),
        remote_plugin_id: None,
        capability_summary: None,
    }
}

fn used(name: &str, turn: &str) -> PluginEvent {
    PluginEvent::Used {
        metadata: metadata(name),
        context: PluginUsedContext {
            thread_id: "thread-1".to_owned(),
            turn_id: turn.to_owned(),
            model_slug: "gpt-5".to_owned(),
        },
    }
}

fn client_with_receiver(capacity: usize) -> (AnalyticsClient, mpsc::Receiver<QueuedEvent>) {
    let (sender, receiver) = mpsc::channel(capacity);
    (
        AnalyticsClient::with_queue(sender, Arc::new(StatsCounters::default())),
        receiver,
    )
}

fn drain(receiver: &mut mpsc::Receiver<QueuedEvent>) -> Vec<String> {
    let mut names = Vec::new();
    while let Ok(event) = receiver.try_recv() {
        names.push(match event {
            QueuedEvent::Plugin(PluginEvent::Used { metadata, context }) => {
                format!("used {} {}", metadata.plugin_id, context.turn_id)
            }
            QueuedEvent::Plugin(PluginEvent::StateChanged { state, metadata }) => {
                format!("{} {}", state.event_type(), metadata.plugin_id)
            }
            QueuedEvent::Raw(value) => value.to_string(),
        });
    }
    names
}

#[test]
fn plugin_used_is_enqueued_once_per_turn_and_plugin() {
    let (client, mut receiver) = client_with_receiver(16);
    client.track_plugin_event(used("sample", "turn-1"));
    client.track_plugin_event(used("sample", "turn-1"));
    client.track_plugin_event(used("other", "turn-1"));
    let clone = client.clone();
    clone.track_plugin_event(used("sample", "turn-2"));
    drop(clone);
    assert_eq!(
        drain(&mut receiver),
        vec![
            "used sample@test turn-1",
            "used other@test turn-1",
            "used sample@test turn-2"
        ]
    );
    assert_eq!(client.stats().deduplicated, 1);
    assert_eq!(client.stats().enqueued, 3);
}

#[test]
fn the_dedupe_set_is_cleared_when_full() {
    let (client, mut receiver) = client_with_receiver(PLUGIN_USED_DEDUPE_MAX_KEYS + 8);
    client.track_plugin_event(used("sample", "turn-0"));
    for turn in 1..PLUGIN_USED_DEDUPE_MAX_KEYS {
        client.track_plugin_event(used("sample", &format!("turn-{turn}")));
    }
    // The set is full now; the next insert clears it, so a repeat slips through.
    client.track_plugin_event(used("sample", "turn-new"));
    client.track_plugin_event(used("sample", "turn-0"));
    assert_eq!(drain(&mut receiver).len(), PLUGIN_USED_DEDUPE_MAX_KEYS + 2);
}

#[test]
fn state_events_are_never_deduplicated() {
    let (client, mut receiver) = client_with_receiver(16);
    for _ in 0..2 {
        client.record(PluginEvent::StateChanged {
            state: PluginState::Enabled,
            metadata: metadata("sample"),
        });
    }
    assert_eq!(
        drain(&mut receiver),
        vec![
            "codex_plugin_enabled sample@test",
            "codex_plugin_enabled sample@test"
        ]
    );
}

#[test]
fn a_full_queue_drops_and_counts_without_blocking() {
    let (client, mut receiver) = client_with_receiver(2);
    for n in 0..5 {
        client.track_raw_event(serde_json::json!({"n": n}));
    }
    assert_eq!(drain(&mut receiver), vec![r#"{"n":0}"#, r#"{"n":1}"#]);
    let stats = client.stats();
    assert_eq!((stats.enqueued, stats.dropped), (2, 3));
}

#[test]
fn a_closed_queue_drops_and_counts() {
    let (client, receiver) = client_with_receiver(2);
    drop(receiver);
    client.track_raw_event(serde_json::json!({}));
    assert_eq!(client.stats().dropped, 1);
}

#[test]
fn a_disabled_client_records_nothing() {
    let client = AnalyticsClient::disabled();
    assert!(!client.is_enabled());
    client.track_plugin_event(used("sample", "turn-1"));
    client.track_raw_event(serde_json::json!({}));
    assert_eq!(client.stats(), AnalyticsStats::default());
}
