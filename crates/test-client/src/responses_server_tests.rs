use super::*;
use pretty_assertions::assert_eq;

fn http(address: &str, request: &str) -> String {
    let mut stream = TcpStream::connect(address).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

#[test]
fn responses_stream_two_events_and_models_are_empty_and_the_rest_is_404() {
    let server = ResponsesServer::start().unwrap();
    let address = server
        .base_url()
        .trim_start_matches("http://")
        .trim_end_matches("/v1")
        .to_owned();
    let body = r#"{"model":"m","input":[]}"#;
    let answer = http(
        &address,
        &format!(
            "POST /v1/responses HTTP/1.1\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        ),
    );
    assert!(
        answer.starts_with("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream"),
        "{answer}"
    );
    assert!(answer.ends_with(&completed_response_stream()));
    assert_eq!(
        server.requests(),
        vec![serde_json::json!({"model": "m", "input": []})]
    );
    let models = http(&address, "GET /v1/models?client_version=1 HTTP/1.1\r\n\r\n");
    assert!(models.ends_with("{\"models\":[]}"), "{models}");
    let other = http(&address, "GET /v1/other HTTP/1.1\r\n\r\n");
    assert!(other.starts_with("HTTP/1.1 404 Not Found"), "{other}");
}
