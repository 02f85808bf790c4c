//! The names of every environment variable berth-bundle reads: the overrides of
//! [`crate::ExtractLimits`], read by [`crate::ExtractLimits::from_env`].

/// Overrides [`crate::DEFAULT_MAX_EXTRACTED_BYTES`], in bytes.
pub const MAX_EXTRACTED_BYTES_ENV: &str = "BERTH_MAX_EXTRACTED_BYTES";
/// Overrides [`crate::DEFAULT_MAX_ENTRIES`].
pub const MAX_BUNDLE_ENTRIES_ENV: &str = "BERTH_MAX_BUNDLE_ENTRIES";
/// Overrides [`crate::DEFAULT_MAX_DEPTH`].
pub const MAX_BUNDLE_DEPTH_ENV: &str = "BERTH_MAX_BUNDLE_DEPTH";
