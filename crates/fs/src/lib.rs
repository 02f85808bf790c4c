//! Filesystem primitives that must not tear: atomic file writes ([`write_atomic`]), renames into
//! place ([`rename`], [`rename_exchange`]), deletion that never leaves a root
//! ([`remove_tree_within`]), regular-file tree copies ([`copy_dir_regular`]), bounded reads of
//! the files berth parses ([`read_bounded`], per [`FileKind`]), locked staging files that
//! sweeps remove once their writer is gone ([`StagedFile`], [`sweep_staged`]), the
//! [`LockedFile`] cross-process lock guard and a cheap listing of subfolders
//! ([`subfolder_names`]). berth's other crates go through these instead of
//! `std::fs::{read, write, rename}`. The environment variables it reads are in [`env_vars`].

mod atomic;
mod bounded_read;
mod copy;
pub mod env_vars;
mod listing;
mod locked_file;
mod remove;
mod staged;

pub use atomic::{
    rename, rename_exchange, write_atomic, write_atomic_prefixed, write_atomic_with_mode,
};
pub use bounded_read::{
    BoundedReadError, FileKind, max_bytes_from_env_value, read_bounded, read_bounded_to_string,
    read_bounded_with_max,
};
pub use copy::{CopyError, CopyReport, copy_dir_regular};
pub use listing::subfolder_names;
pub use locked_file::{
    DEFAULT_LOCK_TIMEOUT, LOCK_TIMEOUT_ENV, LockError, LockedFile, lock_timeout_from_env_value,
};
pub use remove::remove_tree_within;
pub use staged::{StagedFile, StaleFile, sweep_staged};
