use pretty_assertions::assert_eq;

use super::{FileKind, max_bytes_from_env_value};

#[test]
fn overrides_must_be_positive_byte_counts() {
    assert_eq!(
        max_bytes_from_env_value(FileKind::Config, None),
        8 * 1024 * 1024
    );
    assert_eq!(
        max_bytes_from_env_value(FileKind::Sidecar, Some(" 100 ")),
        100
    );
    assert_eq!(
        max_bytes_from_env_value(FileKind::Auth, Some("0")),
        1024 * 1024
    );
    assert_eq!(
        max_bytes_from_env_value(FileKind::Marketplace, Some("lots")),
        16 * 1024 * 1024
    );
}
