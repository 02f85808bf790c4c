//! `berth serve gc`: removes the bundles no release references, from the bundle folder and the
//! database alike, and the leftovers of killed uploads and publishes; `--dry-run` only says
//! what would go. It names the database and folders it looked at and how much it freed.

use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::Duration;

use berth_server::{GcOptions, GcReport, StoreSweep};
use bytesize::ByteSize;
use clap::Args;

use super::StorageArgs;
use crate::printer;

/// `berth serve gc` flags.
#[derive(Debug, Args)]
pub(crate) struct GcArgs {
    #[command(flatten)]
    storage: StorageArgs,
    /// Say what would be removed, and remove nothing.
    #[arg(long)]
    dry_run: bool,
    /// Keep unreferenced bundles stored less than this long ago (`90s`, `30m`, `1h`, `2d`), so
    /// a publish running meanwhile never loses its bundle; `0` removes them all (only while
    /// nothing publishes).
    #[arg(long, value_name = "AGE", default_value = "1h", value_parser = parse_age)]
    min_age: Duration,
    /// Output the report as JSON.
    #[arg(long)]
    json: bool,
}

/// Parses `0`, or a whole number followed by `s`, `m`, `h` or `d`.
fn parse_age(value: &str) -> Result<Duration, String> {
    let invalid = || format!("`{value}` is not an age; use e.g. `90s`, `30m`, `1h`, `2d` or `0`");
    if value == "0" {
        return Ok(Duration::ZERO);
    }
    let split = value.len().checked_sub(1).ok_or_else(invalid)?;
    let (number, unit) = value.split_at(split);
    let number: u64 = number.parse().map_err(|_| invalid())?;
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(invalid()),
    };
    number
        .checked_mul(seconds)
        .map(Duration::from_secs)
        .ok_or_else(invalid)
}

fn plural(count: usize, one: &str, many: &str) -> String {
    if count == 1 {
        format!("1 {one}")
    } else {
        format!("{count} {many}")
    }
}

/// The human report of one store.
fn describe_store(sweep: &StoreSweep, dry_run: bool, min_age: &str) -> String {
    let verb = if dry_run { "would remove" } else { "removed" };
    let mut text = sweep.store.clone();
    let removed: u64 = sweep.bundles.iter().map(|bundle| bundle.bytes).sum();
    if sweep.bundles.is_empty() {
        text.push_str(": no unreferenced bundle to remove");
    } else {
        let _ = write!(
            text,
            ": {verb} {} ({})",
            plural(
                sweep.bundles.len(),
                "unreferenced bundle",
                "unreferenced bundles"
            ),
            ByteSize(removed)
        );
    }
    let _ = write!(text, "; kept {} referenced", sweep.referenced);
    if sweep.recent_unreferenced > 0 {
        let _ = write!(
            text,
            " and {} stored within the last {min_age}",
            sweep.recent_unreferenced
        );
    }
    let staging = sweep.staging.display();
    if sweep.leftovers.is_empty() {
        let _ = write!(text, "\n  staging `{staging}`: no interrupted upload");
    } else {
        let leftover: u64 = sweep.leftovers.iter().map(|file| file.bytes).sum();
        let _ = write!(
            text,
            "\n  staging `{staging}`: {verb} {} ({})",
            plural(
                sweep.leftovers.len(),
                "interrupted upload",
                "interrupted uploads"
            ),
            ByteSize(leftover)
        );
    }
    text
}

/// The whole human report.
pub(crate) fn describe(report: &GcReport, min_age: &str) -> String {
    let mut text = format!(
        "database `{}`: {} referenced by releases",
        report.database,
        plural(report.referenced, "bundle", "bundles")
    );
    for sweep in &report.stores {
        let _ = write!(text, "\n{}", describe_store(sweep, report.dry_run, min_age));
    }
    let freed = ByteSize(report.freed_bytes());
    if report.dry_run {
        let _ = write!(text, "\nwould free {freed} (dry run: nothing was removed)");
    } else {
        let _ = write!(text, "\nfreed {freed}");
    }
    text
}

pub(crate) async fn run(args: GcArgs) -> anyhow::Result<ExitCode> {
    let options = GcOptions {
        dry_run: args.dry_run,
        min_age: args.min_age,
    };
    let report = berth_server::collect_garbage(&args.storage.config(), &options).await?;
    if args.json {
        printer::json(&report)?;
    } else {
        let min_age = humanize(args.min_age);
        printer::line(describe(&report, &min_age))?;
    }
    if !report.missing.is_empty() {
        printer::note(format!(
            "warning: {} referenced by releases in no store (clients get 404 for them): {}; \
             run gc with the `--data-dir` and `--bundle-store` of the server that stored them, \
             or publish those plugins again",
            plural(report.missing.len(), "bundle is", "bundles are"),
            report.missing.join(", ")
        ));
    }
    Ok(ExitCode::SUCCESS)
}

/// `1h`, `90s`, `2d`: the age as the user would write it.
fn humanize(age: Duration) -> String {
    let seconds = age.as_secs();
    match seconds {
        0 => "0s".to_owned(),
        _ if seconds.is_multiple_of(86_400) => format!("{}d", seconds / 86_400),
        _ if seconds.is_multiple_of(3600) => format!("{}h", seconds / 3600),
        _ if seconds.is_multiple_of(60) => format!("{}m", seconds / 60),
        _ => format!("{seconds}s"),
    }
}

#[cfg(test)]
#[path = "gc_tests.rs"]
mod tests;
