//! `berth serve`'s limit flags (timeouts, connection cap, analytics rate, volume and retention),
//! each overriding a named default of `berth_server::Limits` and readable from the environment.

use std::time::Duration;

use berth_server::Limits;
use clap::Args;

/// Bounds the service puts on clients. Defaults are in the server's `limits` module.
#[derive(Debug, Clone, Args)]
pub(crate) struct LimitArgs {
    /// Seconds a client may take to send a request's headers (and the TLS handshake).
    #[arg(long, env = "BERTH_SERVE_HEADER_READ_TIMEOUT", value_name = "SECONDS", value_parser = parse_seconds)]
    header_read_timeout: Option<Duration>,
    /// Seconds a kept-alive connection may stay idle.
    #[arg(long, env = "BERTH_SERVE_IDLE_TIMEOUT", value_name = "SECONDS", value_parser = parse_seconds)]
    idle_timeout: Option<Duration>,
    /// Seconds a request may take, body upload included, before it is answered 503.
    #[arg(long, env = "BERTH_SERVE_REQUEST_TIMEOUT", value_name = "SECONDS", value_parser = parse_seconds)]
    request_timeout: Option<Duration>,
    /// Connections served at once; more are answered 503 (lowered to fit the file-descriptor
    /// limit).
    #[arg(long, env = "BERTH_SERVE_MAX_CONNECTIONS", value_name = "N")]
    max_connections: Option<usize>,
    /// Analytics bytes per second one account may send, sustained (e.g. `256KiB`).
    #[arg(long, env = "BERTH_SERVE_EVENTS_RATE", value_name = "BYTES", value_parser = parse_bytes)]
    events_rate: Option<u64>,
    /// Analytics bytes one account may send at once before the rate applies (e.g. `8MiB`).
    #[arg(long, env = "BERTH_SERVE_EVENTS_BURST", value_name = "BYTES", value_parser = parse_bytes)]
    events_burst: Option<u64>,
    /// Analytics bytes one account may send per UTC day (e.g. `256MiB`).
    #[arg(long, env = "BERTH_SERVE_EVENTS_DAILY_QUOTA", value_name = "BYTES", value_parser = parse_bytes)]
    events_daily_quota: Option<u64>,
    /// Days raw analytics events are kept; 0 keeps them for ever.
    #[arg(long, env = "BERTH_SERVE_EVENTS_RETENTION_DAYS", value_name = "DAYS")]
    events_retention_days: Option<u32>,
}

impl LimitArgs {
    /// The defaults with every flag given applied.
    pub(crate) fn limits(&self) -> Limits {
        let defaults = Limits::default();
        Limits {
            header_read_timeout: self
                .header_read_timeout
                .unwrap_or(defaults.header_read_timeout),
            idle_timeout: self.idle_timeout.unwrap_or(defaults.idle_timeout),
            request_timeout: self.request_timeout.unwrap_or(defaults.request_timeout),
            max_connections: self.max_connections.unwrap_or(defaults.max_connections),
            events_bytes_per_second: self.events_rate.unwrap_or(defaults.events_bytes_per_second),
            events_burst_bytes: self.events_burst.unwrap_or(defaults.events_burst_bytes),
            events_daily_bytes: self
                .events_daily_quota
                .unwrap_or(defaults.events_daily_bytes),
            events_retention_days: self
                .events_retention_days
                .unwrap_or(defaults.events_retention_days),
        }
    }
}

/// Seconds, possibly fractional (`0.5`), above zero.
fn parse_seconds(value: &str) -> Result<Duration, String> {
    value
        .parse::<f64>()
        .ok()
        .filter(|seconds| *seconds > 0.0)
        .and_then(|seconds| Duration::try_from_secs_f64(seconds).ok())
        .ok_or_else(|| {
            format!("`{value}` is not a number of seconds above zero (e.g. `10` or `0.5`)")
        })
}

/// A byte count, plain or with a unit (`512KiB`, `8MiB`, `1GB`).
fn parse_bytes(value: &str) -> Result<u64, String> {
    value
        .parse::<bytesize::ByteSize>()
        .map(|size| size.as_u64())
        .map_err(|_| {
            format!("`{value}` is not a size; use bytes or a unit such as `512KiB` or `8MiB`")
        })
}

#[cfg(test)]
#[path = "limits_tests.rs"]
mod tests;
