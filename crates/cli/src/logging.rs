//! Logs on stderr in the CLI's own voice: `warning: ...`, `error: ...` (coloured like the
//! CLI's messages when stderr has colour), then the event's fields; `-v` raises the level and
//! `RUST_LOG` overrides it.

use std::fmt;

use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

use crate::printer::{self, ERROR, WARNING};

/// Installs the subscriber for a `-v` count.
pub(crate) fn init(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(printer::LogWriter)
        .with_ansi(printer::stderr_has_colour())
        .event_format(CliFormat)
        .init();
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
