//! Tests for `store`.
use super::*;
