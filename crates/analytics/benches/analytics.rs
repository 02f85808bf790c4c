//! Measures the analytics pipeline: peak memory and drop count while 1,000,000 events are
//! offered to a hung endpoint, enqueue cost on the caller's thread (median and p99), and
//! capture throughput (debug assertions only, since capture is not compiled otherwise).
//!
//! Run: `cargo bench -p berth-analytics --bench analytics`; for the capture figure at full
//! optimisation add `CARGO_PROFILE_BENCH_DEBUG_ASSERTIONS=true`.

#![expect(clippy::print_stdout, reason = "the benchmark prints its report")]
#![expect(
    clippy::unwrap_used,
    reason = "a benchmark setup failure should abort it"
)]
#![expect(
    clippy::cast_precision_loss,
    reason = "rates are printed approximately"
)]

use std::io::Read as _;
use std::net::TcpListener;
use std::path::Path;
use std::time::{Duration, Instant};

use berth_analytics::{AnalyticsClient, AnalyticsSettings, BatchLimits, DEFAULT_QUEUE_CAPACITY};
use berth_plugin::{
    AppConnectorId, PluginCapabilitySummary, PluginEvent, PluginId, PluginState,
    PluginTelemetryMetadata,
};

const HUNG_EVENTS: usize = 1_000_000;
const ENQUEUE_SAMPLES: usize = 200_000;
const CAPTURE_EVENTS: usize = 200_000;

fn main() {
    let home = tempfile::tempdir().unwrap();
    berth_auth::test_support::write_chatgpt_test_auth(home.path()).unwrap();
    let template = sample_event();

    println!(
        "berth-analytics benchmark (debug_assertions: {})",
        cfg!(debug_assertions)
    );
    hung_endpoint(home.path(), &template);
    enqueue_cost(home.path(), &template);
    capture_throughput(home.path(), &template);
}

/// 1,000,000 events offered to an endpoint that accepts connections and never answers.
fn hung_endpoint(home: &Path, template: &PluginEvent) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base_url = format!("http://{}/backend-api", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        // Hold every connection open and never reply.
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            let mut reader = stream.try_clone().unwrap();
            std::thread::spawn(move || {
                let mut sink = [0_u8; 4096];
                while reader.read(&mut sink).is_ok_and(|n| n > 0) {}
            });
            held.push(stream);
        }
    });
    // Every fifth call is timed; the buffer is touched before the baseline is read.
    let mut samples = vec![Duration::ZERO; HUNG_EVENTS / 5];
    let before = vm_hwm_kib();
    let mut settings = settings(home, &base_url);
    settings.request_timeout = Duration::from_secs(120);
    let (client, handle) = AnalyticsClient::start(&settings);
    let mut slowest = Duration::ZERO;
    let started = Instant::now();
    for index in 0..HUNG_EVENTS {
        let event = template.clone();
        let call = Instant::now();
        client.track_plugin_event(event);
        let took = call.elapsed();
        slowest = slowest.max(took);
        if index % 5 == 0 {
            samples[index / 5] = took;
        }
    }
    samples.sort_unstable();
    let offered_in = started.elapsed();
    let stats = client.stats();
    let peak = vm_hwm_kib();
    let shutdown = Instant::now();
    let report = handle.shutdown_blocking(Duration::from_millis(500));
    let shutdown_took = shutdown.elapsed();
    println!(
        "hung endpoint: offered {HUNG_EVENTS} in {offered_in:?} ({:.0} ns/event; median {:?}, \
         p99 {:?}, max {slowest:?}); enqueued {}, dropped {}; VmHWM {} KiB before, {} KiB after (+{} KiB); \
         shutdown(500ms) took {shutdown_took:?}, finished {}, lost at shutdown {}",
        offered_in.as_nanos() as f64 / HUNG_EVENTS as f64,
        samples[samples.len() / 2],
        samples[samples.len() * 99 / 100],
        stats.enqueued,
        stats.dropped,
        before,
        peak,
        peak.saturating_sub(before),
        report.finished,
        report.stats.lost_at_shutdown,
    );
}

