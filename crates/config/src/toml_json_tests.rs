//! Tests for `toml_json`.
use super::*;
