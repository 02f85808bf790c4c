use pretty_assertions::assert_eq;
use serde_json::json;

use super::*;

fn parse(value: serde_json::Value) -> JsonRpcMessage {
    serde_json::from_value(value).unwrap()
}

#[test]
fn messages_are_told_apart_by_their_fields() {
    assert_eq!(
        parse(json!({"id": 1, "method": "plugin/list", "params": {}})),
        JsonRpcMessage::Request(JsonRpcRequest {
            id: RequestId::Integer(1),
            method: "plugin/list".to_owned(),
            params: Some(json!({})),
            trace: None,
        })
    );
    assert_eq!(
        parse(json!({"method": "initialized"})),
        JsonRpcMessage::Notification(JsonRpcNotification {
            method: "initialized".to_owned(),
            params: None,
            emitted_at_ms: None,
        })
    );
    assert_eq!(
        parse(json!({"id": "a", "result": {}})),
        JsonRpcMessage::Response(JsonRpcResponse {
            id: RequestId::String("a".to_owned()),
            result: json!({}),
        })
    );
    assert_eq!(
        parse(json!({"id": "a", "error": {"code": -32600, "message": "Not initialized"}})),
        JsonRpcMessage::Error(JsonRpcError {
            id: RequestId::String("a".to_owned()),
            error: JsonRpcErrorObject {
                code: -32600,
                message: "Not initialized".to_owned(),
                data: None,
            },
        })
    );
}

#[test]
fn answers_never_carry_a_jsonrpc_field() {
    let error = JsonRpcMessage::Error(JsonRpcError {
        id: RequestId::Integer(3),
        error: JsonRpcErrorObject {
            code: -32601,
            message: "x".to_owned(),
            data: None,
        },
    });
    assert_eq!(
        serde_json::to_value(&error).unwrap(),
        json!({"id": 3, "error": {"code": -32601, "message": "x"}})
    );
}
