//! Benchmark: `marketplace upgrade` of 20 Git marketplaces served by a loopback smart-HTTP Git
//! server, each with one installed plugin, side by side with the Codex peer when it is
//! installed. Two cases: nothing new upstream (one `ls-remote` per marketplace), and one
//! changed plugin in every marketplace (fetch, activate, reinstall the plugin).
//!
//! Run: `cargo bench -p berth-cli --bench marketplace_upgrade`. Target (issue 12): with nothing
//! new, at most half of Codex's time.

#![expect(clippy::print_stdout, reason = "a benchmark reports on stdout")]
#![expect(clippy::expect_used, reason = "benchmark harness")]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use berth_test_support::{
    GitClientEnv, GitRepo, GitServer, MarketplaceFixture, TestHome, codex_bin,
};

const MARKETPLACES: usize = 20;
const IDLE_RUNS: usize = 15;
const CHANGED_ROUNDS: usize = 5;

/// One tool under test.
struct Tool {
    name: &'static str,
    program: PathBuf,
    /// The arguments of `... marketplace upgrade`.
    upgrade: &'static [&'static str],
    home: TestHome,
}

fn main() {
    let base = std::env::var_os("BERTH_BENCH_DIR")
        .map_or_else(|| std::env::temp_dir().join("berth-bench"), PathBuf::from);
    let world = TestHome::new_in(&base);
    println!("bench folder: {}", world.root().display());
    let repos: Vec<GitRepo> = (0..MARKETPLACES)
        .map(|index| {
            let repo = GitRepo::create(&world.root().join("git"), &format!("owner/m{index:02}"));
            let _ = MarketplaceFixture::new(repo.work_dir(), &format!("m{index:02}")).plugin(
                &format!("p{index:02}"),
                Some("1.0.0"),
                6,
            );
            repo.commit("first");
            repo
        })
        .collect();
    let server = GitServer::start(&world.root().join("git/repos"));
    let env = GitClientEnv::new(&world.root().join("git-client"), &server);
    let berth = PathBuf::from(env!("CARGO_BIN_EXE_berth"));

    let mut tools = vec![Tool {
        name: "berth",
        program: berth.clone(),
        upgrade: &["marketplace", "upgrade"],
        home: TestHome::new_in(&base),
    }];
    match codex_bin() {
        Some(codex) => tools.push(Tool {
            name: "codex",
            program: codex,
            upgrade: &["plugin", "marketplace", "upgrade"],
            home: TestHome::new_in(&base),
        }),
        None => println!("Codex peer not installed: measuring berth alone"),
    }
    for tool in &tools {
        prepare(&berth, &tool.home, &env);
        // The first upgrade writes the install metadata both tools compare against.
        run(&tool.program, &tool.home, &env, tool.upgrade);
    }

    println!(
        "\n`marketplace upgrade` of {MARKETPLACES} Git marketplaces, nothing new upstream ({IDLE_RUNS} runs, median):"
    );
    let mut idle = Vec::new();
    for tool in &tools {
        let mut times: Vec<Duration> = (0..IDLE_RUNS)
            .map(|_| timed(&tool.program, &tool.home, &env, tool.upgrade))
            .collect();
        let median = median(&mut times);
        println!("  {:<6} {:>8.1} ms", tool.name, ms(median));
        idle.push(median);
    }
    if let [ours, theirs] = idle[..] {
        println!("  ratio berth/codex: {:.2}", ms(ours) / ms(theirs));
    }

    println!("\none changed plugin in each marketplace ({CHANGED_ROUNDS} rounds, median):");
    let mut changed: Vec<Vec<Duration>> = tools.iter().map(|_| Vec::new()).collect();
    for round in 0..CHANGED_ROUNDS {
        for (index, repo) in repos.iter().enumerate() {
            repo.write(
                &format!("plugins/p{index:02}/.codex-plugin/plugin.json"),
                &format!(r#"{{"name":"p{index:02}","version":"1.{}.0"}}"#, round + 1),
            );
            repo.commit("bump");
        }
        // Alternate which tool goes first.
        let order: Vec<usize> = if round % 2 == 0 {
            (0..tools.len()).collect()
        } else {
            (0..tools.len()).rev().collect()
        };
        for index in order {
            let tool = &tools[index];
            changed[index].push(timed(&tool.program, &tool.home, &env, tool.upgrade));
            check_version(&tool.home, &format!("1.{}.0", round + 1));
        }
    }
    let medians: Vec<Duration> = changed.iter_mut().map(|times| median(times)).collect();
    for (tool, median) in tools.iter().zip(&medians) {
        println!("  {:<6} {:>8.1} ms", tool.name, ms(*median));
    }
    if let [ours, theirs] = medians[..] {
        println!("  ratio berth/codex: {:.2}", ms(ours) / ms(theirs));
    }
    drop(server);
}

/// Adds the 20 marketplaces and installs one plugin of each, with berth (Codex reads it).
fn prepare(berth: &Path, home: &TestHome, env: &GitClientEnv) {
    for index in 0..MARKETPLACES {
        run(
            berth,
            home,
            env,
            &["marketplace", "add", &format!("owner/m{index:02}")],
        );
        run(
            berth,
            home,
            env,
            &["plugin", "add", &format!("p{index:02}@m{index:02}")],
        );
    }
}

/// Every plugin's active version is `version`.
fn check_version(home: &TestHome, version: &str) {
    for index in 0..MARKETPLACES {
        let dir = home
            .codex_home()
            .join(format!("plugins/cache/m{index:02}/p{index:02}/{version}"));
        assert!(dir.is_dir(), "{} is missing", dir.display());
    }
}

fn run(program: &Path, home: &TestHome, env: &GitClientEnv, args: &[&str]) {
    let mut command = home.command(program);
    command.args(args).stdout(Stdio::null());
    env.apply(&mut command);
    let output = command.output().expect("run");
    assert!(
        output.status.success(),
        "{} {args:?} failed: {}",
        program.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn timed(program: &Path, home: &TestHome, env: &GitClientEnv, args: &[&str]) -> Duration {
    let start = Instant::now();
    run(program, home, env, args);
    start.elapsed()
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
