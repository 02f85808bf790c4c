use pretty_assertions::assert_eq;
use serde_json::json;

use super::*;

#[test]
fn plugin_key_prefers_the_backend_id_then_the_local_id() {
    assert_eq!(
        plugin_key(
            &json!({"plugin_id": "linear@openai-curated-remote", "remote_plugin_id": "plugins~Plugin_linear"})
        ),
        Some("plugins~Plugin_linear".to_owned())
    );
    assert_eq!(
        plugin_key(&json!({"plugin_id": "sample@debug", "remote_plugin_id": null})),
        Some("sample@debug".to_owned())
    );
    assert_eq!(
        plugin_key(&json!({"plugin_id": "sample@debug", "remote_plugin_id": ""})),
        Some("sample@debug".to_owned())
    );
    assert_eq!(plugin_key(&json!({"thread_id": "t"})), None);
    assert_eq!(plugin_key(&json!({"plugin_id": 7})), None);
}

#[test]
fn plugin_keys_and_models_are_cut_to_a_bounded_length() {
    let long = "é".repeat(1000);
    let key = plugin_key(&json!({ "plugin_id": long })).unwrap();
    assert_eq!(key.chars().count(), MAX_KEY_CHARS);
    assert_eq!(
        model_of(&json!({ "model_slug": long })).chars().count(),
        MAX_MODEL_CHARS
    );
    assert_eq!(model_of(&json!({})), "");
}

#[test]
fn upserts_number_four_parameters_per_row() {
    assert_eq!(
        upsert_sql("t (a, b, c, d)", "(a) DO NOTHING", 2),
        "INSERT INTO t (a, b, c, d) VALUES ($1, $2, $3, $4), ($5, $6, $7, $8) ON CONFLICT (a) DO NOTHING"
    );
}

#[test]
fn key_filters_cover_all_some_or_no_keys() {
    assert_eq!(key_filter("k", KeyScope::All, 3), " AND k <> ''");
    assert_eq!(key_filter("k", KeyScope::Only(&[]), 3), " AND 1 = 0");
    let keys = ["a".to_owned(), "b".to_owned()];
    assert_eq!(
        key_filter("k", KeyScope::Only(&keys), 3),
        " AND k IN ($3, $4)"
    );
}
