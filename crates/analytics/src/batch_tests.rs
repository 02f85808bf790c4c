use std::time::Duration;

use pretty_assertions::assert_eq;
use serde_json::json;

use super::*;
use crate::events::{TrackEventRequest, TrackEventsRequest};

fn raw(n: u32) -> TrackEventRequest {
    TrackEventRequest::Raw(json!({"event_type": "e", "event_params": {"n": n}}))
}

#[test]
fn the_body_is_byte_identical_to_serializing_the_request() {
    let events = vec![raw(1), raw(2), raw(3)];
    let mut batch = Batch::default();
    assert_eq!(batch.body_len_with(5), r#"{"events":[12345]}"#.len());
    for event in &events {
        batch.push(serde_json::to_vec(event).unwrap());
    }
    let expected = serde_json::to_vec(&TrackEventsRequest { events }).unwrap();
    assert_eq!(batch.body_len(), expected.len());
    let (body, count) = batch.take_body();
    assert_eq!(
        String::from_utf8(body).unwrap(),
        String::from_utf8(expected).unwrap()
    );
    assert_eq!(count, 3);
    assert!(batch.is_empty());
}

#[test]
fn an_empty_batch_has_an_empty_event_list() {
    let (body, count) = Batch::default().take_body();
    assert_eq!(body, br#"{"events":[]}"#.to_vec());
    assert_eq!(count, 0);
}

#[test]
fn a_batch_is_full_at_the_event_or_byte_limit() {
    let limits = BatchLimits {
        max_events: 2,
        max_bytes: 40,
        max_delay: Duration::from_secs(1),
    };
    let mut batch = Batch::default();
    batch.push(b"{}".to_vec());
    assert!(!batch.is_full(&limits));
    batch.push(b"{}".to_vec());
    assert!(batch.is_full(&limits));

    let mut big = Batch::default();
    big.push(vec![b'1'; 30]);
    assert!(big.is_full(&limits));
}

#[test]
fn the_send_time_is_the_first_event_plus_the_delay() {
    let limits = BatchLimits::default();
    let mut batch = Batch::default();
    assert_eq!(batch.send_at(&limits), None);
    let before = Instant::now();
    batch.push(b"{}".to_vec());
    let after = Instant::now();
    std::thread::sleep(Duration::from_millis(20));
    batch.push(b"{}".to_vec());
    let send_at = batch.send_at(&limits).unwrap();
    assert!(send_at >= before + limits.max_delay && send_at <= after + limits.max_delay);
}
