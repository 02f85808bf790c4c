//! Tests for `file`: loading, parse errors, versions and saving.

use std::fmt::Write as _;
use std::io::Write as _;

use pretty_assertions::assert_eq;
use sha2::{Digest as _, Sha256};

use super::*;

fn write_file(path: &Path, text: &str) {
    let mut file = fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .open(path)
        .unwrap();
    file.write_all(text.as_bytes()).unwrap();
}

#[test]
fn a_missing_file_loads_as_an_empty_document_with_the_empty_hash() {
    let dir = tempfile::tempdir().unwrap();
    let config = ConfigFile::load(&dir.path().join("config.toml")).unwrap();
    assert_eq!(config.render(), "");
    assert_eq!(
        config.version(),
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
}

#[test]
fn the_version_is_the_sha256_of_the_bytes_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    let text = "# mine\nmodel = \"o3\"\n";
    write_file(&path, text);
    let config = ConfigFile::load(&path).unwrap();
    let expected = Sha256::digest(text.as_bytes())
        .iter()
        .fold(String::new(), |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        });
    assert_eq!(config.version(), format!("sha256:{expected}"));
}

#[test]
fn rendering_an_unedited_file_gives_back_its_exact_text() {
    let text = "# top comment\n\nmodel   =  'o3'   # trailing\n\n[plugins.\"a@b\"]\nenabled=false\n\n\n[ features ]\nplugins = true\n";
    let config = ConfigFile::parse(Path::new("config.toml"), text.as_bytes().to_vec()).unwrap();
    assert_eq!(config.render(), text);
    assert!(!config.is_modified());
}

#[test]
fn a_parse_error_names_the_file_line_and_column() {
    let text = "model = \"o3\"\n\n[plugins]\nfoo = = 1\n";
    let err = ConfigFile::parse(Path::new("/home/me/.codex/config.toml"), text.into()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "failed to parse `/home/me/.codex/config.toml` at line 4, column 7: invalid string; expected `\"`, `'`; fix the file by hand, berth will not overwrite it"
    );
    let ConfigError::Parse { line, column, .. } = err else {
        panic!("expected a parse error, got {err:?}");
    };
    assert_eq!((line, column), (4, 7));
}

#[test]
fn line_and_column_count_characters_not_bytes() {
    assert_eq!(line_and_column("é = 1\nxyz", 0), (1, 1));
    assert_eq!(line_and_column("é = 1\nxyz", 2), (1, 2));
    assert_eq!(line_and_column("é = 1\nxyz", 8), (2, 2));
    assert_eq!(line_and_column("ab", 99), (1, 3));
}

#[test]
fn a_file_that_is_not_utf8_is_an_error_naming_it() {
    let err = ConfigFile::parse(Path::new("config.toml"), vec![b'a', 0xff]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "`config.toml` is not valid UTF-8; fix the file by hand, berth will not overwrite it"
    );
}

#[test]
fn saving_creates_the_missing_codex_home_and_returns_the_new_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("home").join("config.toml");
    let mut config = ConfigFile::load(&path).unwrap();
    config.set_plugin_enabled("sample@debug", true).unwrap();
    let version = config.save().unwrap();
    let bytes = fs::read(&path).unwrap();
    assert_eq!(
        String::from_utf8(bytes.clone()).unwrap(),
        "[plugins.\"sample@debug\"]\nenabled = true\n"
    );
    assert_eq!(version, version_of(&bytes));
    assert_eq!(config.version(), version);
    assert!(!config.is_modified());
}

#[test]
fn saving_an_unchanged_document_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    let mut config = ConfigFile::load(&path).unwrap();
    let version = config.save().unwrap();
    assert!(!path.exists());
    assert_eq!(version, version_of(b""));
}

#[cfg(unix)]
#[test]
fn saving_keeps_the_existing_file_mode() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    write_file(&path, "model = \"o3\"\n");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
    let mut config = ConfigFile::load(&path).unwrap();
    config.set_plugin_enabled("a@b", false).unwrap();
    config.save().unwrap();
    let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
}
