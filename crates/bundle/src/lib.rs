//! Plugin bundles as gzip-compressed tar archives: [`pack_plugin_dir`] builds a deterministic
//! [`PackedBundle`] from a plugin root, and [`extract_bundle`] unpacks an untrusted bundle
//! into a staging folder under [`ExtractLimits`], rejecting links, special files and paths
//! that escape the destination.

mod digest;
pub mod env_vars;
mod error;
mod extract;
mod pack;

/// The largest bundle archive clients download (berth and Codex): the plugin service refuses to
/// publish a larger one.
pub const MAX_BUNDLE_BYTES: u64 = 50 * 1024 * 1024;

pub use digest::sha256_hex;
pub use error::BundleError;
pub use extract::{
    DEFAULT_MAX_DEPTH, DEFAULT_MAX_ENTRIES, DEFAULT_MAX_EXTRACTED_BYTES, ExtractLimits,
    ExtractedBundle, extract_bundle, find_extracted_plugin_root,
};
pub use pack::{PackedBundle, PackedFile, pack_plugin_dir};
