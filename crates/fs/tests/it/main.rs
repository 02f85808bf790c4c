//! Integration tests for berth-fs: atomic writes, renames, locks, safe deletion and copies.

// `cfg(test)` lets the workspace's `allow-unwrap-in-tests` cover the shared helpers too.
#[cfg(test)]
mod atomic;
#[cfg(test)]
mod bounded_read;
#[cfg(test)]
mod copy;
#[cfg(test)]
mod deep_copy;
#[cfg(test)]
mod fixture;
#[cfg(test)]
mod locked_file;
#[cfg(test)]
mod remove;
