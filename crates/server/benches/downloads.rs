//! Download benchmark of `berth serve` (issue 14): 64 concurrent downloads of one 40 MiB bundle
//! for 10 s, from the folder store (`SQLite`) and from the database store (`PostgreSQL`, when
//! `BERTH_TEST_POSTGRES_URL` names a server; a fresh database is created on it), against nginx
//! serving the same bytes as a plain file (`sendfile`), when nginx is installed. The server
//! runs as a child process (the release `berth` binary), so its peak memory is its own: the
//! bench reads `VmHWM` from `/proc/PID/status` after the load. Load comes from `wrk`.
//! Run: `cargo build --release -p berth-cli && cargo bench -p berth-server --bench downloads`
//! (`BERTH_BIN` names another `berth` binary).

#![expect(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "bench binary"
)]

#[path = "support/postgres.rs"]
mod postgres;

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use berth_server::{BundleStoreKind, ServerConfig};

const BUNDLE_BYTES: usize = 40 * 1024 * 1024;
const CONNECTIONS: usize = 64;
const DURATION: Duration = Duration::from_secs(10);

/// Bytes that do not compress, as a real bundle's.
fn noise(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect()
}

fn berth_bin() -> PathBuf {
    std::env::var_os("BERTH_BIN").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/release/berth"),
        PathBuf::from,
    )
}

/// A field of `/proc/PID/status` in KiB.
fn status_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// What `wrk` measured.
struct Load {
    requests_per_second: f64,
    transfer: String,
    p50: String,
    p99: String,
    errors: String,
}

fn wrk(url: &str) -> Load {
    let output = Command::new("wrk")
        .args([
            "-t2",
            &format!("-c{CONNECTIONS}"),
            "--latency",
            "--timeout",
            "30s",
        ])
        .arg(format!("-d{}s", DURATION.as_secs()))
        .arg(url)
        .output()
        .expect("wrk is needed (Debian package `wrk`)");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "wrk failed: {text}");
    let field = |prefix: &str| {
        text.lines()
            .find_map(|line| line.trim().strip_prefix(prefix))
            .map(|value| value.trim().to_owned())
            .unwrap_or_default()
    };
    Load {
        requests_per_second: field("Requests/sec:").parse().unwrap_or(0.0),
        transfer: field("Transfer/sec:"),
        p50: field("50%"),
        p99: field("99%"),
        errors: [field("Socket errors:"), field("Non-2xx or 3xx responses:")]
            .into_iter()
            .filter(|errors| !errors.is_empty())
            .collect::<Vec<_>>()
            .join("; "),
    }
}

fn report(label: &str, load: &Load, memory: Option<(u64, u64)>) {
    #[expect(clippy::cast_precision_loss, reason = "a rate")]
    let mib_per_second = load.requests_per_second * BUNDLE_BYTES as f64 / (1024.0 * 1024.0);
    let memory = memory.map_or_else(String::new, |(before, peak)| {
        format!(
            ", RSS {} MiB before, peak {} MiB",
            before / 1024,
            peak / 1024
        )
    });
    let errors = if load.errors.is_empty() {
        String::new()
    } else {
        format!(" (errors: {})", load.errors)
    };
    println!(
        "{label}: {:.1} downloads/s = {mib_per_second:.0} MiB/s (wrk: {}), latency p50 {} p99 {}{memory}{errors}",
        load.requests_per_second, load.transfer, load.p50, load.p99
    );
}

/// Stores the bundle with the library, then serves it from a `berth serve` child.
async fn bench_store(label: &str, database_url: Option<String>, bundle: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("serve");
    let mut config = ServerConfig::new(&data_dir);
    config.database_url.clone_from(&database_url);
    let (db, bundles) = berth_server::open_storage(&config).await.unwrap();
    let stored = bundles.put_bytes(bundle).await.unwrap();
    db.close().await;
    let expected_store = match config.effective_bundle_store() {
        BundleStoreKind::Folder => "folder",
        BundleStoreKind::Database => "database",
    };
    let mut command = Command::new(berth_bin());
    command
        .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(&data_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .env_remove("RUST_LOG");
    if let Some(url) = &database_url {
        command.args(["--database-url", url]);
    }
    let mut child: Child = command.spawn().unwrap();
    let mut banner = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut banner)
        .unwrap();
    let origin = banner
        .split("listening on ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .unwrap()
        .to_owned();
    let url = format!("{origin}/backend-api/bundles/{}.tar.gz", stored.sha256_hex);
    let check = reqwest::get(&url).await.unwrap().bytes().await.unwrap();
    assert_eq!(check.as_ref(), bundle, "the served bundle differs");
    let pid = child.id();
    let before = status_kib(pid, "VmRSS:");
    let load = tokio::task::spawn_blocking(move || wrk(&url))
        .await
        .unwrap();
    let peak = status_kib(pid, "VmHWM:");
    child.kill().unwrap();
    child.wait().unwrap();
    report(
        &format!("{label} ({expected_store} store)"),
        &load,
        Some((before, peak)),
    );
}

/// Serves `bundle` as a plain file from nginx (`sendfile`); `None` without nginx.
fn bench_nginx(bundle: &[u8]) -> Option<()> {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    std::fs::create_dir_all(root.join("logs")).unwrap();
    #[expect(clippy::disallowed_methods, reason = "bench fixture files")]
    std::fs::write(root.join("bundle.tar.gz"), bundle).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let conf = dir.path().join("nginx.conf");
    #[expect(clippy::disallowed_methods, reason = "bench fixture files")]
    std::fs::write(
        &conf,
        format!(
            "worker_processes 2;\npid {root}/nginx.pid;\nerror_log {root}/logs/error.log;\n\
             events {{ worker_connections 1024; }}\n\
             http {{ sendfile on; tcp_nopush on; access_log off; \
             client_body_temp_path {root}/tmp; proxy_temp_path {root}/tmp; \
             fastcgi_temp_path {root}/tmp; uwsgi_temp_path {root}/tmp; scgi_temp_path {root}/tmp; \
             server {{ listen 127.0.0.1:{port}; root {root}; }} }}\n",
            root = root.display()
        ),
    )
    .unwrap();
    let mut nginx = Command::new("nginx")
        .args(["-e", "stderr", "-p"])
        .arg(&root)
        .arg("-c")
        .arg(&conf)
        .args(["-g", "daemon off;"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    std::thread::sleep(Duration::from_millis(500));
    let load = wrk(&format!("http://127.0.0.1:{port}/bundle.tar.gz"));
    nginx.kill().unwrap();
    nginx.wait().unwrap();
    report("nginx, plain file (sendfile)", &load, None);
    Some(())
}

fn main() {
    let berth = berth_bin();
    if !berth.is_file() {
        println!(
            "no release `berth` at {}; run `cargo build --release -p berth-cli` first (or set BERTH_BIN)",
            berth.display()
        );
        return;
    }
    println!(
        "{CONNECTIONS} concurrent downloads of a {} MiB bundle for {}s, from wrk on loopback",
        BUNDLE_BYTES / (1024 * 1024),
        DURATION.as_secs()
    );
    let bundle = noise(BUNDLE_BYTES);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        bench_store("berth serve on SQLite", None, &bundle).await;
        if let Ok(base) = std::env::var("BERTH_TEST_POSTGRES_URL") {
            let name = format!("berth_bench_downloads_{}", std::process::id());
            let url = postgres::create_database(&base, &name).await;
            bench_store("berth serve on PostgreSQL", Some(url), &bundle).await;
        }
    });
    if bench_nginx(&bundle).is_none() {
        println!("nginx is not installed; no plain-file figure");
    }
}
