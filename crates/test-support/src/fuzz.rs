//! Strategies shared by the property-based fuzz tests of berth's parsers: random JSON
//! documents built from a parser's own field names and a chosen set of leaf strings, so the
//! generated inputs reach the parser's branches instead of failing at the first key.

use proptest::prelude::*;
use serde_json::{Map, Value};

/// JSON values up to 4 levels deep whose object keys come from `keys` and whose strings come
/// from `text`, with nulls, booleans and integers mixed in.
pub fn json_with_keys(
    keys: &'static [&'static str],
    text: impl Strategy<Value = String> + 'static,
) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        text.prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(keys), inner), 0..6).prop_map(|fields| {
                Value::Object(
                    fields
                        .into_iter()
                        .map(|(key, value)| (key.to_owned(), value))
                        .collect::<Map<_, _>>(),
                )
            }),
        ]
    })
}
