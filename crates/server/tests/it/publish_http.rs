//! Publishing over HTTP (`POST /berth/v1/plugins`): a publish token uploads a bundle, which is
//! validated exactly as clients will install it and refused, without a trace in storage or the
//! database, when it is oversized, truncated, unsafe or malformed, when the token may not
//! publish it, or when its version exists with other bytes. On both backends.

use std::io::Write as _;

use berth_server::TokenGrant;
use berth_service_protocol::TokenScope;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tar::{EntryType, Header};

use crate::on_both_backends;
use crate::support::{TestServer, write_file, write_plugin};

async fn token(
    server: &TestServer,
    account: &str,
    scopes: &[TokenScope],
    ids: Option<&[&str]>,
) -> String {
    if server.db.account(account).await.unwrap().is_none() {
        server.db.add_account(account, account).await.unwrap();
    }
    server
        .db
        .mint_token(&TokenGrant {
            account_id: account.to_owned(),
            scopes: scopes.iter().copied().collect(),
            plugin_ids: ids.map(|ids| ids.iter().map(|id| (*id).to_owned()).collect()),
            days: None,
            label: String::new(),
        })
        .await
        .unwrap()
        .token
}

async fn upload(
    server: &TestServer,
    token: &str,
    query: &str,
    bytes: Vec<u8>,
) -> (StatusCode, Value) {
    let origin = server.api.trim_end_matches("/backend-api");
    let response = server
        .client
        .post(format!("{origin}/berth/v1/plugins{query}"))
        .bearer_auth(token)
        .header("content-type", "application/gzip")
        .body(bytes)
        .send()
        .await
        .unwrap();
    crate::support::decode(response).await
}

/// The packed bundle of fixture plugin `name` at `version`, its skill saying `body`.
fn bundle(server: &TestServer, name: &str, version: &str, body: &str) -> (Vec<u8>, String) {
    let parent = server
        .dir
        .path()
        .join(format!("src-{name}-{version}-{}", body.len()));
    let root = write_plugin(&parent, name, version);
    write_file(
        &root.join("skills/triage/SKILL.md"),
        &format!("---\nname: triage\ndescription: Triage\n---\n{body}\n"),
    );
    let packed = berth_bundle::pack_plugin_dir(&root).unwrap();
    (packed.bytes, packed.sha256_hex)
}

