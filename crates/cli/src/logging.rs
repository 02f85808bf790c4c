//! Logs on stderr in the CLI's own voice: `warning: ...`, `error: ...` (coloured like the
//! CLI's messages when stderr has colour), then the event's fields; `-v` raises the level and
//! `RUST_LOG` overrides it.

use std::fmt;

use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

use crate::printer::{self, ERROR, WARNING};

/// Installs the subscriber for a `-v` count. Without `RUST_LOG` a plain level filter is used:
/// `EnvFilter` compiles its directive parser at start, which every command would pay for.
pub(crate) fn init(verbose: u8) {
    let level = match verbose {
        0 => LevelFilter::WARN,
        1 => LevelFilter::INFO,
        2 => LevelFilter::DEBUG,
        _ => LevelFilter::TRACE,
    };
    let builder = tracing_subscriber::fmt()
        .with_writer(printer::LogWriter)
        .with_ansi(printer::stderr_has_colour())
        .event_format(CliFormat);
    match std::env::var_os(tracing_subscriber::EnvFilter::DEFAULT_ENV) {
        Some(_) => builder
            .with_env_filter(
                tracing_subscriber::EnvFilter::builder()
                    .with_default_directive(level.into())
                    .from_env_lossy(),
            )
            .init(),
        None => builder.with_max_level(level).init(),
    }
}

/// `level: message key=value...`.
struct CliFormat;

impl<S, N> FormatEvent<S, N> for CliFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let level = *event.metadata().level();
        let prefix = match level {
            Level::ERROR => printer::styled(ERROR, "error:", writer.has_ansi_escapes()),
            Level::WARN => printer::styled(WARNING, "warning:", writer.has_ansi_escapes()),
            Level::INFO => "info:".to_owned(),
            Level::DEBUG => "debug:".to_owned(),
            Level::TRACE => "trace:".to_owned(),
        };
        write!(writer, "{prefix} ")?;
        ctx.field_format().format_fields(writer.by_ref(), event)?;
        writeln!(writer)
    }
}
