//! Wall-clock timestamps in the units the protocol uses.

use std::time::{SystemTime, UNIX_EPOCH};

/// Unix milliseconds now.
pub(crate) fn unix_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
        })
}

/// Unix seconds now.
pub(crate) fn unix_seconds() -> i64 {
    unix_millis() / 1000
}
