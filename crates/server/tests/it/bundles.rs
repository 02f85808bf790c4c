//! Bundle storage and downloads, on every store (the folder and the database on `SQLite`, the
//! database on `PostgreSQL`): a bundle streams back byte for byte with its `ETag` and immutable
//! caching, `If-None-Match` answers 304, byte ranges (across chunk boundaries too) answer 206 so
//! an interrupted download resumes, an unsatisfiable range 416; two instances on one
//! `PostgreSQL` with no shared folder serve a bundle as soon as one of them stored it; leftovers
//! of killed uploads are swept when a server starts, uploads in progress are not.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use berth_server::{BundleStoreKind, CHUNK_BYTES, STAGED_PREFIX, ServerConfig};
use berth_service_protocol::TokenScope;
use pretty_assertions::assert_eq;
use reqwest::StatusCode;
use reqwest::header::{
    ACCEPT_RANGES, CACHE_CONTROL, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, ETAG,
};

use crate::publish_http::{bundle, token, upload};
use crate::support::{Backend, TestServer, database_url};

/// Deterministic bytes that do not compress, `len` of them.
pub(crate) fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect()
}

/// A server on `backend` storing bundles in `store`; `None` without `PostgreSQL` here.
pub(crate) async fn server_with_store(
    backend: Backend,
    store: BundleStoreKind,
) -> Option<TestServer> {
    let database_url = database_url(backend).await?;
    let dir = tempfile::tempdir().unwrap();
    let mut config = ServerConfig::new(dir.path().join("data"));
    config.bind = "127.0.0.1:0".parse().unwrap();
    config.database_url = database_url;
    config.bundle_store = Some(store);
    Some(TestServer::start_with(config, dir).await)
}

/// Runs `$body` on each store: the folder and the database on `SQLite`, the database on
/// `PostgreSQL`.
macro_rules! on_every_store {
    ($name:ident, |$server:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[allow(unused_imports)]
            use pretty_assertions::assert_eq;

            async fn scenario($server: &TestServer) $body

            async fn run(backend: Backend, store: BundleStoreKind) {
                let Some(server) = server_with_store(backend, store).await else {
                    return;
                };
                scenario(&server).await;
                server.shutdown().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn in_a_folder_on_sqlite() {
                run(Backend::Sqlite, BundleStoreKind::Folder).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn in_the_database_on_sqlite() {
                run(Backend::Sqlite, BundleStoreKind::Database).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn in_the_database_on_postgres() {
                run(Backend::Postgres, BundleStoreKind::Database).await;
            }
        }
    };
}
pub(crate) use on_every_store;

/// Stores `bytes` as a bundle; returns its URL and quoted tag.
async fn stored(server: &TestServer, bytes: &[u8]) -> (String, String) {
    let stored = server.bundles.put_bytes(bytes).await.unwrap();
    assert!(stored.newly_stored);
    assert_eq!(stored.sha256_hex, berth_bundle::sha256_hex(bytes));
    (
        format!("{}/bundles/{}.tar.gz", server.api, stored.sha256_hex),
        format!("\"{}\"", stored.sha256_hex),
    )
}

fn header(response: &reqwest::Response, name: &reqwest::header::HeaderName) -> String {
    response
        .headers()
        .get(name)
        .unwrap_or_else(|| panic!("no `{name}` header"))
        .to_str()
        .unwrap()
        .to_owned()
}

on_every_store!(
    a_bundle_streams_back_whole_with_its_tag_and_immutable_caching,
    |server| {
        let bytes = noise(4 * CHUNK_BYTES + 1234, 1);
        let (url, etag) = stored(server, &bytes).await;
        let response = server.client.get(&url).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(header(&response, &ETAG), etag);
        assert_eq!(header(&response, &CONTENT_TYPE), "application/gzip");
        assert_eq!(
            header(&response, &CACHE_CONTROL),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(header(&response, &ACCEPT_RANGES), "bytes");
        assert_eq!(header(&response, &CONTENT_LENGTH), bytes.len().to_string());
        assert_eq!(response.bytes().await.unwrap().as_ref(), bytes.as_slice());

        // HEAD: the same headers, no body.
        let head = server.client.head(&url).send().await.unwrap();
        assert_eq!(head.status(), StatusCode::OK);
        assert_eq!(header(&head, &CONTENT_LENGTH), bytes.len().to_string());
        assert_eq!(header(&head, &ETAG), etag);
        assert!(head.bytes().await.unwrap().is_empty());

        // Storing the same bytes again keeps one copy.
        let again = server.bundles.put_bytes(&bytes).await.unwrap();
        assert!(!again.newly_stored);
        let listed = server.bundles.list().await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].bytes, bytes.len() as u64);

        let missing = server
            .client
            .get(format!("{}/bundles/{}.tar.gz", server.api, "0".repeat(64)))
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    }
);

on_every_store!(if_none_match_with_the_tag_answers_not_modified, |server| {
    let bytes = noise(1000, 2);
    let (url, etag) = stored(server, &bytes).await;
    let cached = server
        .client
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(cached.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header(&cached, &ETAG), etag);
    assert!(cached.bytes().await.unwrap().is_empty());
    let other = server
        .client
        .get(&url)
        .header("if-none-match", "\"something-else\"")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::OK);
    assert_eq!(other.bytes().await.unwrap().len(), bytes.len());
});

