//! Filesystem primitives that must not tear: atomic file writes ([`write_atomic`]), renames into
//! place ([`rename`], [`rename_exchange`]), deletion that never leaves a root
//! ([`remove_tree_within`]), regular-file tree copies ([`copy_dir_regular`]), locked staging
//! files that sweeps remove once their writer is gone ([`StagedFile`], [`sweep_staged`]) and
//! the [`LockedFile`] cross-process lock guard. berth's other crates go through these instead of
//! `std::fs::{write, rename}`.

mod atomic;
mod copy;
mod locked_file;
mod remove;
mod staged;

pub use atomic::{rename, rename_exchange, write_atomic, write_atomic_with_mode};
pub use copy::{CopyError, CopyReport, copy_dir_regular};
pub use locked_file::{
    DEFAULT_LOCK_TIMEOUT, LOCK_TIMEOUT_ENV, LockError, LockedFile, lock_timeout_from_env_value,
};
pub use remove::remove_tree_within;
pub use staged::{StagedFile, StaleFile, sweep_staged};
