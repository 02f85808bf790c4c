//! The only place the CLI writes to stdout and stderr. A closed stdout (e.g. `| head`) is
//! not an error.

use std::io::{self, Write};

/// Writes `text` and a newline to stdout.
pub(crate) fn line(text: impl AsRef<str>) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_ref().as_bytes())?;
    out.write_all(b"\n")?;
    out.flush()
}

/// Writes pretty JSON and a newline to stdout.
pub(crate) fn json(value: &impl serde::Serialize) -> io::Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(io::Error::other)?;
    line(text)
}

/// A buffered handle on stdout, for output printed as it is produced (flush it when done).
pub(crate) fn stdout() -> io::BufWriter<io::StdoutLock<'static>> {
    io::BufWriter::new(io::stdout().lock())
}

/// Writes a note to stderr.
#[expect(
    clippy::print_stderr,
    reason = "the printer is the CLI's one output channel"
)]
pub(crate) fn note(text: impl AsRef<str>) {
    eprintln!("{}", text.as_ref());
}

/// Formats rows as left-aligned columns separated by two spaces, without trailing blanks.
pub(crate) fn table(header: &[&str], rows: &[Vec<String>]) -> String {
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
    let mut lines = vec![render(header.to_vec())];
    lines.extend(
        rows.iter()
            .map(|row| render(row.iter().map(String::as_str).collect())),
    );
    lines.join("\n")
}

#[cfg(test)]
#[path = "printer_tests.rs"]
mod tests;
