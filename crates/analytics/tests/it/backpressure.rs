//! A hung endpoint: the caller never waits, memory stays bounded by the queue, drops are
//! counted, and shutdown ends at its deadline.

use std::time::{Duration, Instant};

use berth_analytics::{AnalyticsClient, BatchLimits};
use pretty_assertions::assert_eq;
use serde_json::json;

use crate::harness::{LONG, Reply, TestServer, home_with_chatgpt_login, settings};

const OFFERED: u64 = 100_000;

#[test]
fn a_hung_endpoint_never_blocks_the_caller_and_bounds_what_is_held() {
    let server = TestServer::start(Vec::new(), Reply::Hang);
    let (home, _auth) = home_with_chatgpt_login();
    let mut settings = settings(home.path(), &server.base_url());
    settings.queue_capacity = 64;
    settings.batch = BatchLimits {
        max_events: 10,
        max_bytes: 1024 * 1024,
        max_delay: Duration::from_millis(5),
    };
    settings.request_timeout = Duration::from_secs(60);
    let (client, handle) = AnalyticsClient::start(&settings);
    // Let the first batch reach the server, which then never answers.
    client.track_raw_event(json!({"event_type": "first"}));
    assert_eq!(server.wait_for_requests(1, LONG).len(), 1);

    let started = Instant::now();
    let mut slowest = Duration::ZERO;
    for n in 0..OFFERED {
        let call = Instant::now();
        client.track_raw_event(json!({"event_type": "e", "event_params": {"n": n}}));
        slowest = slowest.max(call.elapsed());
    }
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_secs(5),
        "enqueueing took {elapsed:?}"
    );
    assert!(
        slowest < Duration::from_millis(250),
        "slowest enqueue {slowest:?}"
    );

    let stats = client.stats();
    assert_eq!(stats.enqueued + stats.dropped, OFFERED + 1);
    // Held at most: the queue, plus one batch being assembled.
    assert!(stats.enqueued <= 64 + 10 + 1, "{stats:?}");

    let started = Instant::now();
    let report = handle.shutdown_blocking(Duration::from_millis(300));
    let waited = started.elapsed();
    assert!(waited < Duration::from_secs(2), "shutdown took {waited:?}");
    assert!(report.finished);
    assert_eq!(report.stats.delivered, 0);
    assert_eq!(report.stats.lost_at_shutdown, report.stats.enqueued);
}
