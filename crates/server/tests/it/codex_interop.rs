//! Codex interop.
