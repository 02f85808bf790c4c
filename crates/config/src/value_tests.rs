//! Tests for `value`.
use super::*;
