//! JSON-RPC error codes (spec §1.4) and [`RpcError`], the one type handlers fail with; the
//! mapping from domain errors to codes lives here and nowhere else.

use berth_app_server_protocol::JsonRpcErrorObject;
use berth_config::ConfigError;
use berth_core::ManagerError;
use serde_json::{Value, json};

/// A line that is not JSON, or longer than the message cap; answered with a null id.
pub const PARSE_ERROR_CODE: i64 = -32700;
/// Invalid request: not initialized, bad combinations, plugin validation failures.
pub const INVALID_REQUEST_ERROR_CODE: i64 = -32600;
/// Unknown method.
pub const METHOD_NOT_FOUND_ERROR_CODE: i64 = -32601;
/// Params that do not match the method's type.
pub const INVALID_PARAMS_ERROR_CODE: i64 = -32602;
/// I/O and other internal failures.
pub const INTERNAL_ERROR_CODE: i64 = -32603;
/// The ingress queue is full; retry with backoff.
pub const OVERLOADED_ERROR_CODE: i64 = -32001;

/// A failed request, ready to be sent as a JSON-RPC error.
#[derive(Debug, Clone, PartialEq)]
pub struct RpcError {
    /// The JSON-RPC code.
    pub code: i64,
    /// The message, with causes appended (`: cause`).
    pub message: String,
    /// Structured details.
    pub data: Option<Value>,
}

impl RpcError {
    /// `-32700` "Parse error: ..." for a line that could not be read as JSON.
    pub fn parse_error(problem: impl std::fmt::Display) -> Self {
        Self {
            code: PARSE_ERROR_CODE,
            message: format!("Parse error: {problem}"),
            data: None,
        }
    }

    /// `-32600` with `message`.
    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self {
            code: INVALID_REQUEST_ERROR_CODE,
            message: message.into(),
            data: None,
        }
    }

    /// `-32601` for `method`.
    pub fn method_not_found(method: &str) -> Self {
        Self {
            code: METHOD_NOT_FOUND_ERROR_CODE,
            message: format!("method not found: `{method}`"),
            data: None,
        }
    }

    /// `-32602` with the decoding problem.
    pub fn invalid_params(method: &str, problem: &serde_json::Error) -> Self {
        Self {
            code: INVALID_PARAMS_ERROR_CODE,
            message: format!("invalid params for `{method}`: {problem}"),
            data: None,
        }
    }

    /// `-32603` with `message`.
    pub fn internal(message: impl Into<String>) -> Self {
        Self {
            code: INTERNAL_ERROR_CODE,
            message: message.into(),
            data: None,
        }
    }

    /// `-32001` "Server overloaded; retry later.": too many requests are being handled.
    pub fn overloaded() -> Self {
        Self {
            code: OVERLOADED_ERROR_CODE,
            message: "Server overloaded; retry later.".to_owned(),
            data: None,
        }
    }

    /// The wire form.
    pub fn into_object(self) -> JsonRpcErrorObject {
        JsonRpcErrorObject {
            code: self.code,
            message: self.message,
            data: self.data,
        }
    }
}

/// The error and its sources, one line: `outer: inner: innermost`.
pub fn chain_message(err: &dyn std::error::Error) -> String {
    let mut message = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

impl From<ManagerError> for RpcError {
    fn from(err: ManagerError) -> Self {
        let message = chain_message(&err);
        if err.is_invalid_request() {
            Self::invalid_request(message)
        } else {
            Self::internal(message)
        }
    }
}

impl From<ConfigError> for RpcError {
    fn from(err: ConfigError) -> Self {
        let (code, write_code) = match &err {
            ConfigError::VersionConflict { .. } => {
                return Self {
                    code: INVALID_REQUEST_ERROR_CODE,
                    message: "Configuration was modified since last read. Fetch latest version and retry.".to_owned(),
                    data: Some(json!({"config_write_error_code": "configVersionConflict"})),
                };
            }
            ConfigError::InvalidKeyPath { .. }
            | ConfigError::InvalidValue { .. }
            | ConfigError::NotATable { .. } => {
                (INVALID_REQUEST_ERROR_CODE, "configValidationError")
            }
            _ => (INTERNAL_ERROR_CODE, "configValidationError"),
        };
        Self {
            code,
            message: chain_message(&err),
            data: (code == INVALID_REQUEST_ERROR_CODE)
                .then(|| json!({"config_write_error_code": write_code})),
        }
    }
}

#[cfg(test)]
#[path = "error_code_tests.rs"]
mod tests;
