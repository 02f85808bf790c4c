use std::path::PathBuf;

use berth_config::ConfigError;
use pretty_assertions::assert_eq;
use serde_json::json;

use super::*;

#[test]
fn a_version_conflict_is_an_invalid_request_with_the_codex_write_error_code() {
    let err = RpcError::from(ConfigError::VersionConflict {
        path: PathBuf::from("/h/config.toml"),
        expected: "sha256:00".to_owned(),
        actual: "sha256:11".to_owned(),
    });
    assert_eq!(
        err,
        RpcError {
            code: INVALID_REQUEST_ERROR_CODE,
            message: "Configuration was modified since last read. Fetch latest version and retry."
                .to_owned(),
            data: Some(json!({"config_write_error_code": "configVersionConflict"})),
        }
    );
}

#[test]
fn a_manager_error_for_a_bad_plugin_id_is_an_invalid_request() {
    let err = RpcError::from(berth_core::ManagerError::MarketplaceRequired);
    assert_eq!(err.code, INVALID_REQUEST_ERROR_CODE);
}
