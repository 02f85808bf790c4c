use std::sync::atomic::AtomicUsize;

use pretty_assertions::assert_eq;

use super::*;

/// Fetches through `cache`, counting fetches in `fetches`; returns the value seen.
async fn get(cache: &TtlCache<usize>, fetches: &AtomicUsize, key: &str, now: Instant) -> usize {
    let value = cache
        .get_or_try_fetch(key, now, async {
            Ok::<_, ()>(fetches.fetch_add(1, Ordering::SeqCst) + 1)
        })
        .await
        .unwrap();
    *value
}

#[tokio::test]
async fn a_value_is_reused_within_the_ttl_for_the_same_key_and_refetched_otherwise() {
    let cache = TtlCache::new(Duration::from_secs(30));
    let fetches = AtomicUsize::new(0);
    let start = Instant::now();
    let seen = vec![
        get(&cache, &fetches, "a", start).await,
        get(&cache, &fetches, "a", start + Duration::from_secs(29)).await,
        get(&cache, &fetches, "a", start + Duration::from_secs(30)).await,
        get(&cache, &fetches, "b", start + Duration::from_secs(31)).await,
        get(&cache, &fetches, "b", start + Duration::from_secs(32)).await,
    ];
    assert_eq!(seen, vec![1, 1, 2, 3, 3]);
}

#[tokio::test]
async fn invalidation_forces_the_next_fetch_and_failures_are_not_kept() {
    let cache = TtlCache::new(Duration::from_secs(30));
    let fetches = AtomicUsize::new(0);
    let now = Instant::now();
    assert_eq!(get(&cache, &fetches, "a", now).await, 1);
    cache.invalidate();
    assert_eq!(get(&cache, &fetches, "a", now).await, 2);
    assert_eq!(get(&cache, &fetches, "a", now).await, 2);
    cache.invalidate();
    let failed = cache
        .get_or_try_fetch("a", now, async { Err::<usize, _>("down") })
        .await;
    assert_eq!(failed.err(), Some("down"));
    assert_eq!(get(&cache, &fetches, "a", now).await, 3);
}
