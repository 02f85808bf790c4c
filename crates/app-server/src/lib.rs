//! berth's app server: JSON-RPC over stdio compatible with `codex app-server`. [`run_stdio`]
//! serves one connection (`initialize`, `plugin/*`, `config/*`, `thread/start`,
//! `turn/start`, `turn/interrupt`) until stdin closes; [`ServerOptions`] carries the Codex
//! home, `-c` overrides and environment; [`ServerError`] is why it could not start.
//!
//! Environment read at startup (through [`ServerOptions::env`]): `BERTH_APP_SERVER_MAX_IN_FLIGHT`
//! ([`MAX_IN_FLIGHT_ENV_VAR`]) bounds how many requests are handled at once (default
//! [`DEFAULT_MAX_IN_FLIGHT`]); requests beyond it are answered `-32001` "Server overloaded;
//! retry later." until load drops. `BERTH_APP_SERVER_MAX_MESSAGE_BYTES` caps one message
//! (default [`DEFAULT_MAX_MESSAGE_BYTES`]) and `BERTH_APP_SERVER_EOF_WAIT_SECONDS` bounds the
//! wait for running requests at end of input (default [`DEFAULT_EOF_WAIT`]). Debug builds also honour `CODEX_APP_SERVER_TEST_USER_CONFIG_FILE`
//! ([`TEST_USER_CONFIG_FILE_ENV_VAR`]), which replaces the user config layer.

#![recursion_limit = "256"]

mod config_version;
mod config_write;
mod env_vars;
mod error_code;
mod line_reader;
mod mapping;
mod mentions;
mod outgoing;
mod plugins;
mod prompt;
mod provider;
mod remote;
mod responses;
mod server;
mod settings;
mod sse;
mod telemetry;
mod threads;
mod time;
mod ttl_cache;
mod turn;

pub use error_code::chain_message as error_chain;
pub use error_code::{
    INTERNAL_ERROR_CODE, INVALID_PARAMS_ERROR_CODE, INVALID_REQUEST_ERROR_CODE,
    METHOD_NOT_FOUND_ERROR_CODE, OVERLOADED_ERROR_CODE, PARSE_ERROR_CODE, RpcError,
};
pub use server::{
    DEFAULT_EOF_WAIT, DEFAULT_MAX_IN_FLIGHT, DEFAULT_MAX_MESSAGE_BYTES, EOF_WAIT_SECONDS_ENV_VAR,
    MAX_IN_FLIGHT_ENV_VAR, MAX_MESSAGE_BYTES_ENV_VAR, ServerError, run, run_stdio,
};
pub use settings::{
    ConfigOverride, EnvLookup, OverrideError, ServerOptions, TEST_USER_CONFIG_FILE_ENV_VAR,
    parse_overrides,
};
