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
