//! Every catalog endpoint: listing and pagination, reads with download URLs and bundle digests,
//! skills, install/uninstall, the startup calls Codex makes, and malformed requests.

use berth_server::PublishOptions;
use berth_service_protocol::{InstalledListResponse, ListResponse, Scope};
use pretty_assertions::assert_eq;
use reqwest::StatusCode;
use serde_json::json;

use crate::on_both_backends;
use crate::support::TestServer;

async fn list_ids(server: &TestServer, path: &str) -> (Vec<String>, Option<String>) {
    let (status, body) = server.get(path).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let list: ListResponse = serde_json::from_value(body).unwrap();
    (
        list.plugins.into_iter().map(|item| item.id).collect(),
        list.pagination.next_page_token,
    )
}

on_both_backends!(listing_pages_follow_stable_id_order, false, |server| {
    for name in ["echo", "alpha", "delta", "bravo", "charlie"] {
        server.publish(name, PublishOptions::default()).await;
    }
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &token {
            Some(token) => format!("/ps/plugins/list?scope=GLOBAL&limit=2&pageToken={token}"),
            None => "/ps/plugins/list?scope=GLOBAL&limit=2".to_owned(),
        };
        let (ids, next) = list_ids(server, &path).await;
        seen.extend(ids);
        pages += 1;
        token = next;
        if token.is_none() {
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(
        seen,
        ["alpha", "bravo", "charlie", "delta", "echo"]
            .map(|name| format!("plugins~Plugin_{name}"))
            .to_vec()
    );
    let (all, next) = list_ids(server, "/ps/plugins/list?scope=GLOBAL&limit=200").await;
    assert_eq!((all, next), (seen, None));
    for bad in [
        "/ps/plugins/list?limit=0",
        "/ps/plugins/list?limit=1001",
        "/ps/plugins/list?limit=x",
        "/ps/plugins/list?pageToken=../x",
        "/ps/plugins/list?scope=EVERYWHERE",
    ] {
        let (status, body) = server.get(bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert_eq!(body["error"]["code"], json!("bad_request"), "{bad}");
    }
});

on_both_backends!(
    read_includes_the_download_url_only_when_asked_and_the_bundle_matches_its_digest,
    false,
    |server| {
        let published = server.publish("linear", PublishOptions::default()).await;
        let (status, plain) = server.get("/ps/plugins/plugins~Plugin_linear").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(plain["release"].get("bundle_download_url"), None);
        let (_, with_urls) = server
            .get("/ps/plugins/plugins~Plugin_linear?includeDownloadUrls=true")
            .await;
        let sha = published.release.bundle_sha256.clone().unwrap();
        let url = with_urls["release"]["bundle_download_url"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(url, format!("{}/bundles/{sha}.tar.gz", server.api));
        assert_eq!(with_urls["release"]["bundle_sha256"], json!(sha));
        assert_eq!(with_urls["release"]["version"], json!("1.0.0"));
        assert_eq!(
            with_urls["release"]["display_name"],
            json!("linear display")
        );
        assert_eq!(
            with_urls["release"]["skills"],
            json!([{"name": "triage", "description": "Triage things"}])
        );
        assert_eq!(
            with_urls["release"]["mcp_servers"],
            json!([{"key": "tracker"}])
        );
        assert_eq!(
            with_urls["release"]["interface"]["default_prompts"],
            json!(["Do it"])
        );
        // Bundles need no credentials: Codex downloads them with a plain GET.
        let bytes = reqwest::get(&url).await.unwrap().bytes().await.unwrap();
        assert_eq!(berth_bundle::sha256_hex(&bytes), sha);
        let missing = reqwest::get(format!("{}/bundles/{}.tar.gz", server.api, "0".repeat(64)))
            .await
            .unwrap();
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        let bad = reqwest::get(format!("{}/bundles/..%2Fberth.db", server.api))
            .await
            .unwrap();
        assert_eq!(bad.status(), StatusCode::NOT_FOUND);
    }
);

on_both_backends!(
    install_and_uninstall_round_trip_through_the_installed_list,
    false,
    |server| {
        server.publish("linear", PublishOptions::default()).await;
        server
            .publish(
                "docs",
                PublishOptions {
                    scope: Scope::Workspace,
                    ..PublishOptions::default()
                },
            )
            .await;
        let (status, body) = server.get("/ps/plugins/installed?limit=200").await;
        assert_eq!(
            (status, body),
            (
                StatusCode::OK,
                json!({"plugins": [], "pagination": {"next_page_token": null}})
            )
        );

        let (status, body) = server
            .post("/ps/plugins/plugins~Plugin_linear/install?includeAppsNeedingAuth=true")
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            body,
            json!({"id": "plugins~Plugin_linear", "enabled": true, "app_ids_needing_auth": []})
        );
        let (status, _) = server
            .post("/ps/plugins/plugins~Plugin_linear/install")
            .await;
        assert_eq!(status, StatusCode::OK, "installing twice is idempotent");
        server
            .post("/ps/plugins/plugins~Plugin_ws_docs/install")
            .await;

        let (_, body) = server
            .get("/ps/plugins/installed?limit=200&includeDownloadUrls=true")
            .await;
        let installed: InstalledListResponse = serde_json::from_value(body).unwrap();
        let summary: Vec<_> = installed
            .plugins
            .iter()
            .map(|item| {
                (
                    item.item.id.clone(),
                    item.enabled,
                    item.item.release.bundle_download_url.is_some(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                ("plugins~Plugin_linear".to_owned(), true, true),
                ("plugins~Plugin_ws_docs".to_owned(), true, true),
            ]
        );
        let (_, body) = server
            .get("/ps/plugins/installed?scope=WORKSPACE&limit=200")
            .await;
        assert_eq!(body["plugins"].as_array().unwrap().len(), 1);
        assert_eq!(body["plugins"][0]["id"], json!("plugins~Plugin_ws_docs"));
        assert_eq!(body["plugins"][0]["disabled_skill_names"], json!([]));

        let (status, body) = server
            .post("/plugins/plugins~Plugin_linear/uninstall")
            .await;
        assert_eq!(
            (status, body),
            (
                StatusCode::OK,
                json!({"id": "plugins~Plugin_linear", "enabled": false})
            )
        );
        let (_, body) = server.get("/ps/plugins/installed?scope=GLOBAL").await;
        assert_eq!(body["plugins"], json!([]));
    }
);

on_both_backends!(skills_are_served_by_plugin_and_name, false, |server| {
    server.publish("linear", PublishOptions::default()).await;
    let (status, body) = server
        .get("/ps/plugins/plugins~Plugin_linear/skills/triage")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({
            "plugin_id": "plugins~Plugin_linear",
            "name": "triage",
            "skill_md_contents": "---\nname: triage\ndescription: Triage things\n---\nTriage carefully.\n"
        })
    );
    let (status, body) = server
        .get("/ps/plugins/plugins~Plugin_linear/skills/nope")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        body["error"]["message"],
        json!("plugin `plugins~Plugin_linear` has no skill `nope`")
    );
});

on_both_backends!(
    unknown_malformed_and_oversized_requests_get_json_errors,
    false,
    |server| {
        let (status, body) = server.get("/ps/plugins/plugins~Plugin_missing").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(
            body,
            json!({"error": {"code": "not_found", "message": "plugin `plugins~Plugin_missing` does not exist or is not visible to this account"}})
        );
        let (status, body) = server
            .post("/ps/plugins/plugins~Plugin_missing/install")
            .await;
        assert_eq!(
            (status, body["error"]["code"].clone()),
            (StatusCode::NOT_FOUND, json!("not_found"))
        );
        let (status, body) = server.get("/ps/plugins/%2E%2E%2Fx").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            body["error"]["message"],
            json!(
                "invalid plugin id `../x`: only ASCII letters, digits, `_`, `-`, and `~` are allowed"
            )
        );
        let (status, _) = server.post("/ps/plugins/a%20b/install").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, body) = server.get("/no/such/route").await;
        assert_eq!(
            (status, body["error"]["code"].clone()),
            (StatusCode::NOT_FOUND, json!("not_found"))
        );
        let oversized = "x".repeat(berth_server::MAX_BODY_BYTES + 1);
        let response = server
            .client
            .post(format!("{}/codex/analytics-events/events", server.api))
            .bearer_auth(&server.token)
            .body(oversized)
            .send()
            .await
            .unwrap();
        let (status, body) = crate::support::decode(response).await;
        assert_eq!(
            (status, body["error"]["code"].clone()),
            (StatusCode::PAYLOAD_TOO_LARGE, json!("payload_too_large"))
        );
    }
);

on_both_backends!(
    startup_calls_codex_makes_get_empty_answers_or_json_404,
    false,
    |server| {
        let (status, body) = server.get("/ps/plugins/suggested/codex?scope=GLOBAL").await;
        assert_eq!(
            (status, body),
            (
                StatusCode::OK,
                json!({"plugins": [], "pagination": {"next_page_token": null}})
            )
        );
        let (status, body) = server.get("/plugins/featured?platform=codex").await;
        assert_eq!((status, body), (StatusCode::OK, json!([])));
        let (status, _) = server.get("/wham/accounts/check").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = server.post("/ps/mcp").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, body) = server.get("/ps/plugins/workspace/shared?limit=200").await;
        assert_eq!(
            (status, body),
            (
                StatusCode::OK,
                json!({"plugins": [], "pagination": {"next_page_token": null}})
            )
        );
    }
);
