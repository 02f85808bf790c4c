use berth_plugin::{AppConnectorId, PluginCapabilitySummary, PluginId};
use pretty_assertions::assert_eq;

use super::*;

fn sample_metadata(remote_plugin_id: Option<&str>, with_summary: bool) -> PluginTelemetryMetadata {
    let plugin_id = PluginId::new("sample", "test").unwrap();
    PluginTelemetryMetadata {
        capability_summary: with_summary.then(|| PluginCapabilitySummary {
            config_name: plugin_id.as_key(),
            display_name: "sample".to_owned(),
            description: None,
            has_skills: true,
            mcp_server_names: vec!["mcp-1".to_owned(), "mcp-2".to_owned()],
            app_connector_ids: vec![
                AppConnectorId("calendar".to_owned()),
                AppConnectorId("drive".to_owned()),
            ],
        }),
        plugin_id,
        remote_plugin_id: remote_plugin_id.map(str::to_owned),
    }
}

fn used_context() -> PluginUsedContext {
    PluginUsedContext {
        thread_id: "thread-3".to_owned(),
        turn_id: "turn-3".to_owned(),
        model_slug: "gpt-5".to_owned(),
    }
}

fn serialize(event: &PluginEvent) -> String {
    serde_json::to_string(&TrackEventRequest::from_plugin_event(event, "codex_cli_rs")).unwrap()
}

#[test]
fn installed_event_serializes_every_field_in_wire_order() {
    let event = PluginEvent::StateChanged {
        state: PluginState::Installed,
        metadata: sample_metadata(None, true),
    };
    assert_eq!(
        serialize(&event),
        concat!(
            r#"{"event_type":"codex_plugin_installed","event_params":{"#,
            r#""plugin_id":"sample@test","remote_plugin_id":null,"plugin_name":"sample","#,
            r#""marketplace_name":"test","has_skills":true,"mcp_server_count":2,"#,
            r#""connector_ids":["calendar","drive"],"product_client_id":"codex_cli_rs"}}"#,
        )
    );
}

#[test]
fn remote_plugin_id_is_reported_beside_the_local_plugin_id() {
    let event = PluginEvent::StateChanged {
        state: PluginState::Uninstalled,
        metadata: sample_metadata(Some("plugins~Plugin_remote"), true),
    };
    assert_eq!(
        serialize(&event),
        concat!(
            r#"{"event_type":"codex_plugin_uninstalled","event_params":{"#,
            r#""plugin_id":"sample@test","remote_plugin_id":"plugins~Plugin_remote","#,
            r#""plugin_name":"sample","marketplace_name":"test","has_skills":true,"#,
            r#""mcp_server_count":2,"connector_ids":["calendar","drive"],"#,
            r#""product_client_id":"codex_cli_rs"}}"#,
        )
    );
}

#[test]
fn capability_fields_are_null_without_a_summary() {
    for (state, event_type) in [
        (PluginState::Enabled, "codex_plugin_enabled"),
        (PluginState::Disabled, "codex_plugin_disabled"),
    ] {
        let event = PluginEvent::StateChanged {
            state,
            metadata: sample_metadata(None, false),
        };
        assert_eq!(
            serialize(&event),
            format!(
                concat!(
                    r#"{{"event_type":"{}","event_params":{{"#,
                    r#""plugin_id":"sample@test","remote_plugin_id":null,"plugin_name":"sample","#,
                    r#""marketplace_name":"test","has_skills":null,"mcp_server_count":null,"#,
                    r#""connector_ids":null,"product_client_id":"codex_cli_rs"}}}}"#,
                ),
                event_type
            )
        );
    }
}

#[test]
fn plugin_used_event_appends_server_names_and_turn_after_the_plugin_fields() {
    let event = PluginEvent::Used {
        metadata: sample_metadata(None, true),
        context: used_context(),
    };
    assert_eq!(
        serialize(&event),
        concat!(
            r#"{"event_type":"codex_plugin_used","event_params":{"#,
            r#""plugin_id":"sample@test","remote_plugin_id":null,"plugin_name":"sample","#,
            r#""marketplace_name":"test","has_skills":true,"mcp_server_count":2,"#,
            r#""connector_ids":["calendar","drive"],"product_client_id":"codex_cli_rs","#,
            r#""mcp_server_names":["mcp-1","mcp-2"],"thread_id":"thread-3","#,
            r#""turn_id":"turn-3","model_slug":"gpt-5"}}"#,
        )
    );
}

#[test]
fn plugin_used_without_a_summary_has_null_server_names() {
    let event = PluginEvent::Used {
        metadata: sample_metadata(Some("plugins~Plugin_x"), false),
        context: used_context(),
    };
    assert_eq!(
        serialize(&event),
        concat!(
            r#"{"event_type":"codex_plugin_used","event_params":{"#,
            r#""plugin_id":"sample@test","remote_plugin_id":"plugins~Plugin_x","#,
            r#""plugin_name":"sample","marketplace_name":"test","has_skills":null,"#,
            r#""mcp_server_count":null,"connector_ids":null,"#,
            r#""product_client_id":"codex_cli_rs","mcp_server_names":null,"#,
            r#""thread_id":"thread-3","turn_id":"turn-3","model_slug":"gpt-5"}}"#,
        )
    );
}

#[test]
fn the_envelope_wraps_events_without_variant_tags() {
    let request = TrackEventsRequest {
        events: vec![
            TrackEventRequest::from_plugin_event(
                &PluginEvent::StateChanged {
                    state: PluginState::Enabled,
                    metadata: sample_metadata(None, false),
                },
                "c",
            ),
            TrackEventRequest::Raw(serde_json::json!({
                "event_type": "codex_turn_event",
                "event_params": {"turn_id": "t", "z": 1, "a": 2},
            })),
        ],
    };
    assert_eq!(
        serde_json::to_string(&request).unwrap(),
        concat!(
            r#"{"events":[{"event_type":"codex_plugin_enabled","event_params":{"#,
            r#""plugin_id":"sample@test","remote_plugin_id":null,"plugin_name":"sample","#,
            r#""marketplace_name":"test","has_skills":null,"mcp_server_count":null,"#,
            r#""connector_ids":null,"product_client_id":"c"}},"#,
            r#"{"event_type":"codex_turn_event","event_params":{"turn_id":"t","z":1,"a":2}}]}"#,
        )
    );
    assert_eq!(request.events[0].event_type(), Some("codex_plugin_enabled"));
    assert_eq!(request.events[1].event_type(), Some("codex_turn_event"));
}
