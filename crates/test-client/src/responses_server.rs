//! A loopback Responses API server for smoke turns: `POST …/responses` streams
//! `response.created` then `response.completed` (zero usage) as server-sent events,
//! `GET …/models` answers `{"models":[]}`, anything else is a 404. Request bodies are kept so
//! callers can see what the app server sent the model.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

/// The response id used in both events.
pub const RESPONSE_ID: &str = "resp-plugin-analytics";

/// The two SSE events of a completed, empty response.
pub fn completed_response_stream() -> String {
    format!(
        "event: response.created\ndata: {{\"type\":\"response.created\",\"response\":{{\"id\":\"{RESPONSE_ID}\"}}}}\n\n\
         event: response.completed\ndata: {{\"type\":\"response.completed\",\"response\":{{\"id\":\"{RESPONSE_ID}\",\"usage\":{{\"input_tokens\":0,\"input_tokens_details\":null,\"output_tokens\":0,\"output_tokens_details\":null,\"total_tokens\":0}}}}}}\n\n"
    )
}

/// A running loopback Responses API server; stops when dropped.
#[derive(Debug)]
pub struct ResponsesServer {
    address: SocketAddr,
    stop: Arc<AtomicBool>,
    requests: Arc<Mutex<Vec<serde_json::Value>>>,
    thread: Option<JoinHandle<()>>,
}

impl ResponsesServer {
    /// Binds `127.0.0.1:0` and serves in a background thread.
    pub fn start() -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let address = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let thread = {
            let stop = Arc::clone(&stop);
            let requests = Arc::clone(&requests);
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let requests = Arc::clone(&requests);
                    std::thread::spawn(move || {
                        if let Err(err) = serve(stream, &requests) {
                            tracing::debug!("responses server connection failed: {err}");
                        }
                    });
                }
            })
        };
        Ok(Self {
            address,
            stop,
            requests,
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT/v1`, the provider `base_url`.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.address)
    }

    /// The JSON bodies posted to `/responses` so far.
    pub fn requests(&self) -> Vec<serde_json::Value> {
        self.requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Drop for ResponsesServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect_timeout(&self.address, Duration::from_millis(200));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(stream: TcpStream, requests: &Mutex<Vec<serde_json::Value>>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(2)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut content_length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            break;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            content_length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; content_length];
    reader.read_exact(&mut body)?;
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or_default();
    let path = parts.next().unwrap_or_default();
    let path = path.split('?').next().unwrap_or_default();
    let (status, content_type, text) = if method == "POST" && path.ends_with("/responses") {
        if let Ok(json) = serde_json::from_slice(&body) {
            requests
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(json);
        }
        ("200 OK", "text/event-stream", completed_response_stream())
    } else if method == "GET" && path.ends_with("/models") {
        ("200 OK", "application/json", "{\"models\":[]}".to_owned())
    } else {
        (
            "404 Not Found",
            "application/json",
            "{\"error\":\"not found\"}".to_owned(),
        )
    };
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
        text.len()
    )?;
    stream.flush()
}

#[cfg(test)]
#[path = "responses_server_tests.rs"]
mod tests;
