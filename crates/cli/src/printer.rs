//! The only place the CLI writes to stdout and stderr. Colour is used only when the stream is
//! a terminal, unless `NO_COLOR` turns it off or `CLICOLOR_FORCE` forces it on (the same rule
//! for logs, `error:`/`warning:`/`hint:` prefixes and table headers). A closed stdout (e.g.
//! `| head`) is not an error.

use std::collections::HashSet;
use std::io::{self, Write};
use std::sync::{Mutex, OnceLock, PoisonError};

use anstream::{AutoStream, ColorChoice};
use anstyle::{AnsiColor, Style};

pub(crate) const ERROR: Style = AnsiColor::Red.on_default().bold();
pub(crate) const WARNING: Style = AnsiColor::Yellow.on_default().bold();
const HINT: Style = AnsiColor::Cyan.on_default().bold();
const HEADER: Style = Style::new().bold();

/// Whether stderr gets colour (decided once per process).
pub(crate) fn stderr_has_colour() -> bool {
    static CHOICE: OnceLock<ColorChoice> = OnceLock::new();
    *CHOICE.get_or_init(|| AutoStream::choice(&io::stderr())) != ColorChoice::Never
}

fn stdout_has_colour() -> bool {
    static CHOICE: OnceLock<ColorChoice> = OnceLock::new();
    *CHOICE.get_or_init(|| AutoStream::choice(&io::stdout())) != ColorChoice::Never
}

/// `text` in `style` when `colour` is on.
pub(crate) fn styled(style: Style, text: &str, colour: bool) -> String {
    if colour {
        format!("{style}{text}{style:#}")
    } else {
        text.to_owned()
    }
}

/// The log writer: stderr, where each distinct log line is written once per process (a
/// config warning read by several steps of one command is shown once).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct LogWriter;

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogWriter {
    type Writer = LogWriter;

    fn make_writer(&'a self) -> Self::Writer {
        *self
    }
}

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        static SEEN: Mutex<Option<HashSet<Vec<u8>>>> = Mutex::new(None);
        let first_time = SEEN
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_or_insert_with(HashSet::new)
            .insert(buf.to_vec());
        if first_time {
            io::stderr().lock().write_all(buf)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        io::stderr().flush()
    }
}

/// Writes `text` and a newline to stdout.
pub(crate) fn line(text: impl AsRef<str>) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_ref().as_bytes())?;
    out.write_all(b"\n")?;
    out.flush()
}

/// Writes pretty JSON and a newline to stdout, as it is serialized (no copy of the whole
/// document in memory).
pub(crate) fn json(value: &impl serde::Serialize) -> io::Result<()> {
    // Large writes: a listing of hundreds of plugins goes out in a few system calls.
    let mut out = io::BufWriter::with_capacity(64 * 1024, io::stdout().lock());
    serde_json::to_writer_pretty(&mut out, value).map_err(|err| {
        if err.is_io() {
            io::Error::from(err)
        } else {
            io::Error::other(err)
        }
    })?;
    out.write_all(b"\n")?;
    out.flush()
}

/// A JSON array whose items are produced one at a time while it is written: `F` makes the
/// iterator (serializing takes `&self`, so it may run more than once).
pub(crate) struct LazyArray<F>(pub(crate) F);

impl<F, I> serde::Serialize for LazyArray<F>
where
    F: Fn() -> I,
    I: Iterator,
    I::Item: serde::Serialize,
{
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq((self.0)())
    }
}

/// A buffered handle on stdout, for output printed as it is produced (flush it when done).
pub(crate) fn stdout() -> io::BufWriter<io::StdoutLock<'static>> {
    io::BufWriter::new(io::stdout().lock())
}

/// Writes a note to stderr.
pub(crate) fn note(text: impl AsRef<str>) {
    let mut err = io::stderr().lock();
    // Nothing sensible is left to do when stderr itself is gone.
    let _ = err.write_all(text.as_ref().as_bytes());
    let _ = err.write_all(b"\n");
}

fn prefixed(style: Style, prefix: &str, text: &str) {
    note(format!(
        "{} {text}",
        styled(style, prefix, stderr_has_colour())
    ));
}

/// `error: text` on stderr.
pub(crate) fn error(text: impl AsRef<str>) {
    prefixed(ERROR, "error:", text.as_ref());
}

/// `warning: text` on stderr.
pub(crate) fn warning(text: impl AsRef<str>) {
    prefixed(WARNING, "warning:", text.as_ref());
}

/// `hint: text` on stderr.
pub(crate) fn hint(text: impl AsRef<str>) {
    prefixed(HINT, "hint:", text.as_ref());
}

/// Formats rows as left-aligned columns separated by two spaces, without trailing blanks; the
/// header is bold when stdout has colour.
pub(crate) fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    render_table(header, rows, stdout_has_colour())
}

fn render_table(header: &[&str], rows: &[Vec<String>], colour: bool) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let render = |cells: Vec<&str>| {
        let mut line = String::new();
        let last = cells.len().saturating_sub(1);
        for (index, (cell, width)) in cells.iter().zip(&widths).enumerate() {
            line.push_str(cell);
            if index < last {
                let pad = width - cell.chars().count() + 2;
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        line.trim_end().to_owned()
    };
    let mut lines = vec![styled(HEADER, &render(header.to_vec()), colour)];
    lines.extend(
        rows.iter()
            .map(|row| render(row.iter().map(String::as_str).collect())),
    );
    lines.join("\n")
}

#[cfg(test)]
#[path = "printer_tests.rs"]
mod tests;
