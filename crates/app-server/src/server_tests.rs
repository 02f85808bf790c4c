use pretty_assertions::assert_eq;

use super::*;

#[test]
fn the_ingress_limit_is_a_positive_integer_and_anything_else_is_the_default() {
    let limits: Vec<usize> = [
        None,
        Some("3"),
        Some(" 7 "),
        Some("0"),
        Some("-1"),
        Some("many"),
    ]
    .into_iter()
    .map(max_in_flight)
    .collect();
    assert_eq!(
        limits,
        vec![
            DEFAULT_MAX_IN_FLIGHT,
            3,
            7,
            DEFAULT_MAX_IN_FLIGHT,
            DEFAULT_MAX_IN_FLIGHT,
            DEFAULT_MAX_IN_FLIGHT
        ]
    );
}
