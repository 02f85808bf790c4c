//! Tests for `comments`: removals keep comments that are not about the removed item.

use std::path::Path;

use pretty_assertions::assert_eq;

use crate::ConfigFile;

fn cleared(text: &str, key_path: &[&str]) -> String {
    let mut config = ConfigFile::parse(Path::new("config.toml"), text.into()).unwrap();
    assert!(config.clear_value(key_path).unwrap());
    config.render()
}

#[test]
fn the_files_opening_comment_survives_removing_the_first_key() {
    assert_eq!(
        cleared("# my config\nmodel = \"o3\" # why\nother = 1\n", &["model"]),
        "# my config\nother = 1\n"
    );
}

#[test]
fn a_comment_directly_above_a_removed_key_goes_with_it() {
    assert_eq!(
        cleared("a = 1\n# about b\nb = 2\nc = 3\n", &["b"]),
        "a = 1\nc = 3\n"
    );
}

#[test]
fn a_comment_separated_by_a_blank_line_moves_to_the_next_table() {
    assert_eq!(
        cleared(
            "[features]\nplugins = true\n# remote_plugin = true\n\n[plugins.\"a@b\"]\nenabled = true\n\n[plugins.\"a@b\".mcp_servers.s]\nenabled = false\n\n[other]\nx = 1\n",
            &["plugins", "a@b"]
        ),
        "[features]\nplugins = true\n# remote_plugin = true\n\n[other]\nx = 1\n"
    );
}

#[test]
fn a_detached_comment_before_the_last_table_moves_to_the_end_of_the_file() {
    assert_eq!(
        cleared("[a]\nx = 1\n# note\n\n[b]\ny = 2\n", &["b"]),
        "[a]\nx = 1\n\n# note\n"
    );
}

#[test]
fn a_detached_comment_before_a_removed_last_key_moves_to_the_next_header() {
    assert_eq!(
        cleared("[a]\nx = 1\n# note\n\ny = 2\n[b]\nz = 3\n", &["a", "y"]),
        "[a]\nx = 1\n# note\n[b]\nz = 3\n"
    );
}
