//! [`Limits`]: every bound `berth serve` puts on its clients (connection count and timeouts,
//! request time, analytics rate, daily volume and retention), each with a named default that
//! `berth serve` flags and their environment variables override.

use std::time::Duration;

/// Longest time a client may take to send a request's headers.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest time a kept-alive connection may sit idle between requests.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// Longest time a request may take from its headers to its answer (body upload included);
/// past it the server answers 503 and stops working on it.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Most connections served at once; more are answered 503 at once and closed. The server also
/// keeps this below its file-descriptor limit (see [`FD_RESERVE`]).
pub const DEFAULT_MAX_CONNECTIONS: usize = 4096;
/// File descriptors kept free for the database, bundle files and logs when the connection cap
/// is derived from the process's limit.
pub const FD_RESERVE: usize = 64;
/// Analytics bytes an account may send per second, sustained (a token bucket).
pub const DEFAULT_EVENTS_BYTES_PER_SECOND: u64 = 256 * 1024;
/// Analytics bytes an account may send at once before the rate applies.
pub const DEFAULT_EVENTS_BURST_BYTES: u64 = 8 * 1024 * 1024;
/// Analytics bytes an account may send per UTC day.
pub const DEFAULT_EVENTS_DAILY_BYTES: u64 = 256 * 1024 * 1024;
/// Days raw analytics events are kept (0 keeps them for ever).
pub const DEFAULT_EVENTS_RETENTION_DAYS: u32 = 365;

/// The bounds in effect. See the constants for what each one means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// See [`DEFAULT_HEADER_READ_TIMEOUT`].
    pub header_read_timeout: Duration,
    /// See [`DEFAULT_IDLE_TIMEOUT`].
    pub idle_timeout: Duration,
    /// See [`DEFAULT_REQUEST_TIMEOUT`].
    pub request_timeout: Duration,
    /// See [`DEFAULT_MAX_CONNECTIONS`].
    pub max_connections: usize,
    /// See [`DEFAULT_EVENTS_BYTES_PER_SECOND`].
    pub events_bytes_per_second: u64,
    /// See [`DEFAULT_EVENTS_BURST_BYTES`].
    pub events_burst_bytes: u64,
    /// See [`DEFAULT_EVENTS_DAILY_BYTES`].
    pub events_daily_bytes: u64,
    /// See [`DEFAULT_EVENTS_RETENTION_DAYS`].
    pub events_retention_days: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            events_bytes_per_second: DEFAULT_EVENTS_BYTES_PER_SECOND,
            events_burst_bytes: DEFAULT_EVENTS_BURST_BYTES,
            events_daily_bytes: DEFAULT_EVENTS_DAILY_BYTES,
            events_retention_days: DEFAULT_EVENTS_RETENTION_DAYS,
        }
    }
}
