//! [`Metrics`]: the service's Prometheus metrics. Requests and their latency are labelled by
//! method, route template and status only (never a raw path, plugin id or account id: those
//! would reveal private plugins and grow without bound); the rest are plain counters.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};

/// Upper bounds of the latency histogram's buckets, in seconds.
const LATENCY_BUCKETS: [f64; 13] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Labels of a counted request.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct RequestLabels {
    /// The method, or `other`.
    pub(crate) method: &'static str,
    /// The route template (`/backend-api/ps/plugins/{id}`), or `unmatched`.
    pub(crate) route: String,
    /// The status code.
    pub(crate) status: u16,
}

/// Labels of a timed request.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct RouteLabels {
    /// The method, or `other`.
    pub(crate) method: &'static str,
    /// The route template, or `unmatched`.
    pub(crate) route: String,
}

fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

/// Every metric the service exports, and the registry that renders them.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    pub(crate) requests: Family<RequestLabels, Counter>,
    pub(crate) latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    pub(crate) installs: Counter,
    pub(crate) uninstalls: Counter,
    pub(crate) publishes: Counter,
    pub(crate) ingested_events: Counter,
    pub(crate) bundle_bytes_served: Counter,
    pub(crate) connections_open: Gauge,
    pub(crate) connections_shed: Counter,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("berth");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, route template and status",
            requests.clone(),
        );
        let latency: Family<RouteLabels, Histogram, fn() -> Histogram> =
            Family::new_with_constructor(latency_histogram);
        registry.register_with_unit(
            "http_request_duration",
            "Time from a request's headers to its response's headers, by method and route template",
            Unit::Seconds,
            latency.clone(),
        );
        let counter = |registry: &mut Registry, name: &str, help: &str| {
            let counter = Counter::default();
            registry.register(name, help, counter.clone());
            counter
        };
        let installs = counter(&mut registry, "installs", "Plugin installs answered 200");
        let uninstalls = counter(
            &mut registry,
            "uninstalls",
            "Plugin uninstalls answered 200",
        );
        let publishes = counter(
            &mut registry,
            "publishes",
            "Releases published over HTTP and stored",
        );
        let ingested_events = counter(
            &mut registry,
            "ingested_events",
            "Analytics events stored (a resent batch is not counted again)",
        );
        let bundle_bytes_served = Counter::default();
        registry.register_with_unit(
            "bundle_served",
            "Bundle bytes sent to clients",
            Unit::Bytes,
            bundle_bytes_served.clone(),
        );
        let connections_open = Gauge::default();
        registry.register(
            "connections_open",
            "Connections being served",
            connections_open.clone(),
        );
        let connections_shed = counter(
            &mut registry,
            "connections_shed",
            "Connections over the connection cap, answered 503 or closed",
        );
        Self {
            registry,
            requests,
            latency,
            installs,
            uninstalls,
            publishes,
            ingested_events,
            bundle_bytes_served,
            connections_open,
            connections_shed,
        }
    }
}

impl Metrics {
    /// The metrics in the `OpenMetrics` text format that Prometheus scrapes.
    pub fn render(&self) -> String {
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }

    /// Counts a release published over HTTP.
    pub fn record_publish(&self) {
        self.publishes.inc();
    }
}
