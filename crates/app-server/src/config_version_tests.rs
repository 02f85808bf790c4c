use std::path::Path;

use berth_config::ConfigFile;
use pretty_assertions::assert_eq;

use super::codex_config_version;

fn version(text: &str) -> String {
    codex_config_version(&ConfigFile::parse(Path::new("c.toml"), text.as_bytes().to_vec()).unwrap())
}

#[test]
fn the_version_is_what_codex_0_169_reports_for_the_same_file() {
    // Observed from `codex app-server` after disabling `sample@debug`.
    assert_eq!(
        version("[plugins.\"sample@debug\"]\nenabled = false\n"),
        "sha256:1f814347456fbdb07b61727ba499608207f6fc629e5352efa2449d5d95539ad9"
    );
    assert_eq!(
        version("[plugins.\"sample@debug\"]\nenabled = true\n"),
        "sha256:361e64c2055a697bb48538540c40b2518437c3c47fe3168b057d79fd7d3873cb"
    );
}

#[test]
fn formatting_and_key_order_do_not_change_the_version() {
    assert_eq!(
        version("b = 1\na = 2\n"),
        version("# note\na = 2\n\nb   = 1\n")
    );
}