/// Per-call cost while a fast endpoint drains the queue.
fn enqueue_cost(home: &Path, template: &PluginEvent) {
    let server = ok_server();
    let mut settings = settings(home, &server);
    settings.queue_capacity = ENQUEUE_SAMPLES;
    let (client, handle) = AnalyticsClient::start(&settings);
    let mut samples = Vec::with_capacity(ENQUEUE_SAMPLES);
    for _ in 0..ENQUEUE_SAMPLES {
        let event = template.clone();
        let call = Instant::now();
        client.track_plugin_event(event);
        samples.push(call.elapsed());
    }
    let report = handle.shutdown_blocking(Duration::from_secs(60));
    samples.sort_unstable();
    println!(
        "enqueue (accepting queue, {ENQUEUE_SAMPLES} events): median {:?}, p99 {:?}, max {:?}; \
         delivered {} dropped {}",
        samples[samples.len() / 2],
        samples[samples.len() * 99 / 100],
        samples[samples.len() - 1],
        report.stats.delivered,
        report.stats.dropped,
    );
}

fn capture_throughput(home: &Path, template: &PluginEvent) {
    if !cfg!(debug_assertions) {
        println!(
            "capture: skipped (debug-only; rerun with CARGO_PROFILE_BENCH_DEBUG_ASSERTIONS=true)"
        );
        return;
    }
    let path = home.join("events.jsonl");
    let mut settings = settings(home, "http://127.0.0.1:9/unused");
    settings.capture_file = Some(path.clone());
    settings.queue_capacity = CAPTURE_EVENTS;
    let (client, handle) = AnalyticsClient::start(&settings);
    let started = Instant::now();
    for _ in 0..CAPTURE_EVENTS {
        client.track_plugin_event(template.clone());
    }
    let report = handle.shutdown_blocking(Duration::from_secs(120));
    let elapsed = started.elapsed();
    let bytes = std::fs::metadata(&path).map_or(0, |m| m.len());
    println!(
        "capture: {} events in {elapsed:?} = {:.0} events/s ({:.1} MiB written, {} lines of 50)",
        report.stats.delivered,
        report.stats.delivered as f64 / elapsed.as_secs_f64(),
        bytes as f64 / (1024.0 * 1024.0),
        report.stats.delivered / 50,
    );
}

fn settings(home: &Path, base_url: &str) -> AnalyticsSettings {
    let mut settings = AnalyticsSettings::new(home, "codex_cli_rs", "berth-bench/0.1.0");
    base_url.clone_into(&mut settings.base_url);
    settings.queue_capacity = DEFAULT_QUEUE_CAPACITY;
    settings.batch = BatchLimits::default();
    settings
}

/// An axum server answering 200 to everything, on its own thread.
fn ok_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let base_url = format!("http://{}/backend-api", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let app = axum::Router::new().fallback(|| async { "" });
            axum::serve(listener, app).await.unwrap();
        });
    });
    base_url
}

fn sample_event() -> PluginEvent {
    let plugin_id = PluginId::new("sample", "debug").unwrap();
    PluginEvent::StateChanged {
        state: PluginState::Installed,
        metadata: PluginTelemetryMetadata {
            capability_summary: Some(PluginCapabilitySummary {
                config_name: plugin_id.as_key(),
                display_name: "sample".to_owned(),
                description: None,
                has_skills: true,
                mcp_server_names: vec!["mcp-1".to_owned(), "mcp-2".to_owned()],
                app_connector_ids: vec![AppConnectorId("calendar".to_owned())],
            }),
            plugin_id,
            remote_plugin_id: Some("plugins~Plugin_sample".to_owned()),
        },
    }
}

/// Peak resident set size of this process, from `/proc/self/status`.
fn vm_hwm_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}