on_every_store!(byte_ranges_answer_partial_content_across_chunks, |server| {
    let size = 3 * CHUNK_BYTES + 77;
    let bytes = noise(size, 3);
    let (url, etag) = stored(server, &bytes).await;
    let boundary = CHUNK_BYTES;
    let cases = [
        (
            format!("bytes={}-{}", boundary - 10, boundary + 9),
            boundary - 10,
            boundary + 9,
        ),
        (
            format!("bytes={}-", 2 * boundary + 5),
            2 * boundary + 5,
            size - 1,
        ),
        ("bytes=-100".to_owned(), size - 100, size - 1),
        ("bytes=0-0".to_owned(), 0, 0),
        (format!("bytes=10-{}", size * 2), 10, size - 1),
    ];
    for (range, start, end) in cases {
        let response = server
            .client
            .get(&url)
            .header("range", &range)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT, "{range}");
        assert_eq!(
            header(&response, &CONTENT_RANGE),
            format!("bytes {start}-{end}/{size}"),
            "{range}"
        );
        assert_eq!(header(&response, &ETAG), etag);
        assert_eq!(
            response.bytes().await.unwrap().as_ref(),
            &bytes[start..=end],
            "{range}"
        );
    }

    let past_the_end = server
        .client
        .get(&url)
        .header("range", format!("bytes={size}-"))
        .send()
        .await
        .unwrap();
    assert_eq!(past_the_end.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(
        header(&past_the_end, &CONTENT_RANGE),
        format!("bytes */{size}")
    );

    // A partial copy of other bytes (another tag in If-Range) gets the whole bundle.
    let stale = server
        .client
        .get(&url)
        .header("range", "bytes=0-9")
        .header("if-range", "\"other\"")
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::OK);
    assert_eq!(stale.bytes().await.unwrap().len(), size);
});

