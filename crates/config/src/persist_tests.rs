//! Tests for `persist`.
use super::*;