/// A gzip tar with the entries given as (raw name, type, link target, data).
fn crafted(entries: &[(&str, EntryType, &str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, entry_type, link, data) in entries {
        let mut header = Header::new_old();
        header.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        header.as_old_mut().linkname[..link.len()].copy_from_slice(link.as_bytes());
        header.set_entry_type(*entry_type);
        header.set_mode(0o644);
        header.set_size(data.len() as u64);
        header.set_cksum();
        builder.append(&header, *data).unwrap();
    }
    let tar = builder.into_inner().unwrap();
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gzip.write_all(&tar).unwrap();
    gzip.finish().unwrap()
}

/// Everything the database and bundle storage hold, to show a refusal left no trace.
async fn trace(server: &TestServer) -> (usize, Vec<String>, usize) {
    let plugins = server.db.admin_plugins().await.unwrap().len();
    let bundles = server.db.referenced_bundles().await.unwrap();
    let staged =
        std::fs::read_dir(server.dir.path().join("data/staging")).map_or(0, Iterator::count);
    (plugins, bundles, staged)
}

on_both_backends!(
    a_publish_token_publishes_over_http_and_versions_are_immutable,
    false,
    |server| {
        let publisher = token(server, "ci", &[TokenScope::Publish], None).await;
        let (bytes, sha) = bundle(server, "tracker", "1.0.0", "first");
        let (status, body) = upload(server, &publisher, "?name=tracker", bytes.clone()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            body,
            json!({"id": "plugins~Plugin_tracker", "name": "tracker", "version": "1.0.0",
               "bundle_sha256": sha, "bundle_bytes": bytes.len(), "created": true})
        );
        let (_, item) = server
            .get("/ps/plugins/plugins~Plugin_tracker?includeDownloadUrls=true")
            .await;
        assert_eq!(item["release"]["bundle_sha256"], json!(sha));
        let url = item["release"]["bundle_download_url"]
            .as_str()
            .unwrap()
            .to_owned();
        let downloaded = server
            .client
            .get(url)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert_eq!(downloaded.as_ref(), bytes.as_slice());
        assert_eq!(
            server.db.releases("plugins~Plugin_tracker").await.unwrap()[0]
                .published_by
                .as_deref(),
            Some("ci")
        );

        // The same bytes again change nothing; other bytes under the same version are refused.
        let (status, body) = upload(server, &publisher, "", bytes).await;
        assert_eq!(
            (status, body["created"].clone()),
            (StatusCode::OK, json!(false))
        );
        let (changed, _) = bundle(server, "tracker", "1.0.0", "changed text");
        let before = trace(server).await;
        let (status, body) = upload(server, &publisher, "", changed).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("raise `version`"),
            "{body}"
        );
        assert_eq!(trace(server).await, before);

        // Another account's publish token may not publish a new version of it; an admin may.
        let other = token(server, "someone", &[TokenScope::Publish], None).await;
        let (v2, _) = bundle(server, "tracker", "2.0.0", "second");
        let (status, body) = upload(server, &other, "", v2.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let admin = token(server, "root", &[TokenScope::Admin], None).await;
        let (status, _) = upload(server, &admin, "", v2).await;
        assert_eq!(status, StatusCode::OK);
    }
);

on_both_backends!(refused_uploads_leave_no_trace, false, |server| {
    let publisher = token(server, "ci", &[TokenScope::Publish], None).await;
    let reader = token(server, "reader", &[TokenScope::Read], None).await;
    let limited = token(
        server,
        "limited",
        &[TokenScope::Publish],
        Some(&["plugins~Plugin_other"]),
    )
    .await;
    let (good, _) = bundle(server, "tracker", "1.0.0", "first");
    let manifest = br#"{"name":"tracker","version":"1.0.0"}"#;
    let truncated = good[..good.len() / 2].to_vec();
    let traversal = crafted(&[
        (
            ".codex-plugin/plugin.json",
            EntryType::Regular,
            "",
            manifest,
        ),
        ("../evil.txt", EntryType::Regular, "", b"x"),
    ]);
    let link = crafted(&[
        (
            ".codex-plugin/plugin.json",
            EntryType::Regular,
            "",
            manifest,
        ),
        ("secret", EntryType::Symlink, "/etc/passwd", b""),
    ]);
    let device = crafted(&[
        (
            ".codex-plugin/plugin.json",
            EntryType::Regular,
            "",
            manifest,
        ),
        ("fifo", EntryType::Fifo, "", b""),
    ]);
    let malformed = crafted(&[(
        ".codex-plugin/plugin.json",
        EntryType::Regular,
        "",
        b"{not json",
    )]);
    let bad_skill = crafted(&[
        (
            ".codex-plugin/plugin.json",
            EntryType::Regular,
            "",
            manifest,
        ),
        (
            "skills/x/SKILL.md",
            EntryType::Regular,
            "",
            b"---\nname: x\n---\nno description\n",
        ),
    ]);
    let oversized = {
        // Incompressible bytes past the 50 MiB clients accept.
        let mut noise = vec![0_u8; 51 * 1024 * 1024];
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for byte in &mut noise {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            *byte = state.to_le_bytes()[0];
        }
        noise
    };
    let cases: Vec<(&str, &str, &str, Vec<u8>, StatusCode)> = vec![
        (
            "a read token",
            &reader,
            "",
            good.clone(),
            StatusCode::FORBIDDEN,
        ),
        (
            "a plugin outside the allowance",
            &limited,
            "",
            good.clone(),
            StatusCode::FORBIDDEN,
        ),
        (
            "a name that differs",
            &publisher,
            "?name=other",
            good.clone(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "a truncated upload",
            &publisher,
            "",
            truncated,
            StatusCode::BAD_REQUEST,
        ),
        (
            "traversal",
            &publisher,
            "",
            traversal,
            StatusCode::BAD_REQUEST,
        ),
        ("a link", &publisher, "", link, StatusCode::BAD_REQUEST),
        ("a device", &publisher, "", device, StatusCode::BAD_REQUEST),
        (
            "a malformed manifest",
            &publisher,
            "",
            malformed,
            StatusCode::BAD_REQUEST,
        ),
        (
            "a skill without a description",
            &publisher,
            "",
            bad_skill,
            StatusCode::BAD_REQUEST,
        ),
        (
            "an empty upload",
            &publisher,
            "",
            Vec::new(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "an oversized upload",
            &publisher,
            "",
            oversized,
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
    ];
    let before = trace(server).await;
    for (what, token, query, bytes, expected) in cases {
        let (status, body) = upload(server, token, query, bytes).await;
        assert_eq!(status, expected, "{what}: {body}");
        assert!(body["error"]["message"].is_string(), "{what}: {body}");
        assert_eq!(trace(server).await, before, "{what} left a trace");
    }
    // The bundle a refused upload carried was never stored.
    let sha = berth_bundle::sha256_hex(&good);
    assert!(server.bundles.get(&sha).unwrap().is_none());
});
