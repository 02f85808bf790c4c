//! Loopback HTTP servers on `127.0.0.1:0`: a scripted Responses API provider and an
//! analytics collector, each recording what it received.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use serde_json::Value;

/// How the provider answers one `POST /v1/responses`.
#[derive(Debug, Clone)]
pub(crate) enum Reply {
    /// `response.created`, an assistant message with this text, `response.completed`.
    Message(String),
    /// `response.created`, an assistant message added, streamed as these text deltas, and
    /// done with their concatenation, `response.completed`.
    Streamed(Vec<String>),
    /// HTTP 500.
    ServerError,
    /// The first event, then the connection breaks.
    Drop,
    /// The first event, then nothing until the client goes away.
    Hang,
    /// The first event, then, once [`Loopback::open_gate`] is called, a message with this
    /// text and `response.completed`.
    Gate(String),
}

/// One recorded request.
#[derive(Debug, Clone)]
pub(crate) struct Recorded {
    pub(crate) path: String,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Value,
}

#[derive(Clone)]
struct Shared {
    script: Arc<Mutex<VecDeque<Reply>>>,
    requests: Arc<Mutex<Vec<Recorded>>>,
    gate: Arc<tokio::sync::watch::Sender<bool>>,
}

/// A running loopback server (provider and collector on one port).
pub(crate) struct Loopback {
    pub(crate) base_url: String,
    shared: Shared,
    _runtime: tokio::runtime::Runtime,
}

const CREATED: &str = "event: response.created\ndata: {\"type\":\"response.created\",\"response\":{\"id\":\"resp-1\"}}\n\n";

fn completed() -> String {
    "event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{\"id\":\"resp-1\",\"usage\":{\"input_tokens\":10,\"input_tokens_details\":{\"cached_tokens\":2},\"output_tokens\":5,\"output_tokens_details\":{\"reasoning_tokens\":1},\"total_tokens\":15}}}\n\n".to_owned()
}

fn message(text: &str) -> String {
    let item = serde_json::json!({
        "type": "response.output_item.done",
        "item": {"type": "message", "role": "assistant", "id": "msg_1",
                 "content": [{"type": "output_text", "text": text}]},
    });
    format!("event: response.output_item.done\ndata: {item}\n\n")
}

async fn handle(
    State(shared): State<Shared>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_owned();
    let body_json = serde_json::from_slice(&body).unwrap_or(Value::Null);
    shared.requests.lock().unwrap().push(Recorded {
        path: path.clone(),
        headers,
        body: body_json,
    });
    let sse = |body: Body| {
        Response::builder()
            .status(StatusCode::OK)
            .header("content-type", "text/event-stream")
            .body(body)
            .unwrap()
    };
    if path.ends_with("/responses") {
        let reply = shared
            .script
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or_else(|| Reply::Message("Hi there".to_owned()));
        return match reply {
            Reply::Message(text) => sse(Body::from(format!(
                "{CREATED}{}{}",
                message(&text),
                completed()
            ))),
            Reply::Streamed(deltas) => {
                let added = serde_json::json!({
                    "type": "response.output_item.added", "output_index": 0,
                    "item": {"type": "message", "role": "assistant", "id": "msg_1",
                             "status": "in_progress", "content": []},
                });
                let mut body =
                    format!("{CREATED}event: response.output_item.added\ndata: {added}\n\n");
                for delta in &deltas {
                    let event = serde_json::json!({
                        "type": "response.output_text.delta", "item_id": "msg_1",
                        "output_index": 0, "content_index": 0, "delta": delta,
                    });
                    body.push_str("event: response.output_text.delta\ndata: ");
                    body.push_str(&event.to_string());
                    body.push_str("\n\n");
                }
                body.push_str(&message(&deltas.concat()));
                body.push_str(&completed());
                sse(Body::from(body))
            }
            Reply::ServerError => Response::builder()
                .status(StatusCode::INTERNAL_SERVER_ERROR)
                .body(Body::from("oops"))
                .unwrap(),
            Reply::Drop => {
                // The break comes after the head and first event are on the wire.
                let first = futures_util::stream::iter(vec![Ok(Bytes::from(CREATED))]);
                let broken = futures_util::stream::once(async {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    Err::<Bytes, _>(std::io::Error::other("dropped"))
                });
                sse(Body::from_stream(futures_util::StreamExt::chain(
                    first, broken,
                )))
            }
            Reply::Gate(text) => {
                let first =
                    futures_util::stream::iter(vec![Ok::<_, std::io::Error>(Bytes::from(CREATED))]);
                let mut open = shared.gate.subscribe();
                let rest = futures_util::stream::once(async move {
                    let _ = open.wait_for(|open| *open).await;
                    Ok(Bytes::from(format!("{}{}", message(&text), completed())))
                });
                sse(Body::from_stream(futures_util::StreamExt::chain(
                    first, rest,
                )))
            }
            Reply::Hang => {
                let first =
                    futures_util::stream::iter(vec![Ok::<_, std::io::Error>(Bytes::from(CREATED))]);
                let rest = futures_util::stream::pending::<Result<Bytes, std::io::Error>>();
                sse(Body::from_stream(futures_util::StreamExt::chain(
                    first, rest,
                )))
            }
        };
    }
    if path.ends_with("/models") {
        return Response::new(Body::from("{\"models\":[]}"));
    }
    if path.ends_with("/codex/analytics-events/events") {
        return Response::new(Body::from("{}"));
    }
    Response::builder()
        .status(StatusCode::NOT_FOUND)
        .body(Body::from("{\"error\":\"not found\"}"))
        .unwrap()
}

impl Loopback {
    /// Starts the server with a script of provider replies (then `Message("Hi there")`).
    pub(crate) fn start(script: Vec<Reply>) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let shared = Shared {
            script: Arc::new(Mutex::new(script.into())),
            requests: Arc::default(),
            gate: Arc::new(tokio::sync::watch::channel(false).0),
        };
        let app = Router::new().fallback(handle).with_state(shared.clone());
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let address = listener.local_addr().unwrap();
        runtime.spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self {
            base_url: format!("http://{address}"),
            shared,
            _runtime: runtime,
        }
    }

    /// Lets every [`Reply::Gate`] stream, waiting or future, finish.
    pub(crate) fn open_gate(&self) {
        self.shared.gate.send_replace(true);
    }

    /// Requests received so far whose path ends with `suffix`.
    pub(crate) fn requests(&self, suffix: &str) -> Vec<Recorded> {
        self.shared
            .requests
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.path.ends_with(suffix))
            .cloned()
            .collect()
    }

    /// Analytics events received so far, in order.
    pub(crate) fn events(&self) -> Vec<Value> {
        self.requests("/codex/analytics-events/events")
            .into_iter()
            .flat_map(|r| r.body["events"].as_array().cloned().unwrap_or_default())
            .collect()
    }

    /// Waits until `done` holds for the analytics events, then returns them.
    pub(crate) fn wait_for_events(&self, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let deadline = Instant::now() + crate::harness::WAIT;
        loop {
            let events = self.events();
            if done(&events) {
                return events;
            }
            assert!(
                Instant::now() < deadline,
                "analytics never arrived: {events:#?}; requests: {:?}",
                self.shared
                    .requests
                    .lock()
                    .unwrap()
                    .iter()
                    .map(|r| r.path.clone())
                    .collect::<Vec<_>>()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}
