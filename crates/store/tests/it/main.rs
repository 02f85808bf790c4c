//! Integration tests for berth-store over real temp `CODEX_HOME`s.

// `cfg(test)` lets the workspace's `allow-unwrap-in-tests` cover the shared helpers too.
#[cfg(test)]
mod concurrency;
#[cfg(test)]
mod fixture;
#[cfg(test)]
mod install;
#[cfg(test)]
mod layout;
#[cfg(test)]
mod recovery;
#[cfg(test)]
mod sidecar;
#[cfg(test)]
mod uninstall;
