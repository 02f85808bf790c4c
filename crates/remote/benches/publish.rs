//! Benchmark of publishing over HTTP (issue 14): a prepacked 40 MiB bundle uploaded to a real
//! `berth serve` on 127.0.0.1 with `ServiceClient::publish` (what `berth publish --service`
//! does) against `curl --data-binary` of the same bytes to the same endpoint with the same token
//! (target: at most 1.5 times curl's time). Packing the plugin folder is timed apart.
//! Run: `cargo bench -p berth-remote --bench publish`.

#![expect(
    clippy::unwrap_used,
    clippy::print_stdout,
    clippy::cast_precision_loss,
    reason = "benchmark binary: failures abort, results are printed"
)]

use std::process::Command;
use std::time::{Duration, Instant};

use berth_remote::ServiceClient;
use berth_server::{ServerConfig, TokenGrant};
use berth_service_protocol::{PublishQuery, TokenScope};

const BUNDLE_MIB: usize = 40;
const ROUNDS: usize = 5;

/// A plugin folder with `BUNDLE_MIB` MiB of incompressible data.
fn write_plugin(root: &std::path::Path) {
    std::fs::create_dir_all(root.join(".codex-plugin")).unwrap();
    std::fs::create_dir_all(root.join("skills/big")).unwrap();
    #[expect(clippy::disallowed_methods, reason = "bench fixture")]
    {
        std::fs::write(
            root.join(".codex-plugin/plugin.json"),
            r#"{"name":"big","version":"1.0.0","description":"A big plugin"}"#,
        )
        .unwrap();
        std::fs::write(
            root.join("skills/big/SKILL.md"),
            "---\nname: big\ndescription: Big data\n---\nUse the data.\n",
        )
        .unwrap();
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let data: Vec<u8> = (0..BUNDLE_MIB * 1024 * 1024 - 64 * 1024)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state.to_le_bytes()[0]
            })
            .collect();
        std::fs::write(root.join("data.bin"), data).unwrap();
    }
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("big");
    write_plugin(&root);
    let started = Instant::now();
    let packed = berth_bundle::pack_plugin_dir(&root).unwrap();
    let packing = started.elapsed();
    let bundle = dir.path().join("big.tar.gz");
    #[expect(clippy::disallowed_methods, reason = "bench fixture")]
    std::fs::write(&bundle, &packed.bytes).unwrap();
    println!(
        "packing {} files into {:.1} MiB: {packing:.2?}",
        packed.files.len(),
        packed.bytes.len() as f64 / 1_048_576.0
    );

    runtime.block_on(async {
        let mut config = ServerConfig::new(dir.path().join("data"));
        config.bind = "127.0.0.1:0".parse().unwrap();
        let (db, _) = berth_server::open_storage(&config).await.unwrap();
        db.add_account("ci", "ci").await.unwrap();
        let token = db
            .mint_token(&TokenGrant {
                account_id: "ci".to_owned(),
                scopes: [TokenScope::Publish].into(),
                plugin_ids: None,
                days: None,
                label: String::new(),
            })
            .await
            .unwrap()
            .token;
        let server = berth_server::start(config).await.unwrap();
        let origin = server.api_url.trim_end_matches("/backend-api").to_owned();
        let client = ServiceClient::new(&origin, &token).unwrap();
        // The first upload registers the release; every later one (either tool) carries the
        // same bytes through the same validation and storage, and changes nothing.
        client
            .publish(packed.bytes.clone(), &PublishQuery::default())
            .await
            .unwrap();
        let mut berth = Vec::new();
        let mut curl = Vec::new();
        for _ in 0..ROUNDS {
            let started = Instant::now();
            let answer = client
                .publish(packed.bytes.clone(), &PublishQuery::default())
                .await
                .unwrap();
            berth.push(started.elapsed());
            assert!(!answer.created);
            let started = Instant::now();
            let status = Command::new("curl")
                .args(["-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST"])
                .arg("-H")
                .arg(format!("Authorization: Bearer {token}"))
                .args(["-H", "Content-Type: application/gzip", "--data-binary"])
                .arg(format!("@{}", bundle.display()))
                .arg(format!("{origin}/berth/v1/plugins"))
                .output()
                .unwrap();
            curl.push(started.elapsed());
            assert_eq!(String::from_utf8_lossy(&status.stdout), "200");
        }
        let (berth, curl) = (median(berth), median(curl));
        println!(
            "publishing the prepacked bundle over HTTP (median of {ROUNDS}): berth {berth:.2?}, \
             curl --data-binary {curl:.2?}, ratio {:.2} (target <= 1.5)",
            berth.as_secs_f64() / curl.as_secs_f64()
        );
        server.shutdown().await.unwrap();
        db.close().await;
    });
}
