//! Reading and editing `$CODEX_HOME/config.toml` while preserving the user's formatting.
//!
//! [`ConfigFile`] is one parsed file: typed reads (`plugins`, `marketplaces`, feature flags),
//! generic key-path reads and writes (`get`, `set_value`, `clear_value`) and an atomic `save`.
//! [`ConfigStore`] wraps the read-modify-write in a cross-process lock so concurrent berth
//! processes never lose each other's edits. Errors are [`ConfigError`].

#![deny(missing_docs)]

mod comments;
mod error;
mod file;
mod key_path;
mod overrides;
mod persist;
mod sections;
mod store;
mod toml_json;
mod value;

pub use error::{ConfigError, KeyPathProblem, ValueProblem};
pub use file::{ConfigFile, version_of};
pub use key_path::parse_key_path;
pub use overrides::{ConfigOverride, OverrideError, parse_overrides};
pub use sections::{ConfigWarning, MarketplaceConfig, PluginConfigEntry, WithWarnings};
pub use store::{CONFIG_FILE_NAME, ConfigStore, DEFAULT_LOCK_TIMEOUT};
pub use value::MergeStrategy;
