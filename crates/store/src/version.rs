//! Ordering of version directory names and the choice of the active version: `local` wins,
//! then semver order when both names parse, else plain string order.

use std::cmp::Ordering;

use berth_plugin::DEFAULT_PLUGIN_VERSION;

/// Compares two version directory names: semantically when both are semver, else as strings.
pub fn compare_plugin_versions(a: &str, b: &str) -> Ordering {
    match (semver::Version::parse(a), semver::Version::parse(b)) {
        (Ok(a), Ok(b)) => a.cmp(&b),
        _ => a.cmp(b),
    }
}

/// Picks the active version among installed version names.
pub(crate) fn select_active_version(versions: impl IntoIterator<Item = String>) -> Option<String> {
    let mut best: Option<String> = None;
    for version in versions {
        if version == DEFAULT_PLUGIN_VERSION {
            return Some(version);
        }
        best = match best {
            Some(current) if compare_plugin_versions(&current, &version) != Ordering::Less => {
                Some(current)
            }
            _ => Some(version),
        };
    }
    best
}

/// Whether `old` would still be selected over `new` if both version directories existed.
pub(crate) fn old_version_would_stay_active(old: &str, new: &str) -> bool {
    if new == DEFAULT_PLUGIN_VERSION {
        return false;
    }
    old == DEFAULT_PLUGIN_VERSION || compare_plugin_versions(old, new) == Ordering::Greater
}

#[cfg(test)]
#[path = "version_tests.rs"]
mod tests;
