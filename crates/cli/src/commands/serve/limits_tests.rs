use super::*;

#[test]
fn sizes_take_binary_and_decimal_units() {
    assert_eq!(parse_bytes("1024"), Ok(1024));
    assert_eq!(parse_bytes("8MiB"), Ok(8 * 1024 * 1024));
    assert_eq!(parse_bytes("1 KB"), Ok(1000));
    assert!(
        parse_bytes("lots")
            .unwrap_err()
            .contains("`lots` is not a size")
    );
}

#[test]
fn seconds_may_be_fractional_but_not_zero() {
    assert_eq!(parse_seconds("0.5"), Ok(Duration::from_millis(500)));
    assert_eq!(parse_seconds("10"), Ok(Duration::from_secs(10)));
    assert!(parse_seconds("0").is_err());
    assert!(parse_seconds("-1").is_err());
    assert!(parse_seconds("soon").is_err());
}
