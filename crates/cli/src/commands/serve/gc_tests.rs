use std::time::Duration;

use pretty_assertions::assert_eq;

use super::{humanize, parse_age};

#[test]
fn ages_take_a_unit_and_print_back_the_same_way() {
    for (text, seconds) in [
        ("0", 0),
        ("90s", 90),
        ("30m", 1800),
        ("1h", 3600),
        ("2d", 172_800),
    ] {
        let age = parse_age(text).unwrap();
        assert_eq!(age, Duration::from_secs(seconds), "{text}");
        if seconds > 0 {
            assert_eq!(humanize(age), text);
        }
    }
}

#[test]
fn an_age_without_a_known_unit_is_refused_with_examples() {
    for text in ["", "1", "1w", "h", "-1h", "1.5h"] {
        assert_eq!(
            parse_age(text).unwrap_err(),
            format!("`{text}` is not an age; use e.g. `90s`, `30m`, `1h`, `2d` or `0`"),
        );
    }
}
