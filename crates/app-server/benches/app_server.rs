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

/// One start: process start to the `initialize` answer, then the first `plugin/list`.
fn start_once(home: &TestHome, program: &Path) -> (Duration, Duration) {
    let start = Instant::now();
    let mut client = Client::spawn(home, program);
    client.initialize();
    let initialize = start.elapsed();
    let start = Instant::now();
    let listed = client.call("plugin/list", &json!({}));
    let list = start.elapsed();
    let count: usize = listed["marketplaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["plugins"].as_array().unwrap().len())
        .sum();
    assert_eq!(count, PLUGINS, "plugin/list must see the whole home");
    (initialize, list)
}

/// Rounds of 200 installs per server, alternating so both see the same machine load.
const INSTALL_ROUNDS: usize = 3;

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
    let codex = codex_bin();
    let mut berth_installs = Vec::new();
    let mut codex_installs = Vec::new();
    // Every home is kept until the end: deleting thousands of files right before the next
    // server's installs slows its file creation (ext4 scans recently freed inodes), which
    // would favour whichever server runs after a round with nothing deleted. The order also
    // alternates, so neither always runs first.
    let mut homes = Vec::new();
    for round in 0..INSTALL_ROUNDS {
        let mut run = |program: &Path, into: &mut Vec<Duration>| {
            let (elapsed, installed) = installs(&base, &market, program);
            into.push(elapsed);
            homes.push(installed);
        };
        match &codex {
            Some(codex) if round % 2 == 1 => {
                run(codex, &mut codex_installs);
                run(&berth, &mut berth_installs);
            }
            Some(codex) => {
                run(&berth, &mut berth_installs);
                run(codex, &mut codex_installs);
            }
            None => run(&berth, &mut berth_installs),
        }
    }
    // The first home berth filled is the home both servers start on.
    let home = &homes[0];
    // Starts alternate too: berth, codex, berth, codex, ...
    let mut berth_starts = (Vec::new(), Vec::new());
    let mut codex_starts = (Vec::new(), Vec::new());
    for _ in 0..STARTS {
        let (init, list) = start_once(home, &berth);
        berth_starts.0.push(init);
        berth_starts.1.push(list);
        if let Some(codex) = &codex {
            let (init, list) = start_once(home, codex);
            codex_starts.0.push(init);
            codex_starts.1.push(list);
        }
    }
    let report = |name: &str,
                  starts: &mut (Vec<Duration>, Vec<Duration>),
                  installs: &mut Vec<Duration>| {
        let figures = (
            median(&mut starts.0),
            median(&mut starts.1),
            median(installs),
        );
        println!(
            "{name}: start to initialize {:.2} ms, first plugin/list {:.2} ms, {PLUGINS} installs {:.0} ms (medians)",
            ms(figures.0),
            ms(figures.1),
            ms(figures.2)
        );
        figures
    };
    let ours = report("berth", &mut berth_starts, &mut berth_installs);
    if codex.is_none() {
        println!("codex peer not installed; run scripts/test once to fetch it");
        return;
    }
    let theirs = report("codex", &mut codex_starts, &mut codex_installs);
    println!(
        "ratio berth/codex (target <= 0.50): initialize {:.2}, first plugin/list {:.2}, installs {:.2}",
        ms(ours.0) / ms(theirs.0),
        ms(ours.1) / ms(theirs.1),
        ms(ours.2) / ms(theirs.2)
    );
}
