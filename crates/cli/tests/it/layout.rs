//! The start-up code layout of the release binary (crates/cli/layout/startup.ld, see
//! crates/cli/build.rs): the code a listing runs sits together in `.text.berth_startup`. The
//! layout names functions, so it goes out of date when the code a listing runs changes; this
//! test says so, and `scripts/layout` rewrites it.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use berth_test_support::{MarketplaceFixture, TestHome};

use crate::smokes::release_berth;
use crate::{berth_ok, run_ok};

/// The share of the code a listing runs that must come from the start-up section.
const MIN_SHARE: f64 = 0.9;

#[test]
fn a_plugin_listing_runs_code_from_the_startup_layout() {
    let Some(release) = release_berth() else {
        eprintln!("skipping: BERTH_RELEASE_BIN is not set (scripts/test sets it)");
        return;
    };
    if Command::new("valgrind").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "valgrind must be installed in CI (.ci/run installs it)"
        );
        eprintln!("skipping: valgrind is not installed");
        return;
    }
    let home = TestHome::new();
    let market = home.root().join("market");
    let mut fixture = MarketplaceFixture::new(&market, "layout");
    for index in 0..6 {
        fixture = fixture.plugin(&format!("plugin-{index}"), Some("1.0.0"), 3);
    }
    berth_ok(&home, &["marketplace", "add", market.to_str().unwrap()]);
    berth_ok(&home, &["plugin", "add", "plugin-0@layout"]);
    berth_ok(&home, &["plugin", "add", "plugin-1@layout"]);

    let profile = home.root().join("callgrind.out");
    let mut traced = home.command(Path::new("valgrind"));
    traced
        .arg("--tool=callgrind")
        .arg("--demangle=no")
        .arg(format!("--callgrind-out-file={}", profile.display()))
        .arg(&release)
        .args(["plugin", "list", "--json"]);
    run_ok(traced);
    let ran = functions_run(&std::fs::read_to_string(&profile).unwrap());

    let symbols = function_symbols(&release);
    let section = startup_section(&release).unwrap_or_else(|| {
        panic!(
            "{} has no .text.berth_startup section: it was linked without crates/cli/layout/startup.ld",
            release.display()
        )
    });
    let mut inside = 0_u64;
    let mut outside = Vec::new();
    for name in &ran {
        let Some(&(address, size)) = symbols.get(name.as_str()) else {
            continue;
        };
        if section.0 <= address && address < section.0 + section.1 {
            inside += size;
        } else {
            outside.push((size, name.as_str()));
        }
    }
    let outside_bytes: u64 = outside.iter().map(|(size, _)| size).sum();
    #[expect(clippy::cast_precision_loss, reason = "a share of code sizes")]
    let share = inside as f64 / (inside + outside_bytes).max(1) as f64;
    outside.sort_unstable_by(|a, b| b.cmp(a));
    let largest: Vec<String> = outside
        .iter()
        .take(10)
        .map(|(size, name)| format!("{size:>7} {name}"))
        .collect();
    assert!(
        share >= MIN_SHARE,
        "only {:.0}% of the code `plugin list --json` runs ({inside} of {} bytes) is in the start-up section; run scripts/layout to rewrite crates/cli/layout/startup.ld. Largest functions outside it:\n{}",
        share * 100.0,
        inside + outside_bytes,
        largest.join("\n")
    );
    assert!(
        inside > 64 * 1024,
        "the start-up section holds only {inside} bytes of the listing's code"
    );
}

/// The Rust functions a callgrind profile names (`fn=(id) name` on first mention).
fn functions_run(profile: &str) -> Vec<String> {
    let mut names = Vec::new();
    for line in profile.lines() {
        let Some(rest) = line
            .strip_prefix("fn=(")
            .or_else(|| line.strip_prefix("cfn=("))
        else {
            continue;
        };
        if let Some((_, name)) = rest.split_once(") ")
            && name.starts_with("_R")
            && !names.iter().any(|known| known == name)
        {
            names.push(name.to_owned());
        }
    }
    names
}

/// Address and size of every function symbol of `binary` (`nm`).
fn function_symbols(binary: &Path) -> HashMap<String, (u64, u64)> {
    let mut nm = Command::new("nm");
    nm.args(["--defined-only", "-S"]).arg(binary);
    run_ok(nm)
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let address = u64::from_str_radix(fields.next()?, 16).ok()?;
            let size = u64::from_str_radix(fields.next()?, 16).ok()?;
            let kind = fields.next()?;
            let name = fields.next()?;
            matches!(kind, "t" | "T").then(|| (name.to_owned(), (address, size)))
        })
        .collect()
}

/// Address and size of the `.text.berth_startup` section (`readelf -S`).
fn startup_section(binary: &Path) -> Option<(u64, u64)> {
    let mut readelf = Command::new("readelf");
    readelf.args(["-S", "-W"]).arg(binary);
    let sections = run_ok(readelf);
    let line = sections
        .lines()
        .find(|line| line.contains(" .text.berth_startup "))?;
    // `[Nr] Name Type Address Off Size ...`, with the `[ N]` index possibly split in two.
    let after = line.split_once(']')?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let address = u64::from_str_radix(fields.get(2)?, 16).ok()?;
    let size = u64::from_str_radix(fields.get(4)?, 16).ok()?;
    Some((address, size))
}
