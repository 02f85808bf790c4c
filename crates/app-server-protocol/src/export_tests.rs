use pretty_assertions::assert_eq;

use super::json_schemas;

#[test]
fn plugin_summary_schema_names_the_codex_fields() {
    let schemas = json_schemas();
    let (_, list) = schemas
        .iter()
        .find(|(name, _)| *name == "v2/PluginListResponse")
        .unwrap();
    let summary = &list["$defs"]["PluginSummary"]["properties"];
    let mut fields: Vec<&str> = summary
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        vec![
            "authPolicy",
            "availability",
            "disabledReason",
            "eligiblePlanTypes",
            "enabled",
            "id",
            "installPolicy",
            "installPolicySource",
            "installed",
            "installedAt",
            "interface",
            "keywords",
            "localVersion",
            "mustShowInstallationInterstitial",
            "name",
            "remotePluginId",
            "shareContext",
            "source",
            "version",
        ]
    );
}

#[test]
fn every_schema_has_a_unique_name() {
    let schemas = json_schemas();
    let mut names: Vec<_> = schemas.iter().map(|(name, _)| *name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), schemas.len());
}

fn schema(name: &str) -> serde_json::Value {
    json_schemas()
        .into_iter()
        .find(|(stem, _)| *stem == name)
        .unwrap()
        .1
}

#[test]
fn the_agent_message_delta_and_marketplace_kinds_match_codex_0_169_0() {
    let delta = schema("v2/AgentMessageDeltaNotification");
    let list = schema("v2/PluginListParams");
    let kind = &list["$defs"]["PluginListMarketplaceKind"];
    // Documented variants are a `oneOf` of `const`s; plain ones an `enum`.
    let kinds: Vec<serde_json::Value> = kind["oneOf"].as_array().map_or_else(
        || kind["enum"].as_array().cloned().unwrap_or_default(),
        |variants| variants.iter().map(|v| v["const"].clone()).collect(),
    );
    assert_eq!(
        (delta["required"].clone(), serde_json::Value::from(kinds)),
        (
            serde_json::json!(["threadId", "turnId", "itemId", "delta"]),
            serde_json::json!([
                "local",
                "vertical",
                "workspace-directory",
                "shared-with-me",
                "created-by-me-remote"
            ])
        )
    );
}
