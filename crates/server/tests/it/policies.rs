//! Installation policies, admin status, and visibility by scope, discoverability and shares.

use berth_server::PublishOptions;
use berth_service_protocol::{Discoverability, InstallationPolicy, Scope, Status};
use reqwest::StatusCode;
use serde_json::json;

use crate::on_both_backends;

on_both_backends!(policies_refuse_or_force_installs, false, |server| {
    server
        .publish(
            "locked",
            PublishOptions {
                installation_policy: InstallationPolicy::NotAvailable,
                ..PublishOptions::default()
            },
        )
        .await;
    server
        .publish(
            "banned",
            PublishOptions {
                status: Status::DisabledByAdmin,
                ..PublishOptions::default()
            },
        )
        .await;
    server
        .publish(
            "core",
            PublishOptions {
                installation_policy: InstallationPolicy::InstalledByDefault,
                ..PublishOptions::default()
            },
        )
        .await;
    let (status, body) = server
        .post("/ps/plugins/plugins~Plugin_locked/install")
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        body,
        json!({"error": {"code": "not_available", "message": "remote plugin plugins~Plugin_locked is not available for install"}})
    );
    let (status, body) = server
        .post("/ps/plugins/plugins~Plugin_banned/install")
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        body,
        json!({"error": {"code": "disabled_by_admin", "message": "remote plugin plugins~Plugin_banned is disabled by admin"}})
    );
    assert!(
        server
            .db
            .set_plugin_status("plugins~Plugin_banned", Status::Available)
            .await
            .unwrap()
    );
    let (status, _) = server
        .post("/ps/plugins/plugins~Plugin_banned/install")
        .await;
    assert_eq!(status, StatusCode::OK, "re-enabled by the admin");

    let other = server.add_account("acct-2").await;
    for (token, account) in [
        (server.token.as_str(), "acct-1"),
        (other.as_str(), "acct-2"),
    ] {
        let (_, body) = server
            .send_as("GET", "/ps/plugins/installed?limit=200", token, account)
            .await;
        let ids: Vec<_> = body["plugins"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].clone())
            .collect();
        assert!(
            ids.contains(&json!("plugins~Plugin_core")),
            "{account}: {ids:?}"
        );
        assert!(!ids.contains(&json!("plugins~Plugin_locked")));
    }
    let (status, body) = server.post("/plugins/plugins~Plugin_core/uninstall").await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::CONFLICT, json!("conflict"))
    );
});

on_both_backends!(
    visibility_follows_scope_discoverability_and_shares,
    false,
    |server| {
        let other = server.add_account("acct-2").await;
        let workspace = |discoverability, share_with: Vec<String>| PublishOptions {
            scope: Scope::Workspace,
            discoverability: Some(discoverability),
            owner_account_id: Some("acct-9".to_owned()),
            share_with,
            ..PublishOptions::default()
        };
        server
            .publish("listed", workspace(Discoverability::Listed, vec![]))
            .await;
        server
            .publish("unlisted", workspace(Discoverability::Unlisted, vec![]))
            .await;
        server
            .publish(
                "private",
                workspace(Discoverability::Private, vec!["acct-1".to_owned()]),
            )
            .await;
        server
            .publish(
                "mine",
                PublishOptions {
                    scope: Scope::User,
                    owner_account_id: Some("acct-1".to_owned()),
                    ..PublishOptions::default()
                },
            )
            .await;

        let ids = |body: serde_json::Value| -> Vec<String> {
            body["plugins"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["id"].as_str().unwrap().to_owned())
                .collect()
        };
        let (_, body) = server.get("/ps/plugins/list?scope=WORKSPACE").await;
        assert_eq!(ids(body), vec!["plugins~Plugin_ws_listed"]);
        let (_, body) = server.get("/ps/plugins/workspace/shared").await;
        assert_eq!(ids(body), vec!["plugins~Plugin_ws_private"]);
        let (_, body) = server.get("/ps/plugins/list?scope=USER").await;
        assert_eq!(ids(body), vec!["plugins~Plugin_acct-1_mine"]);
        let (_, body) = server
            .send_as("GET", "/ps/plugins/list?scope=USER", &other, "acct-2")
            .await;
        assert_eq!(ids(body), Vec::<String>::new());

        for (id, owner_sees, other_sees) in [
            ("plugins~Plugin_ws_unlisted", StatusCode::OK, StatusCode::OK),
            (
                "plugins~Plugin_ws_private",
                StatusCode::OK,
                StatusCode::NOT_FOUND,
            ),
            (
                "plugins~Plugin_acct-1_mine",
                StatusCode::OK,
                StatusCode::NOT_FOUND,
            ),
        ] {
            let path = format!("/ps/plugins/{id}");
            assert_eq!(server.get(&path).await.0, owner_sees, "{id}");
            assert_eq!(
                server.send_as("GET", &path, &other, "acct-2").await.0,
                other_sees,
                "{id}"
            );
            let install = format!("/ps/plugins/{id}/install");
            assert_eq!(
                server.send_as("POST", &install, &other, "acct-2").await.0,
                other_sees,
                "{id}"
            );
        }
    }
);
