//! Benchmark of remote plugins against the real `berth serve` on 127.0.0.1:
//! - installing a 40 MiB bundle with `install_remote_plugin` (download, SHA-256, extract,
//!   install, sidecar, service call) against `curl URL | tar -xz` of the same bundle
//!   (target: at most 1.3 times its time);
//! - the startup sync of 1,000 installed, already-current remote plugins (target: no download,
//!   at most 5 service requests, under 300 ms).
//!
//! Bundle URLs are plain http on loopback, which berth accepts only in builds with debug
//! assertions, so run it as
//! `CARGO_PROFILE_BENCH_DEBUG_ASSERTIONS=true cargo bench -p berth-remote --bench remote`
//! (optimised code, debug assertions on).

#![expect(
    clippy::unwrap_used,
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::cast_precision_loss,
    reason = "benchmark binary: failures abort, results are printed"
)]

#[path = "../tests/it/serve.rs"]
#[expect(dead_code, reason = "shared with the integration tests")]
mod serve;

use std::path::Path;
use std::process::Command;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use berth_plugin::PluginId;
use berth_remote::{
    BundleUrlPolicy, NoProgress, install_remote_plugin, sync_remote_installed_plugin_bundles,
};
use berth_server::PublishOptions;
use berth_store::PluginStore;

use crate::serve::{Serve, plugin_source};

const POLICY: BundleUrlPolicy = BundleUrlPolicy {
    allow_http_loopback: true,
};
const BUNDLE_BYTES: usize = 40 * 1024 * 1024;
const RUNS: usize = 7;
const SYNC_PLUGINS: usize = 1000;

fn main() {
    if !cfg!(debug_assertions) {
        eprintln!(
            "berth only downloads plain-http loopback bundles with debug assertions; run with CARGO_PROFILE_BENCH_DEBUG_ASSERTIONS=true"
        );
        std::process::exit(2);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(bench_install());
    runtime.block_on(bench_sync());
}

/// Fills `len` bytes with xorshift output, which gzip cannot shrink.
fn incompressible(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut bytes = Vec::with_capacity(len + 8);
    while bytes.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        bytes.extend_from_slice(&state.to_le_bytes());
    }
    bytes.truncate(len);
    bytes
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

async fn bench_install() {
    let serve = Serve::start().await;
    let temp = tempfile::tempdir().unwrap();
    let source = plugin_source(temp.path(), "big", "1.0.0");
    #[expect(clippy::disallowed_methods, reason = "benchmark fixture")]
    std::fs::write(source.join("data.bin"), incompressible(BUNDLE_BYTES)).unwrap();
    let remote_id = serve.publish(&source, PublishOptions::default()).await;
    let bundle_path = serve.bundle_files().pop().unwrap();
    let bundle_size = std::fs::metadata(&bundle_path).unwrap().len();
    let client = serve.client(&temp.path().join("auth-home"));
    let url = client
        .get_plugin(&remote_id, true)
        .await
        .unwrap()
        .release
        .bundle_download_url
        .unwrap();

    let mut berth = Vec::new();
    let mut curl = Vec::new();
    for run in 0..RUNS {
        let home = temp.path().join(format!("home-{run}"));
        let client = serve.client(&home);
        let store = PluginStore::try_new(&home).unwrap();
        let started = Instant::now();
        install_remote_plugin(&client, &store, &remote_id, POLICY, &NoProgress)
            .await
            .unwrap();
        berth.push(started.elapsed());

        let out = temp.path().join(format!("curl-{run}"));
        std::fs::create_dir_all(&out).unwrap();
        let started = Instant::now();
        let status = Command::new("sh")
            .arg("-c")
            .arg(format!("curl -sf '{url}' | tar -xz -C '{}'", out.display()))
            .status()
            .unwrap();
        curl.push(started.elapsed());
        assert!(status.success());
        assert!(out.join("data.bin").is_file());
    }
    let berth = median(berth);
    let curl = median(curl);
    println!(
        "remote install of a {:.1} MiB bundle ({} MiB extracted), median of {RUNS}: berth {berth:?}, curl | tar -xz {curl:?}, ratio {:.2} (target <= 1.30)",
        bundle_size as f64 / 1024.0 / 1024.0,
        BUNDLE_BYTES / 1024 / 1024,
        berth.as_secs_f64() / curl.as_secs_f64()
    );
}

async fn bench_sync() {
    let serve = Serve::start().await;
    let temp = tempfile::tempdir().unwrap();
    let home = temp.path().join("home");
    let client = serve.client(&home);
    let store = PluginStore::try_new(&home).unwrap();
    let started = Instant::now();
    for index in 0..SYNC_PLUGINS {
        let name = format!("p{index:04}");
        let remote_id = serve
            .publish_global(&plugin_source(temp.path(), &name, "1.0.0"))
            .await;
        client.install(&remote_id).await.unwrap();
        let plugin_id = PluginId::parse(&format!("{name}@openai-curated-remote")).unwrap();
        materialise(&store, &plugin_id, &remote_id);
    }
    eprintln!(
        "published, installed and cached {SYNC_PLUGINS} plugins in {:?}",
        started.elapsed()
    );
    let mut samples = Vec::new();
    let mut requests = 0;
    for _ in 0..RUNS {
        let before = serve.counters.api_requests.load(Ordering::SeqCst);
        let started = Instant::now();
        let outcome = sync_remote_installed_plugin_bundles(&client, &store, POLICY, &NoProgress)
            .await
            .unwrap();
        samples.push(started.elapsed());
        requests = serve.counters.api_requests.load(Ordering::SeqCst) - before;
        assert_eq!(outcome.backfilled_plugin_ids.len(), SYNC_PLUGINS);
        assert!(!outcome.changed_local_cache());
    }
    println!(
        "startup sync of {SYNC_PLUGINS} current plugins, median of {RUNS}: {:?}, {requests} service requests, {} downloads (targets: < 300 ms, <= 5, 0)",
        median(samples),
        serve.downloads()
    );
}

/// Puts `plugin_id` at version 1.0.0 in the cache with its sidecar, as a previous install
/// would have.
fn materialise(store: &PluginStore, plugin_id: &PluginId, remote_id: &str) {
    let root = store.plugin_root(plugin_id, "1.0.0");
    std::fs::create_dir_all(root.join(".codex-plugin")).unwrap();
    write_manifest(&root, plugin_id.plugin_name());
    store.write_remote_plugin_id(plugin_id, remote_id).unwrap();
}

#[expect(clippy::disallowed_methods, reason = "benchmark fixture")]
fn write_manifest(root: &Path, name: &str) {
    std::fs::write(
        root.join(".codex-plugin/plugin.json"),
        format!(r#"{{"name":"{name}","version":"1.0.0"}}"#),
    )
    .unwrap();
}
