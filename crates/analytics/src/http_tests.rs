use std::time::Duration;

use pretty_assertions::assert_eq;

use super::*;

fn policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        initial_backoff: Duration::from_millis(100),
        max_backoff: Duration::from_secs(2),
    }
}

#[test]
fn only_429_and_5xx_are_retryable() {
    assert!(is_retryable(StatusCode::TOO_MANY_REQUESTS));
    assert!(is_retryable(StatusCode::SERVICE_UNAVAILABLE));
    assert!(is_retryable(StatusCode::INTERNAL_SERVER_ERROR));
    assert!(!is_retryable(StatusCode::BAD_REQUEST));
    assert!(!is_retryable(StatusCode::UNAUTHORIZED));
    assert!(!is_retryable(StatusCode::NOT_FOUND));
}

#[test]
fn retry_after_is_read_as_seconds() {
    let mut headers = HeaderMap::new();
    assert_eq!(retry_after_seconds(&headers), None);
    headers.insert(RETRY_AFTER, HeaderValue::from_static(" 3 "));
    assert_eq!(retry_after_seconds(&headers), Some(Duration::from_secs(3)));
    headers.insert(
        RETRY_AFTER,
        HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
    );
    assert_eq!(retry_after_seconds(&headers), None);
}

#[test]
fn backoff_doubles_with_jitter_and_is_capped() {
    for attempt in 1..=8 {
        let base = Duration::from_millis(100)
            .saturating_mul(1 << (attempt - 1))
            .min(Duration::from_secs(2));
        for _ in 0..20 {
            let wait = backoff(&policy(), attempt, None);
            assert!(wait >= base / 2 && wait <= base, "{attempt}: {wait:?}");
        }
    }
}

#[test]
fn retry_after_overrides_backoff_up_to_the_cap() {
    assert_eq!(
        backoff(&policy(), 1, Some(Duration::from_secs(1))),
        Duration::from_secs(1)
    );
    assert_eq!(
        backoff(&policy(), 1, Some(Duration::from_secs(60))),
        Duration::from_secs(2)
    );
}
