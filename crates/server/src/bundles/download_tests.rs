use axum::http::{HeaderMap, HeaderValue};
use pretty_assertions::assert_eq;

use super::{Answer, answer};

const ETAG: &str = "\"abc\"";

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (name, value) in pairs {
        headers.insert(*name, HeaderValue::from_str(value).unwrap());
    }
    headers
}

#[test]
fn a_request_without_conditions_gets_the_whole_bundle() {
    assert_eq!(answer(&headers(&[]), ETAG, 100), Answer::Whole);
}

#[test]
fn if_none_match_with_the_tag_or_a_star_is_not_modified() {
    for value in ["\"abc\"", "W/\"abc\"", "\"zzz\", \"abc\"", "*"] {
        assert_eq!(
            answer(&headers(&[("if-none-match", value)]), ETAG, 100),
            Answer::NotModified,
            "{value}"
        );
    }
    assert_eq!(
        answer(&headers(&[("if-none-match", "\"zzz\"")]), ETAG, 100),
        Answer::Whole
    );
}

#[test]
fn single_ranges_are_partial_and_clamped_to_the_size() {
    let cases = [
        ("bytes=0-9", 0, 9),
        ("bytes=90-", 90, 99),
        ("bytes=-10", 90, 99),
        ("bytes=50-1000", 50, 99),
        ("bytes=-1000", 0, 99),
    ];
    for (range, start, end) in cases {
        assert_eq!(
            answer(&headers(&[("range", range)]), ETAG, 100),
            Answer::Partial { start, end },
            "{range}"
        );
    }
}

#[test]
fn a_range_past_the_end_is_unsatisfiable() {
    assert_eq!(
        answer(&headers(&[("range", "bytes=100-")]), ETAG, 100),
        Answer::Unsatisfiable
    );
    assert_eq!(
        answer(&headers(&[("range", "bytes=200-300")]), ETAG, 100),
        Answer::Unsatisfiable
    );
}

#[test]
fn malformed_or_multiple_ranges_get_the_whole_bundle() {
    for range in ["bytes=9-0", "items=0-1", "bytes=abc", "bytes=0-1,5-6"] {
        assert_eq!(
            answer(&headers(&[("range", range)]), ETAG, 100),
            Answer::Whole,
            "{range}"
        );
    }
}

#[test]
fn if_range_with_another_tag_or_a_date_gets_the_whole_bundle() {
    assert_eq!(
        answer(
            &headers(&[("range", "bytes=0-9"), ("if-range", "\"abc\"")]),
            ETAG,
            100
        ),
        Answer::Partial { start: 0, end: 9 }
    );
    for if_range in ["\"zzz\"", "W/\"abc\"", "Wed, 21 Oct 2015 07:28:00 GMT"] {
        assert_eq!(
            answer(
                &headers(&[("range", "bytes=0-9"), ("if-range", if_range)]),
                ETAG,
                100
            ),
            Answer::Whole,
            "{if_range}"
        );
    }
}
