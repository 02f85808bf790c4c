use axum::http::HeaderMap;
use pretty_assertions::assert_eq;

use super::*;

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (name, value) in pairs {
        headers.append(*name, HeaderValue::from_str(value).unwrap());
    }
    headers
}

#[test]
fn secrets_match_only_when_equal_and_not_empty() {
    assert!(secrets_match("abc", "abc"));
    assert!(!secrets_match("abd", "abc"));
    assert!(!secrets_match("ab", "abc"));
    assert!(!secrets_match("", ""));
}

#[test]
fn cookies_are_found_among_several_headers_and_pairs() {
    let headers = headers(&[("cookie", "a=1; berth_session=xyz"), ("cookie", "b=2")]);
    assert_eq!(cookie(&headers, "berth_session"), Some("xyz"));
    assert_eq!(cookie(&headers, "b"), Some("2"));
    assert_eq!(cookie(&headers, "berth"), None);
}

#[test]
fn session_cookies_are_http_only_strict_and_secure_over_https() {
    assert_eq!(
        set_cookie("berth_session", "v", "/", SESSION_LIFETIME, true),
        "berth_session=v; Path=/; Max-Age=43200; HttpOnly; SameSite=Strict; Secure"
    );
    assert_eq!(
        set_cookie("berth_session", "", "/", Duration::ZERO, false),
        "berth_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"
    );
}

#[test]
fn sign_in_returns_only_to_local_paths() {
    assert_eq!(
        safe_next(Some("/plugins/plugins~Plugin_a?x=1")),
        "/plugins/plugins~Plugin_a?x=1"
    );
    for bad in [
        "//evil.example",
        "https://evil.example/",
        "/\\evil",
        "javascript:alert(1)",
        "/a b",
    ] {
        assert_eq!(safe_next(Some(bad)), "/", "{bad}");
    }
    assert_eq!(safe_next(None), "/");
}

#[test]
fn forms_from_another_site_are_refused() {
    assert!(same_origin(&headers(&[])).is_ok());
    assert!(same_origin(&headers(&[("sec-fetch-site", "same-origin")])).is_ok());
    assert!(matches!(
        same_origin(&headers(&[("sec-fetch-site", "cross-site")])),
        Err(PageError::Csrf)
    ));
    assert!(
        same_origin(&headers(&[
            ("origin", "http://127.0.0.1:8787"),
            ("host", "127.0.0.1:8787")
        ]))
        .is_ok()
    );
    assert!(matches!(
        same_origin(&headers(&[
            ("origin", "https://evil.example"),
            ("host", "127.0.0.1:8787")
        ])),
        Err(PageError::Csrf)
    ));
}
