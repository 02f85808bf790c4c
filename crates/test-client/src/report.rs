//! The smokes' one output channel: progress and results on stdout, one line per call.

/// Prints one line to stdout.
#[expect(
    clippy::print_stdout,
    reason = "the smokes report to their operator on stdout"
)]
pub fn line(text: impl AsRef<str>) {
    println!("{}", text.as_ref());
}

/// Prints a JSON value, pretty.
pub fn json(value: &serde_json::Value) {
    line(serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string()));
}
