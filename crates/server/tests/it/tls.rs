//! TLS: a server started with `--tls-cert/--tls-key` answers https with a certificate from a test
//! CA generated here with `rcgen`.

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};

use berth_server::{ServerConfig, TlsPaths};
use pretty_assertions::assert_eq;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, SanType};
use reqwest::StatusCode;

use crate::support::TestServer;

/// A test CA and a server certificate for `localhost` and `127.0.0.1`, written as PEM files.
pub(crate) struct TestCa {
    pub(crate) ca_pem: PathBuf,
    pub(crate) tls: TlsPaths,
}

#[expect(clippy::disallowed_methods, reason = "test fixture files")]
pub(crate) fn write_test_ca(dir: &Path) -> TestCa {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "berth test CA");
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    params
        .subject_alt_names
        .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    let cert = params.signed_by(&key, &issuer).unwrap();
    let ca_pem = dir.join("ca.pem");
    let cert_path = dir.join("server.pem");
    let key_path = dir.join("server.key");
    std::fs::write(&ca_pem, ca_cert.pem()).unwrap();
    std::fs::write(&cert_path, cert.pem()).unwrap();
    std::fs::write(&key_path, key.serialize_pem()).unwrap();
    TestCa {
        ca_pem,
        tls: TlsPaths {
            cert: cert_path,
            key: key_path,
        },
    }
}

pub(crate) async fn start_tls_server(dev_mode: bool) -> (TestServer, TestCa) {
    let dir = tempfile::tempdir().unwrap();
    let ca = write_test_ca(dir.path());
    let mut config = ServerConfig::new(dir.path().join("data"));
    config.bind = "127.0.0.1:0".parse().unwrap();
    config.tls = Some(ca.tls.clone());
    config.dev_mode = dev_mode;
    (TestServer::start_with(config, dir).await, ca)
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
