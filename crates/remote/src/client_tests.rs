use pretty_assertions::assert_eq;

use super::{RemoteClientOptions, truncated_body};

#[test]
fn error_bodies_are_cut_after_eight_kib_with_a_marker() {
    let body = vec![b'x'; 9000];
    let text = truncated_body(&body);
    assert_eq!(
        text,
        format!(
            "{} [response body truncated after 8192 bytes]",
            "x".repeat(8192)
        )
    );
    assert_eq!(truncated_body(b"short"), "short");
}

#[test]
fn base_url_defaults_to_chatgpt_and_drops_trailing_slashes() {
    assert_eq!(
        RemoteClientOptions::new(None).base_url,
        "https://chatgpt.com/backend-api"
    );
    assert_eq!(
        RemoteClientOptions::new(Some("http://127.0.0.1:9/backend-api//")).base_url,
        "http://127.0.0.1:9/backend-api"
    );
}
