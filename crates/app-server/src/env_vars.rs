//! The names of every environment variable the app server reads (through
//! [`crate::ServerOptions::env`], once, at startup).

/// Bounds how many requests are handled at once (a positive integer; default
/// [`crate::DEFAULT_MAX_IN_FLIGHT`]).
pub const MAX_IN_FLIGHT_ENV_VAR: &str = "BERTH_APP_SERVER_MAX_IN_FLIGHT";
/// Overrides [`crate::DEFAULT_MAX_MESSAGE_BYTES`], the largest message read, in bytes.
pub const MAX_MESSAGE_BYTES_ENV_VAR: &str = "BERTH_APP_SERVER_MAX_MESSAGE_BYTES";
/// Overrides [`crate::DEFAULT_EOF_WAIT`], how long end of input waits for running
/// requests, in whole seconds.
pub const EOF_WAIT_SECONDS_ENV_VAR: &str = "BERTH_APP_SERVER_EOF_WAIT_SECONDS";
/// Debug builds only (like the analytics capture file): the path of a file that replaces
/// `$CODEX_HOME/config.toml` as the user config layer, for reads and for config writes without
/// `filePath`, so tests and smokes never touch the real profile (spec §8.1 step 4). Release
/// builds ignore it.
pub const TEST_USER_CONFIG_FILE_ENV_VAR: &str = "CODEX_APP_SERVER_TEST_USER_CONFIG_FILE";
