use pretty_assertions::assert_eq;
use serde_json::json;

use super::*;

fn linear() -> DirectoryItem {
    DirectoryItem {
        id: "plugins~Plugin_linear".to_owned(),
        name: "linear".to_owned(),
        scope: Scope::Global,
        discoverability: None,
        creator_account_user_id: None,
        creator_name: None,
        share_url: None,
        share_principals: Vec::new(),
        installation_policy: InstallationPolicy::Available,
        authentication_policy: AuthenticationPolicy::OnUse,
        status: Status::Available,
        release: Release {
            version: Some("0.1.4".to_owned()),
            display_name: "Linear".to_owned(),
            description: Some("Issues".to_owned()),
            bundle_download_url: Some("https://example.test/b/abc.tar.gz".to_owned()),
            bundle_sha256: Some("abc".to_owned()),
            app_ids: vec!["asdk_app_1".to_owned()],
            keywords: vec!["issues".to_owned()],
            skills: vec![SkillSummary {
                name: "triage".to_owned(),
                description: Some("Triage issues".to_owned()),
                interface: None,
            }],
            mcp_servers: vec![McpServerRef {
                key: "linear".to_owned(),
            }],
            ..Release::default()
        },
    }
}

#[test]
fn directory_item_serializes_with_the_spec_field_names() {
    let value = serde_json::to_value(linear()).unwrap();
    assert_eq!(
        value,
        json!({
            "id": "plugins~Plugin_linear",
            "name": "linear",
            "scope": "GLOBAL",
            "discoverability": null,
            "creator_account_user_id": null,
            "creator_name": null,
            "share_url": null,
            "share_principals": [],
            "installation_policy": "AVAILABLE",
            "authentication_policy": "ON_USE",
            "status": "AVAILABLE",
            "release": {
                "version": "0.1.4",
                "display_name": "Linear",
                "description": "Issues",
                "bundle_download_url": "https://example.test/b/abc.tar.gz",
                "bundle_sha256": "abc",
                "app_ids": ["asdk_app_1"],
                "app_templates": [],
                "keywords": ["issues"],
                "interface": {"capabilities": [], "default_prompts": [], "screenshot_urls": []},
                "skills": [{"name": "triage", "description": "Triage issues"}],
                "mcp_servers": [{"key": "linear"}]
            }
        })
    );
}

#[test]
fn installed_item_flattens_the_directory_fields_and_round_trips() {
    let installed = InstalledItem {
        item: linear(),
        enabled: true,
        disabled_skill_names: vec!["triage".to_owned()],
    };
    let value = serde_json::to_value(&installed).unwrap();
    assert_eq!(value["id"], json!("plugins~Plugin_linear"));
    assert_eq!(value["enabled"], json!(true));
    assert_eq!(value["disabled_skill_names"], json!(["triage"]));
    let back: InstalledItem = serde_json::from_value(value).unwrap();
    assert_eq!(back, installed);
}

#[test]
fn decoding_tolerates_unknown_fields_aliases_and_missing_optionals() {
    let item: DirectoryItem = serde_json::from_value(json!({
        "id": "plugins~Plugin_x",
        "name": "x",
        "scope": "WORKSPACE",
        "discoverability": "UNLISTED",
        "status": "ENABLED",
        "future_field": {"anything": 1},
        "release": {
            "display_name": "X",
            "unavailable_app_templates": [{"template_id": "t1", "reason": "no access"}],
            "interface": {"short_description": "s", "new_thing": true}
        }
    }))
    .unwrap();
    assert_eq!(item.status, Status::Available);
    assert_eq!(item.installation_policy, InstallationPolicy::Available);
    assert_eq!(item.discoverability, Some(Discoverability::Unlisted));
    assert_eq!(
        item.release.app_templates,
        vec![AppTemplate {
            template_id: Some("t1".to_owned()),
            reason: Some("no access".to_owned()),
            ..AppTemplate::default()
        }]
    );
    assert_eq!(
        item.release.interface.short_description.as_deref(),
        Some("s")
    );
}

#[test]
fn enum_wire_names_parse_back() {
    for scope in Scope::ALL {
        assert_eq!(Scope::parse(scope.as_str()), Some(scope));
        assert_eq!(serde_json::to_value(scope).unwrap(), json!(scope.as_str()));
    }
    for policy in InstallationPolicy::ALL {
        assert_eq!(InstallationPolicy::parse(policy.as_str()), Some(policy));
        assert_eq!(
            serde_json::to_value(policy).unwrap(),
            json!(policy.as_str())
        );
    }
    for value in Discoverability::ALL {
        assert_eq!(Discoverability::parse(value.as_str()), Some(value));
    }
    for value in AuthenticationPolicy::ALL {
        assert_eq!(AuthenticationPolicy::parse(value.as_str()), Some(value));
    }
    assert_eq!(Status::parse("ENABLED"), Some(Status::Available));
    assert_eq!(
        Status::parse("DISABLED_BY_ADMIN"),
        Some(Status::DisabledByAdmin)
    );
    assert_eq!(Scope::parse("global"), None);
}

#[test]
fn list_and_mutation_responses_have_the_spec_shapes() {
    let list = ListResponse {
        plugins: Vec::new(),
        pagination: Pagination {
            next_page_token: None,
        },
    };
    assert_eq!(
        serde_json::to_value(list).unwrap(),
        json!({"plugins": [], "pagination": {"next_page_token": null}})
    );
    let install: InstallResponse =
        serde_json::from_value(json!({"id": "a", "enabled": true})).unwrap();
    assert_eq!(install.app_ids_needing_auth, Vec::<String>::new());
    assert_eq!(
        serde_json::to_value(UninstallResponse {
            id: "a".to_owned(),
            enabled: false
        })
        .unwrap(),
        json!({"id": "a", "enabled": false})
    );
    assert_eq!(
        serde_json::to_value(ErrorBody::new("not_found", "no plugin `a`")).unwrap(),
        json!({"error": {"code": "not_found", "message": "no plugin `a`"}})
    );
    assert_eq!(paths::uninstall("a"), "/plugins/a/uninstall");
    assert_eq!(paths::skill("a", "b"), "/ps/plugins/a/skills/b");
}

#[test]
fn release_description_is_always_on_the_wire_because_codex_requires_it() {
    let release = Release::default();
    let json = serde_json::to_value(&release).unwrap();
    assert_eq!(json["description"], serde_json::json!(""));
    let back: Release = serde_json::from_value(json).unwrap();
    assert_eq!(back.description, None);
    let described: Release =
        serde_json::from_value(serde_json::json!({"description": "Issues"})).unwrap();
    assert_eq!(described.description.as_deref(), Some("Issues"));
}
