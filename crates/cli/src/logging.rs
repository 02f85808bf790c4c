//! Logs on stderr in the CLI's own voice: `warning: ...`, `error: ...` (coloured like the
//! CLI's messages when stderr has colour), then the event's fields; `-v` raises the level and
//! `RUST_LOG` overrides it. Without `RUST_LOG` a small subscriber of this module does the
//! work, so a short command does not load `tracing-subscriber`'s registry, filters and
//! formatter at every start (they are much of its resident memory).

use std::fmt::{self, Write as _};
use std::io::Write as _;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber, span};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

use crate::printer::{self, ERROR, WARNING};

/// Installs the subscriber for a `-v` count.
pub(crate) fn init(verbose: u8) {
    let level = match verbose {
        0 => LevelFilter::WARN,
        1 => LevelFilter::INFO,
        2 => LevelFilter::DEBUG,
        _ => LevelFilter::TRACE,
    };
    if std::env::var_os(tracing_subscriber::EnvFilter::DEFAULT_ENV).is_none() {
        // Only fails when a subscriber is already set, which `main` never does.
        let _ = tracing::subscriber::set_global_default(LevelLogger { level });
        return;
    }
    tracing_subscriber::fmt()
        .with_writer(printer::LogWriter)
        .with_ansi(printer::stderr_has_colour())
        .event_format(CliFormat)
        .with_env_filter(
            tracing_subscriber::EnvFilter::builder()
                .with_default_directive(level.into())
                .from_env_lossy(),
        )
        .init();
}

/// Installs the subscriber of a running `berth serve`: its request log (the
/// `berth::access` target) is on by default, and every line carries its time.
pub(crate) fn init_service(verbose: u8) {
    let default = match verbose {
        0 => format!("warn,{}=info", berth_server::ACCESS_LOG_TARGET),
        1 => "info".to_owned(),
        2 => "debug".to_owned(),
        _ => "trace".to_owned(),
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(printer::stderr_has_colour())
        .with_target(false)
        .init();
}

/// The prefix of an event at `level`.
fn prefix(level: Level, colour: bool) -> String {
    match level {
        Level::ERROR => printer::styled(ERROR, "error:", colour),
        Level::WARN => printer::styled(WARNING, "warning:", colour),
        Level::INFO => "info:".to_owned(),
        Level::DEBUG => "debug:".to_owned(),
        Level::TRACE => "trace:".to_owned(),
    }
}

/// Writes events at or above a level as `prefix message key=value...`; spans are ignored.
struct LevelLogger {
    level: LevelFilter,
}

impl Subscriber for LevelLogger {
    fn enabled(&self, metadata: &tracing::Metadata<'_>) -> bool {
        *metadata.level() <= self.level
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(self.level)
    }

    fn new_span(&self, _span: &span::Attributes<'_>) -> span::Id {
        span::Id::from_u64(1)
    }

    fn record(&self, _span: &span::Id, _values: &span::Record<'_>) {}

    fn record_follows_from(&self, _span: &span::Id, _follows: &span::Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut line = prefix(*event.metadata().level(), printer::stderr_has_colour());
        event.record(&mut FieldWriter(&mut line));
        line.push('\n');
        let _ = printer::LogWriter.write_all(line.as_bytes());
    }

    fn enter(&self, _span: &span::Id) {}

    fn exit(&self, _span: &span::Id) {}
}

/// Appends ` message` and ` key=value` for each field, as `tracing-subscriber` formats them.
struct FieldWriter<'a>(&'a mut String);

impl Visit for FieldWriter<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.0, " {value:?}");
        } else {
            let _ = write!(self.0, " {}={value:?}", field.name());
        }
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
        write!(
            writer,
            "{} ",
            prefix(*event.metadata().level(), writer.has_ansi_escapes())
        )?;
        ctx.field_format().format_fields(writer.by_ref(), event)?;
        writeln!(writer)
    }
}
