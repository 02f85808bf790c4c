use pretty_assertions::assert_eq;

use super::{SseEvent, SseParser};

fn event(event: &str, data: &str) -> SseEvent {
    SseEvent {
        event: event.to_owned(),
        data: data.to_owned(),
    }
}

#[test]
fn events_split_across_chunks_at_any_byte_are_reassembled() {
    let stream = b"event: response.created\ndata: {\"a\":1}\n\n: comment\nevent: done\r\ndata: x\r\ndata: y\r\n\r\ndata: plain\n\n";
    for split in 0..stream.len() {
        let mut parser = SseParser::default();
        let mut events = parser.feed(&stream[..split]);
        events.extend(parser.feed(&stream[split..]));
        assert_eq!(
            events,
            vec![
                event("response.created", "{\"a\":1}"),
                event("done", "x\ny"),
                event("message", "plain"),
            ],
            "split at {split}"
        );
    }
}

#[test]
fn an_event_without_its_blank_line_is_not_dispatched() {
    let mut parser = SseParser::default();
    assert_eq!(
        parser.feed(b"event: response.completed\ndata: {}\n"),
        vec![]
    );
}

#[test]
fn a_lone_carriage_return_ends_a_line() {
    let mut parser = SseParser::default();
    assert_eq!(
        parser.feed(b"data:no-space\r\r"),
        vec![event("message", "no-space")]
    );
}
