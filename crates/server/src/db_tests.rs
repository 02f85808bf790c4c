use pretty_assertions::assert_eq;

use super::*;

#[test]
fn redact_url_hides_the_password_only() {
    assert_eq!(
        redact_url("postgres://berth:secret@127.0.0.1:5432/berth"),
        "postgres://berth:***@127.0.0.1:5432/berth"
    );
    assert_eq!(redact_url("sqlite:///tmp/x.db"), "sqlite:///tmp/x.db");
}

#[test]
fn token_hashes_are_lowercase_hex_sha256() {
    assert_eq!(
        hash_token("abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}