on_every_store!(an_interrupted_download_resumes_where_it_stopped, |server| {
    let bytes = noise(5 * CHUNK_BYTES, 4);
    let (url, etag) = stored(server, &bytes).await;
    // Read part of the body, then drop the connection, as a client cut off does.
    let mut response = server.client.get(&url).send().await.unwrap();
    let mut received = Vec::new();
    while received.len() < 2 * CHUNK_BYTES + 1 {
        received.extend_from_slice(&response.chunk().await.unwrap().unwrap());
    }
    drop(response);
    let resumed = server
        .client
        .get(&url)
        .header("range", format!("bytes={}-", received.len()))
        .header("if-range", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(resumed.status(), StatusCode::PARTIAL_CONTENT);
    received.extend_from_slice(&resumed.bytes().await.unwrap());
    assert_eq!(berth_bundle::sha256_hex(&received), etag.trim_matches('"'));
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bundle_published_over_http_through_one_instance_downloads_from_another_at_once() {
    let Some(Some(url)) = database_url(Backend::Postgres).await else {
        return;
    };
    // Each instance has its own data folder: nothing on disk is shared.
    let config = |dir: &Path| {
        let mut config = ServerConfig::new(dir.join("data"));
        config.bind = "127.0.0.1:0".parse().unwrap();
        config.database_url = Some(url.clone());
        config
    };
    let dir_a = tempfile::tempdir().unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    let config_b = config(dir_b.path());
    let a = TestServer::start_with(config(dir_a.path()), dir_a).await;
    let b = berth_server::start(config_b).await.unwrap();
    assert!(
        b.bundle_store.contains("PostgreSQL database"),
        "{}",
        b.bundle_store
    );

    // Published over HTTP through the first instance, as a plugin author does.
    let publisher = token(&a, "ci", &[TokenScope::Publish], None).await;
    let (bytes, sha) = bundle(&a, "shared", "1.0.0", "Shared.");
    let (status, body) = upload(&a, &publisher, "", bytes.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["bundle_sha256"], sha.as_str());
    // The second instance offers it at once, with its own download URL.
    let (status, item) = a
        .send_as(
            "GET",
            "/ps/plugins/plugins~Plugin_shared?includeDownloadUrls=true",
            &a.token,
            &a.account,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{item}");
    let via_b = reqwest::Client::new()
        .get(format!(
            "{}/ps/plugins/plugins~Plugin_shared?includeDownloadUrls=true",
            b.api_url
        ))
        .bearer_auth(&a.token)
        .send()
        .await
        .unwrap();
    let (status, item) = crate::support::decode(via_b).await;
    assert_eq!(status, StatusCode::OK, "{item}");
    assert_eq!(
        item["release"]["bundle_download_url"],
        format!("{}/bundles/{sha}.tar.gz", b.api_url).as_str()
    );
    let from_b = a
        .client
        .get(format!("{}/bundles/{sha}.tar.gz", b.api_url))
        .send()
        .await
        .unwrap();
    assert_eq!(from_b.status(), StatusCode::OK);
    assert_eq!(from_b.bytes().await.unwrap().as_ref(), bytes.as_slice());
    assert!(
        !dir_b.path().join("data/bundles").exists(),
        "the second instance wrote a bundle folder"
    );
    b.shutdown().await.unwrap();
    a.shutdown().await;
}

/// Starts a process that holds the lock of the staged file `path`, as an upload in progress
/// does, and waits until it does.
pub(crate) fn hold_staged_file(path: &Path) -> Child {
    let ready = path.with_extension("ready");
    let child = Command::new("sh")
        .args([
            "-c",
            "exec 9<\"$0\" && flock 9 && touch \"$1\" && exec sleep 60",
        ])
        .arg(path)
        .arg(&ready)
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !ready.exists() {
        assert!(Instant::now() < deadline, "the lock holder never started");
        std::thread::sleep(Duration::from_millis(10));
    }
    std::fs::remove_file(&ready).unwrap();
    child
}

/// Makes two staged uploads in `dir`: one whose writer was killed, one still being written by
/// a live process (returned, to kill at the end).
pub(crate) fn killed_and_live_uploads(dir: &Path) -> (PathBuf, PathBuf, Child) {
    std::fs::create_dir_all(dir).unwrap();
    let killed = dir.join(format!("{STAGED_PREFIX}killed"));
    let live = dir.join(format!("{STAGED_PREFIX}live"));
    for path in [&killed, &live] {
        #[expect(clippy::disallowed_methods, reason = "test fixture")]
        std::fs::write(path, noise(3000, 5)).unwrap();
    }
    let mut writer = hold_staged_file(&killed);
    writer.kill().unwrap();
    writer.wait().unwrap();
    (killed, live.clone(), hold_staged_file(&live))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_starting_server_sweeps_killed_uploads_and_keeps_those_in_progress() {
    for store in [BundleStoreKind::Folder, BundleStoreKind::Database] {
        let dir = tempfile::tempdir().unwrap();
        let mut config = ServerConfig::new(dir.path().join("data"));
        config.bind = "127.0.0.1:0".parse().unwrap();
        config.bundle_store = Some(store);
        let staging = match store {
            BundleStoreKind::Folder => config.bundle_dir(),
            BundleStoreKind::Database => config.staging_dir(),
        };
        let (killed, live, mut writer) = killed_and_live_uploads(&staging);
        let server = berth_server::start(config).await.unwrap();
        assert!(!killed.exists(), "{store}: a killed upload was left");
        assert!(live.exists(), "{store}: an upload in progress was swept");
        server.shutdown().await.unwrap();
        writer.kill().unwrap();
        writer.wait().unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switching_to_the_database_store_copies_the_folder_bundles_releases_reference() {
    // A deployment from before the database store kept its bundles in the folder.
    let dir = tempfile::tempdir().unwrap();
    let mut config = ServerConfig::new(dir.path().join("data"));
    config.bind = "127.0.0.1:0".parse().unwrap();
    config.bundle_store = Some(BundleStoreKind::Folder);
    let before = TestServer::start_with(config.clone(), tempfile::tempdir().unwrap()).await;
    let published = before
        .publish("kept", berth_server::PublishOptions::default())
        .await;
    let sha = published.release.bundle_sha256.unwrap();
    let stray = noise(1000, 6);
    before.bundles.put_bytes(&stray).await.unwrap();
    before.shutdown().await;

    config.bundle_store = Some(BundleStoreKind::Database);
    let after = berth_server::start(config.clone()).await.unwrap();
    let response = reqwest::get(format!("{}/bundles/{sha}.tar.gz", after.api_url))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        berth_bundle::sha256_hex(&response.bytes().await.unwrap()),
        sha
    );
    after.shutdown().await.unwrap();
    let (db, bundles) = berth_server::open_storage(&config).await.unwrap();
    let stored: Vec<String> = bundles
        .list()
        .await
        .unwrap()
        .into_iter()
        .map(|entry| entry.sha256_hex)
        .collect();
    // Only what a release references is copied.
    assert_eq!(stored, vec![sha]);
    db.close().await;
}
