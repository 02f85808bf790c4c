//! Integration tests for berth-remote. `on_serve` runs against the real `berth serve` (its
//! router over `SQLite` on 127.0.0.1, `serve.rs`); `install` and `sync` keep a small loopback
//! service (`service.rs`) only for faults the real server cannot produce (a 500 from the
//! install call, a redirect to plain http, a manifest naming another plugin, a release
//! without a download URL).

// `cfg(test)` lets the workspace's `allow-unwrap-in-tests` cover the shared helpers too.
#[cfg(test)]
mod hostile_bundles;
#[cfg(test)]
mod hostile_pages;
#[cfg(test)]
mod install;
#[cfg(test)]
mod on_serve;
#[cfg(test)]
mod serve;
#[cfg(test)]
mod service;
#[cfg(test)]
mod sync;
