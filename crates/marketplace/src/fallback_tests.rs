use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use super::*;

fn entry(value: &Value) -> Map<String, Value> {
    value.as_object().unwrap().clone()
}

fn synthesise(value: &Value, category: Option<&str>) -> Option<Value> {
    let name = value["name"].as_str().unwrap();
    fallback_manifest(&entry(value), name, category)
        .map(|text| serde_json::from_str(&text).unwrap())
}

#[test]
fn entry_without_extra_fields_or_category_has_no_fallback_manifest() {
    let value = json!({"name": "x", "source": "./x", "policy": {}});
    assert_eq!(synthesise(&value, None), None);
}

#[test]
fn fallback_manifest_collects_extras_and_assembles_the_interface() {
    let value = json!({
        "name": "x",
        "source": "./x",
        "category": "Ignored here, passed separately",
        "version": "1.0.0",
        "description": "Does x",
        "displayName": "X Plugin",
        "author": {"name": "Ada", "email": "ada@example.com"},
        "homepage": "https://example.com/x",
        "interface": {"shortDescription": "Short", "category": "Overridden"}
    });
    assert_eq!(
        synthesise(&value, Some("Productivity")),
        Some(json!({
            "version": "1.0.0",
            "description": "Does x",
            "displayName": "X Plugin",
            "author": {"name": "Ada", "email": "ada@example.com"},
            "homepage": "https://example.com/x",
            "interface": {
                "shortDescription": "Short",
                "category": "Productivity",
                "displayName": "X Plugin",
                "developerName": "Ada",
                "websiteUrl": "https://example.com/x"
            },
            "name": "x",
            "category": "Productivity"
        }))
    );
}

#[test]
fn category_alone_yields_a_fallback_manifest() {
    let value = json!({"name": "x", "source": "./x"});
    assert_eq!(
        synthesise(&value, Some("Design")),
        Some(json!({"name": "x", "category": "Design", "interface": {"category": "Design"}}))
    );
}
