//! Tests for `sections`.
use super::*;
