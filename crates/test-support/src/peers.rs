//! The Codex releases berth is checked against. Compatibility tests (the same home, installs
//! from `berth serve`, the smokes) run against every installed peer in [`CODEX_PEER_VERSIONS`];
//! golden comparisons (exact answers) stay on [`crate::CODEX_PEER_VERSION`]. `scripts/test`
//! installs each release once under `target/`.

use std::path::PathBuf;

use crate::{CODEX_PEER_VERSION, workspace_root};

/// Every Codex release the compatibility tests run against, the golden one first.
pub const CODEX_PEER_VERSIONS: &[&str] = &[CODEX_PEER_VERSION, "0.171.0"];

/// Path of the Codex binary inside an npm install of `@openai/codex`.
const NPM_BINARY: &str =
    "node_modules/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex";

/// One installed Codex release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodexPeer {
    /// Its version, e.g. `0.171.0`.
    pub version: &'static str,
    /// Its binary.
    pub bin: PathBuf,
}

/// The npm prefix a release is installed under: `target/codex-peer` for the golden one (where
/// it always was), `target/codex-peer-<version>` for the others.
pub fn codex_peer_prefix(version: &str) -> PathBuf {
    let target = workspace_root().join("target");
    if version == CODEX_PEER_VERSION {
        target.join("codex-peer")
    } else {
        target.join(format!("codex-peer-{version}"))
    }
}

/// The binary of `version` under its prefix.
pub fn codex_peer_bin(version: &str) -> PathBuf {
    codex_peer_prefix(version).join(NPM_BINARY)
}

/// Every installed peer of [`CODEX_PEER_VERSIONS`]. In CI (`CI` set) a missing one fails the
/// test instead of being skipped.
pub fn codex_peers() -> Vec<CodexPeer> {
    CODEX_PEER_VERSIONS
        .iter()
        .filter_map(|version| {
            let bin = codex_peer_bin(version);
            if bin.is_file() {
                return Some(CodexPeer { version, bin });
            }
            assert!(
                std::env::var_os("CI").is_none(),
                "the Codex peer {version} is missing at `{}`; scripts/test installs it with `npm install --prefix {} @openai/codex@{version}`",
                bin.display(),
                codex_peer_prefix(version).display()
            );
            None
        })
        .collect()
}

#[cfg(test)]
#[path = "peers_tests.rs"]
mod tests;
