//! `berth serve events`: pages through the stored analytics events and prints them as it goes,
//! so memory stays flat however many there are; filters by time, type, plugin and account;
//! human output shows ISO-8601 times.

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::Context as _;
use berth_server::{EventFilter, StoredEvent};
use clap::Args;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{StorageArgs, open_db};
use crate::commands::UserError;
use crate::printer;

/// Events read from the database at a time.
const PAGE: u32 = 1000;
/// Characters of `event_params` shown per row in human output.
const PARAMS_WIDTH: usize = 120;

/// `berth serve events` flags.
#[derive(Debug, Args)]
pub(crate) struct EventsArgs {
    #[command(flatten)]
    storage: StorageArgs,
    /// Output as JSON (an array, streamed).
    #[arg(long)]
    json: bool,
    /// Only events received at or after this time: RFC 3339 (`2026-12-01T09:00:00Z`) or a date
    /// (`2026-12-01`, UTC midnight).
    #[arg(long, value_name = "TIME", value_parser = parse_since)]
    since: Option<i64>,
    /// Only events of this `event_type`, e.g. `codex_plugin_installed`.
    #[arg(long = "type", value_name = "EVENT_TYPE")]
    event_type: Option<String>,
    /// Only events about this plugin: its local id (`name@marketplace`) or backend id.
    #[arg(long, value_name = "PLUGIN")]
    plugin: Option<String>,
    /// Only events sent by this account.
    #[arg(long, value_name = "ACCOUNT")]
    account: Option<String>,
    /// At most this many events.
    #[arg(long, value_name = "N")]
    limit: Option<u64>,
}

/// Unix seconds of an RFC 3339 time or a `YYYY-MM-DD` date (UTC).
fn parse_since(value: &str) -> Result<i64, String> {
    if let Ok(time) = OffsetDateTime::parse(value, &Rfc3339) {
        return Ok(time.unix_timestamp());
    }
    let date_format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(value, &date_format)
        .map(|date| date.midnight().assume_utc().unix_timestamp())
        .map_err(|_| {
            format!("`{value}` is not a time; use RFC 3339 (`2026-12-01T09:00:00Z`) or a date (`2026-12-01`)")
        })
}

/// An RFC 3339 UTC time for Unix seconds.
fn iso_time(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|time| time.format(&Rfc3339).ok())
        .unwrap_or_else(|| unix.to_string())
}

/// `params` as compact JSON, cut to [`PARAMS_WIDTH`] characters.
fn short_params(params: &serde_json::Value) -> String {
    let text = params.to_string();
    match text.char_indices().nth(PARAMS_WIDTH) {
        None => text,
        Some((end, _)) => format!("{}…", &text[..end]),
    }
}

pub(crate) async fn run(args: EventsArgs) -> anyhow::Result<ExitCode> {
    if args.limit == Some(0) {
        return Err(UserError("`--limit` must be at least 1".to_owned()).into());
    }
    let db = open_db(&args.storage).await?;
    let filter = EventFilter {
        since: args.since,
        event_type: args.event_type.clone(),
        plugin: args.plugin.clone(),
        account: args.account.clone(),
    };
    let outcome = stream(&db, &filter, &args).await;
    db.close().await;
    let shown = outcome?;
    if shown == 0 && !args.json {
        if filter == EventFilter::default() {
            printer::note(
                "no analytics events yet; clients send them to `/backend-api/codex/analytics-events/events`",
            );
        } else {
            printer::note("no analytics events match these filters");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints every matching event a page at a time; returns how many.
async fn stream(
    db: &berth_server::Db,
    filter: &EventFilter,
    args: &EventsArgs,
) -> anyhow::Result<u64> {
    let mut out = printer::stdout();
    let mut shown = 0_u64;
    let mut after = 0;
    if args.json {
        out.write_all(b"[")?;
    }
    'pages: loop {
        let remaining = args.limit.map_or(u64::from(PAGE), |limit| limit - shown);
        let page_size = u32::try_from(remaining.min(u64::from(PAGE))).unwrap_or(PAGE);
        let page = db
            .events_page(filter, after, page_size)
            .await
            .context("could not read analytics events")?;
        let Some(last) = page.last() else {
            break;
        };
        after = last.id;
        for event in &page {
            write_event(&mut out, event, args.json, shown == 0)?;
            shown += 1;
            if args.limit.is_some_and(|limit| shown >= limit) {
                break 'pages;
            }
        }
        out.flush()?;
    }
    if args.json {
        out.write_all(if shown == 0 { b"]\n" } else { b"\n]\n" })?;
    }
    out.flush()?;
    Ok(shown)
}

fn write_event(
    out: &mut impl std::io::Write,
    event: &StoredEvent,
    json: bool,
    first: bool,
) -> std::io::Result<()> {
    if json {
        let separator = if first { "\n  " } else { ",\n  " };
        write!(out, "{separator}")?;
        serde_json::to_writer(&mut *out, event).map_err(std::io::Error::other)
    } else {
        if first {
            writeln!(
                out,
                "{:<8}  {:<20}  {:<16}  {:<24}  PARAMS",
                "ID", "RECEIVED", "ACCOUNT", "TYPE"
            )?;
        }
        writeln!(
            out,
            "{:<8}  {:<20}  {:<16}  {:<24}  {}",
            event.id,
            iso_time(event.received_at),
            event.account_id,
            event.event_type,
            short_params(&event.event_params)
        )
    }
}

#[cfg(test)]
#[path = "events_tests.rs"]
mod tests;
