//! Integration tests for berth-remote against an in-process loopback plugin service that
//! serves the plugin-service routes with `berth-service-protocol` types.

// `cfg(test)` lets the workspace's `allow-unwrap-in-tests` cover the shared helpers too.
#[cfg(test)]
mod install;
#[cfg(test)]
mod service;
#[cfg(test)]
mod sync;
