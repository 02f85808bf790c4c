use std::collections::BTreeMap;

use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use super::plugin_toggles;

fn path(text: &str) -> Vec<String> {
    text.split('.').map(str::to_owned).collect()
}

#[test]
fn the_three_toggle_shapes_are_found_and_the_last_write_wins() {
    let edits: Vec<(Vec<String>, Value)> = vec![
        (path("plugins.a@m.enabled"), json!(false)),
        (path("plugins.b@m"), json!({"enabled": true, "other": 1})),
        (
            path("plugins"),
            json!({"c@m": {"enabled": false}, "a@m": {"enabled": true}}),
        ),
        (path("plugins.d@m.enabled"), json!("yes")),
        (path("features.plugins"), json!(true)),
    ];
    let toggles = plugin_toggles(edits.iter().map(|(k, v)| (k.as_slice(), v)));
    assert_eq!(
        toggles,
        BTreeMap::from([
            ("a@m".to_owned(), true),
            ("b@m".to_owned(), true),
            ("c@m".to_owned(), false),
        ])
    );
}
