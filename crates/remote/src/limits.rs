//! [`ClientLimits`]: how much a plugin service may make the client read: the size of one JSON
//! response (checked while it streams), the pages and items of one listing, and the size of
//! one bundle download. A service that repeats a page token is stopped at the repeat.

use crate::download::MAX_BUNDLE_DOWNLOAD_BYTES;
use crate::env_vars::{
    MAX_BUNDLE_DOWNLOAD_BYTES_ENV, MAX_REMOTE_ITEMS_ENV, MAX_REMOTE_PAGES_ENV,
    MAX_RESPONSE_BYTES_ENV,
};

/// Default cap on one JSON response: 16 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024;
/// Default cap on the pages of one listing: 1,000 (200,000 plugins at the page size).
pub const DEFAULT_MAX_PAGES: usize = 1_000;
/// Default cap on the items of one listing: 100,000.
pub const DEFAULT_MAX_ITEMS: usize = 100_000;

/// Limits on what one service answer may make the client read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientLimits {
    /// The largest JSON response body read, in bytes.
    pub max_response_bytes: u64,
    /// The most pages one listing follows.
    pub max_pages: usize,
    /// The most items one listing collects.
    pub max_items: usize,
    /// The largest bundle downloaded, in bytes.
    pub max_bundle_bytes: u64,
}

impl Default for ClientLimits {
    fn default() -> Self {
        Self {
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            max_pages: DEFAULT_MAX_PAGES,
            max_items: DEFAULT_MAX_ITEMS,
            max_bundle_bytes: MAX_BUNDLE_DOWNLOAD_BYTES,
        }
    }
}

impl ClientLimits {
    /// The defaults with the overrides of [`crate::env_vars`] applied.
    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// The defaults with overrides from `lookup`; unset, zero or unparsable values keep the
    /// default (an unusable one is logged).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let positive = |name: &str, default: u64| -> u64 {
            let Some(value) = lookup(name) else {
                return default;
            };
            match value.trim().parse::<u64>() {
                Ok(parsed) if parsed > 0 => parsed,
                _ => {
                    tracing::warn!(
                        "ignoring {name}={value:?}: expected a positive integer; using {default}"
                    );
                    default
                }
            }
        };
        let count = |name: &str, default: usize| {
            usize::try_from(positive(name, default as u64)).unwrap_or(default)
        };
        Self {
            max_response_bytes: positive(MAX_RESPONSE_BYTES_ENV, DEFAULT_MAX_RESPONSE_BYTES),
            max_pages: count(MAX_REMOTE_PAGES_ENV, DEFAULT_MAX_PAGES),
            max_items: count(MAX_REMOTE_ITEMS_ENV, DEFAULT_MAX_ITEMS),
            max_bundle_bytes: positive(MAX_BUNDLE_DOWNLOAD_BYTES_ENV, MAX_BUNDLE_DOWNLOAD_BYTES),
        }
    }
}

#[cfg(test)]
#[path = "limits_tests.rs"]
mod tests;
