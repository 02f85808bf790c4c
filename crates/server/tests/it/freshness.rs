//! The in-memory catalog never serves a stale answer: a change committed through another
//! database connection (as `berth publish` and `berth serve status` make) is in the very next
//! response, also while many other requests are in flight.

use std::sync::Arc;

use berth_server::{BundleStore, PublishOptions};
use berth_service_protocol::Status;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::{TestServer, write_plugin};

/// Publishes `name` at `version` from a fresh folder through the test's own connection.
async fn publish_version(server: &TestServer, name: &str, version: &str) {
    let parent = server.dir.path().join(format!("src-{name}-{version}"));
    let root = write_plugin(&parent, name, version);
    let bundles: Arc<dyn BundleStore> = Arc::clone(&server.bundles);
    berth_server::publish_plugin(&server.db, bundles, &root, PublishOptions::default())
        .await
        .unwrap();
}

fn ids(page: &Value) -> Vec<String> {
    page["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_str().unwrap().to_owned())
        .collect()
}

on_both_backends!(
    catalog_changes_from_another_connection_show_in_the_next_response,
    false,
    |server| {
        let read = "/ps/plugins/plugins~Plugin_alpha";
        let (status, _) = server.get(read).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        publish_version(server, "alpha", "1.0.0").await;
        let (status, item) = server.get(read).await;
        assert_eq!(
            (status, &item["release"]["version"]),
            (StatusCode::OK, &json!("1.0.0"))
        );

        publish_version(server, "alpha", "2.0.0").await;
        let (_, item) = server.get(read).await;
        assert_eq!(item["release"]["version"], json!("2.0.0"));
        let (_, page) = server.get("/ps/plugins/list").await;
        assert_eq!(ids(&page), vec!["plugins~Plugin_alpha"]);

        assert!(
            server
                .db
                .set_plugin_status("plugins~Plugin_alpha", Status::DisabledByAdmin)
                .await
                .unwrap()
        );
        let (status, body) = server.post(&format!("{read}/install")).await;
        assert_eq!(
            (status, &body["error"]["code"]),
            (StatusCode::FORBIDDEN, &json!("disabled_by_admin"))
        );
        assert!(
            !server
                .db
                .set_plugin_status("plugins~Plugin_nope", Status::Available)
                .await
                .unwrap()
        );
    }
);

on_both_backends!(
    readers_in_flight_while_plugins_are_published_see_each_one_at_once_and_never_lose_one,
    false,
    |server| {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut readers = Vec::new();
        for _ in 0..8 {
            let client = server.client.clone();
            let url = format!("{}/ps/plugins/list?limit=1000", server.api);
            let token = server.token.clone();
            let account = server.account.clone();
            let stop = Arc::clone(&stop);
            readers.push(tokio::spawn(async move {
                let mut seen = 0;
                let mut reads = 0;
                while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    let page: Value = client
                        .get(&url)
                        .bearer_auth(&token)
                        .header("chatgpt-account-id", &account)
                        .send()
                        .await
                        .unwrap()
                        .json()
                        .await
                        .unwrap();
                    let count = page["plugins"].as_array().unwrap().len();
                    assert!(count >= seen, "a reader saw {count} plugins after {seen}");
                    seen = count;
                    reads += 1;
                }
                reads
            }));
        }
        for index in 0..20 {
            let name = format!("p{index:02}");
            publish_version(server, &name, "1.0.0").await;
            let (status, _) = server
                .get(&format!("/ps/plugins/plugins~Plugin_{name}"))
                .await;
            assert_eq!(
                status,
                StatusCode::OK,
                "{name} not visible right after its publish"
            );
        }
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        for reader in readers {
            assert!(reader.await.unwrap() > 0);
        }
        let (_, page) = server.get("/ps/plugins/list?limit=1000").await;
        assert_eq!(ids(&page).len(), 20);
    }
);
