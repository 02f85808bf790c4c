use super::*;

#[test]
fn since_takes_rfc3339_times_and_dates() {
    assert_eq!(parse_since("2026-12-01T09:00:00Z"), Ok(1_796_115_600));
    assert_eq!(parse_since("2026-12-01T10:00:00+01:00"), Ok(1_796_115_600));
    assert_eq!(parse_since("2026-12-01"), Ok(1_796_083_200));
    assert!(parse_since("yesterday").unwrap_err().contains("RFC 3339"));
}

#[test]
fn times_print_as_rfc3339_utc() {
    assert_eq!(iso_time(1_796_115_600), "2026-12-01T09:00:00Z");
}

#[test]
fn long_params_are_cut() {
    let params = serde_json::json!({"text": "x".repeat(500)});
    let short = short_params(&params);
    assert_eq!(short.chars().count(), PARAMS_WIDTH + 1);
    assert!(short.ends_with('…'));
}
