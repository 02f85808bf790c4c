//! TLS: a server started with `--tls-cert/--tls-key` answers https with a certificate from a test
//! CA generated here with `rcgen`.

use std::path::Path;

use berth_server::{LoopbackCa, ServerConfig};
use pretty_assertions::assert_eq;
use reqwest::StatusCode;

use crate::support::TestServer;

/// A test CA and a server certificate for `localhost` and `127.0.0.1`, written as PEM files.
pub(crate) fn write_test_ca(dir: &Path) -> LoopbackCa {
    berth_server::write_loopback_ca(dir).unwrap()
}

pub(crate) async fn start_tls_server(dev_mode: bool) -> (TestServer, LoopbackCa) {
    let dir = tempfile::tempdir().unwrap();
    let ca = write_test_ca(dir.path());
    let mut config = ServerConfig::new(dir.path().join("data"));
    config.bind = "127.0.0.1:0".parse().unwrap();
    config.tls = Some(ca.tls.clone());
    config.dev_mode = dev_mode;
    let mut server = TestServer::start_with(config, dir).await;
    // The harness's own client trusts the test CA too.
    let pem = std::fs::read(&ca.ca_pem).unwrap();
    server.client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
        .build()
        .unwrap();
    (server, ca)
}

#[tokio::test]
async fn https_serves_the_api_and_bundle_urls_with_a_test_ca() {
    let (mut server, ca) = start_tls_server(false).await;
    assert!(
        server.api.starts_with("https://127.0.0.1:"),
        "{}",
        server.api
    );
    let ca_cert = reqwest::Certificate::from_pem(&std::fs::read(&ca.ca_pem).unwrap()).unwrap();
    server.client = reqwest::Client::builder()
        .add_root_certificate(ca_cert)
        .build()
        .unwrap();
    server
        .publish("linear", berth_server::PublishOptions::default())
        .await;
    let (status, body) = server
        .get("/ps/plugins/plugins~Plugin_linear?includeDownloadUrls=true")
        .await;
    assert_eq!(status, StatusCode::OK);
    let url = body["release"]["bundle_download_url"].as_str().unwrap();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let bundle = server.client.get(url).send().await.unwrap();
    assert_eq!(bundle.status(), StatusCode::OK);
    let plain = reqwest::Client::new()
        .get(format!("{}/ps/plugins/list", server.api))
        .send()
        .await;
    assert!(plain.is_err(), "an untrusted certificate must be refused");
    server.shutdown().await;
}
