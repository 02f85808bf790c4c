use super::*;

#[test]
fn a_burst_passes_then_the_rate_applies_per_account() {
    let rate = IngestRate::new(1000, 4000);
    assert_eq!(rate.take("a", 3000), Ok(()));
    assert_eq!(rate.take("a", 1000), Ok(()));
    let wait = rate.take("a", 1000).unwrap_err();
    assert!(
        wait > Duration::from_millis(900) && wait <= Duration::from_secs(1),
        "{wait:?}"
    );
    // Another account has its own bucket.
    assert_eq!(rate.take("b", 4000), Ok(()));
}

#[test]
fn a_request_larger_than_the_burst_needs_a_full_bucket_only() {
    let rate = IngestRate::new(10, 100);
    assert_eq!(rate.take("a", 1_000_000), Ok(()));
    assert!(rate.take("a", 1).is_err());
}
