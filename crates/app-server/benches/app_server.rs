//! Benchmark: `berth app-server` (this crate's server binary) side by side with Codex
//! 0.169.0's `codex app-server` on the same 200-plugin home: process start to the
//! `initialize` answer, the first `plugin/list`, and 200 `plugin/install` calls over one
//! connection (each server on its own fresh home). Target (issue 6): berth at most half of
//! Codex on each.
//!
//! Run: `cargo bench -p berth-app-server --bench app_server`. Homes live in
//! `$BERTH_BENCH_DIR`, else the system temp folder (file creation next to a busy cargo target
//! dir is slow).

#![expect(clippy::print_stdout, reason = "a benchmark reports on stdout")]
#![expect(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::disallowed_methods,
    reason = "benchmark harness"
)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Stdio};
use std::time::{Duration, Instant};

use berth_test_support::{MarketplaceFixture, TestHome, codex_bin};
use serde_json::{Value, json};

const PLUGINS: usize = 200;
const FILES_PER_PLUGIN: usize = 22;
const STARTS: usize = 15;

struct Client {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    next_id: i64,
}

impl Client {
    fn spawn(home: &TestHome, program: &Path) -> Self {
        let mut command = home.command(program);
        command
            .arg("app-server")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = command.spawn().expect("spawn the app server");
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Self {
            child,
            stdin,
            stdout,
            next_id: 0,
        }
    }

    fn call(&mut self, method: &str, params: &Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let line = json!({"id": id, "method": method, "params": params}).to_string();
        self.stdin.write_all(line.as_bytes()).unwrap();
        self.stdin.write_all(b"\n").unwrap();
        self.stdin.flush().unwrap();
        let mut buffer = String::new();
        loop {
            buffer.clear();
            assert!(
                self.stdout.read_line(&mut buffer).unwrap() > 0,
                "server exited"
            );
            let message: Value = serde_json::from_str(&buffer).unwrap();
            if message.get("id") == Some(&json!(id)) && message.get("method").is_none() {
                if let Some(result) = message.get("result") {
                    return result.clone();
                }
                panic!("{method} failed: {message}");
            }
        }
    }

    fn initialize(&mut self) {
        self.call(
            "initialize",
            &json!({"clientInfo": {"name": "berth_bench", "title": null, "version": "0.0.0"}}),
        );
        self.stdin
            .write_all(b"{\"method\":\"initialized\"}\n")
            .unwrap();
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort_unstable();
    times[times.len() / 2]
}

fn build_marketplace(root: &Path) -> PathBuf {
    let mut fixture = MarketplaceFixture::new(root, "bench");
    for index in 0..PLUGINS {
        fixture = fixture.plugin(
            &format!("plugin-{index:03}"),
            Some("1.0.0"),
            FILES_PER_PLUGIN,
        );
    }
    fixture.root().to_path_buf()
}

fn record_marketplace(home: &TestHome, market: &Path) {
    std::fs::write(
        home.config_path(),
        format!(
            "[marketplaces.bench]\nsource_type = \"local\"\nsource = \"{}\"\n",
            market.display()
        ),
    )
    .unwrap();
}

/// Time of 200 installs over one connection on a fresh home.
fn installs(base: &Path, market: &Path, program: &Path) -> (Duration, TestHome) {
    let home = TestHome::new_in(base);
    record_marketplace(&home, market);
    let mut client = Client::spawn(&home, program);
    client.initialize();
    let file = market.join(".agents/plugins/marketplace.json");
    let start = Instant::now();
    for index in 0..PLUGINS {
        client.call(
            "plugin/install",
            &json!({"marketplacePath": file, "pluginName": format!("plugin-{index:03}")}),
        );
    }
    let elapsed = start.elapsed();
    drop(client);
    (elapsed, home)
}

/// Medians of start → `initialize` answer and of the first `plugin/list`.
fn starts(home: &TestHome, program: &Path) -> (Duration, Duration) {
    let mut initialize = Vec::new();
    let mut list = Vec::new();
    for _ in 0..STARTS {
        let start = Instant::now();
        let mut client = Client::spawn(home, program);
        client.initialize();
        initialize.push(start.elapsed());
        let start = Instant::now();
        let listed = client.call("plugin/list", &json!({}));
        list.push(start.elapsed());
        let count: usize = listed["marketplaces"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["plugins"].as_array().unwrap().len())
            .sum();
        assert_eq!(count, PLUGINS, "plugin/list must see the whole home");
    }
    (median(&mut initialize), median(&mut list))
}

fn main() {
    let berth = PathBuf::from(env!("CARGO_BIN_EXE_berth-app-server"));
    let base = std::env::var_os("BERTH_BENCH_DIR")
        .map_or_else(|| std::env::temp_dir().join("berth-bench"), PathBuf::from);
    std::fs::create_dir_all(&base).unwrap();
    let market_dir = tempfile::tempdir_in(&base).unwrap();
    let market = build_marketplace(market_dir.path());
    println!(
        "home: {PLUGINS} plugins x {FILES_PER_PLUGIN} files, in {}",
        base.display()
    );
    let (berth_installs, home) = installs(&base, &market, &berth);
    let (berth_init, berth_list) = starts(&home, &berth);
    println!(
        "berth: start to initialize {:.2} ms, first plugin/list {:.2} ms, {PLUGINS} installs {:.0} ms",
        ms(berth_init),
        ms(berth_list),
        ms(berth_installs)
    );
    let Some(codex) = codex_bin() else {
        println!("codex peer not installed; run scripts/test once to fetch it");
        return;
    };
    let (codex_installs, _codex_home) = installs(&base, &market, &codex);
    let (codex_init, codex_list) = starts(&home, &codex);
    println!(
        "codex: start to initialize {:.2} ms, first plugin/list {:.2} ms, {PLUGINS} installs {:.0} ms",
        ms(codex_init),
        ms(codex_list),
        ms(codex_installs)
    );
    println!(
        "ratio berth/codex (target <= 0.50): initialize {:.2}, first plugin/list {:.2}, installs {:.2}",
        ms(berth_init) / ms(codex_init),
        ms(berth_list) / ms(codex_list),
        ms(berth_installs) / ms(codex_installs)
    );
}
