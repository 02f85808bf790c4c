use super::*;

#[test]
fn a_service_is_named_by_its_origin_or_its_codex_base_url() {
    for url in [
        "https://plugins.example.com",
        "https://plugins.example.com/",
        "https://plugins.example.com/backend-api",
        " https://plugins.example.com/backend-api/ ",
    ] {
        assert_eq!(
            service_origin(url).unwrap().as_str(),
            "https://plugins.example.com/",
            "{url}"
        );
    }
    assert_eq!(
        service_origin("http://127.0.0.1:8787").unwrap().as_str(),
        "http://127.0.0.1:8787/"
    );
    for bad in ["plugins.example.com", "ftp://x", "file:///tmp/x", ""] {
        assert!(
            matches!(service_origin(bad), Err(ServiceError::InvalidUrl { .. })),
            "{bad}"
        );
    }
}

#[test]
fn names_stay_inside_their_path_segment() {
    assert_eq!(super::segment("linear"), "linear");
    assert_eq!(
        super::segment("plugins~Plugin_x-1.2"),
        "plugins~Plugin_x-1.2"
    );
    assert_eq!(
        super::segment("../accounts/a b?c#d%"),
        "..%2Faccounts%2Fa%20b%3Fc%23d%25"
    );
}
