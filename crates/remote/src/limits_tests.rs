use pretty_assertions::assert_eq;

use super::ClientLimits;

#[test]
fn overrides_replace_defaults_and_bad_values_are_ignored() {
    let limits = ClientLimits::from_lookup(|name| match name {
        "BERTH_MAX_RESPONSE_BYTES" => Some("1024".to_owned()),
        "BERTH_MAX_REMOTE_PAGES" => Some("0".to_owned()),
        "BERTH_MAX_REMOTE_ITEMS" => Some("many".to_owned()),
        _ => None,
    });
    assert_eq!(
        limits,
        ClientLimits {
            max_response_bytes: 1024,
            ..ClientLimits::default()
        }
    );
}
