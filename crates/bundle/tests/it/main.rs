//! Integration tests for berth-bundle on real archives built in each test.

// `cfg(test)` lets the workspace's `allow-unwrap-in-tests` cover the shared helpers too.
#[cfg(test)]
mod archive;
#[cfg(test)]
mod extract;
#[cfg(test)]
mod fuzz;
#[cfg(test)]
mod pack;
