//! Several server instances on one `PostgreSQL` database: concurrent installs and uninstalls sent
//! to both stay consistent (each server has its own pool and listener).

use berth_server::{PublishOptions, ServerConfig};
use pretty_assertions::assert_eq;
use reqwest::StatusCode;

use crate::support::{Backend, TestServer, database_url};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_postgres_database_agree_after_concurrent_installs() {
    let Some(Some(url)) = database_url(Backend::Postgres).await else {
        return;
    };
    let dir_a = tempfile::tempdir().unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    let config = |dir: &std::path::Path| {
        let mut config = ServerConfig::new(dir.join("data"));
        config.bind = "127.0.0.1:0".parse().unwrap();
        config.database_url = Some(url.clone());
        config
    };
    let config_a = config(dir_a.path());
    let config_b = config(dir_b.path());
    let a = TestServer::start_with(config_a, dir_a).await;
    // The second instance shares the database (and, here, reads bundles from the first's folder).
    let b_server = berth_server::start(config_b).await.unwrap();
    for index in 0..20 {
        a.publish(&format!("p{index:02}"), PublishOptions::default())
            .await;
    }
    let mut tasks = Vec::new();
    for round in 0..4 {
        // Each operation goes to both instances at the same time.
        for (index, api) in
            (0..20).flat_map(|index| [(index, a.api.clone()), (index, b_server.api_url.clone())])
        {
            let client = a.client.clone();
            let token = a.token.clone();
            let id = format!("plugins~Plugin_p{index:02}");
            // Rounds 0, 2 and 3 install, round 1 uninstalls: every plugin ends installed once.
            let path = if round == 1 {
                format!("{api}/plugins/{id}/uninstall")
            } else {
                format!("{api}/ps/plugins/{id}/install")
            };
            tasks.push(tokio::spawn(async move {
                let response = client
                    .post(path)
                    .bearer_auth(token)
                    .header("chatgpt-account-id", "acct-1")
                    .send()
                    .await
                    .unwrap();
                response.status()
            }));
        }
        for task in tasks.drain(..) {
            assert_eq!(task.await.unwrap(), StatusCode::OK);
        }
    }
    let installed = |api: String| {
        let client = a.client.clone();
        let token = a.token.clone();
        async move {
            let response = client
                .get(format!("{api}/ps/plugins/installed?limit=1000"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            let (_, body) = crate::support::decode(response).await;
            body["plugins"]
                .as_array()
                .unwrap()
                .iter()
                .map(|item| item["id"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    let from_a = installed(a.api.clone()).await;
    let from_b = installed(b_server.api_url.clone()).await;
    let expected: Vec<String> = (0..20)
        .map(|index| format!("plugins~Plugin_p{index:02}"))
        .collect();
    assert_eq!(from_a, expected);
    assert_eq!(from_b, expected);
    b_server.shutdown().await.unwrap();
    a.shutdown().await;
}
