//! [`parse_key_path`]: splitting a dotted config key such as `plugins.sample@debug.enabled`.

use crate::error::{ConfigError, KeyPathProblem};

/// Splits a dotted key path into its segments.
///
/// Segments are separated by `.`; a segment may be wrapped in double quotes to contain dots.
/// Plugin ids (`name@marketplace`) never contain `.`, so `plugins.sample@debug.enabled` is
/// `["plugins", "sample@debug", "enabled"]` with no quoting needed.
pub fn parse_key_path(key_path: &str) -> Result<Vec<String>, ConfigError> {
    let invalid = |problem| ConfigError::InvalidKeyPath {
        key_path: key_path.to_owned(),
        problem,
    };
    if key_path.trim().is_empty() {
        return Err(invalid(KeyPathProblem::Empty));
    }
    let mut segments = Vec::new();
    let mut current = String::new();
    let mut quoted_segment = false;
    let mut chars = key_path.chars();
    while let Some(ch) = chars.next() {
        match ch {
            '"' if current.is_empty() && !quoted_segment => {
                let mut closed = false;
                for inner in chars.by_ref() {
                    if inner == '"' {
                        closed = true;
                        break;
                    }
                    current.push(inner);
                }
                if !closed {
                    return Err(invalid(KeyPathProblem::UnterminatedQuote));
                }
                quoted_segment = true;
            }
            '.' => {
                if current.is_empty() && !quoted_segment {
                    return Err(invalid(KeyPathProblem::EmptySegment));
                }
                segments.push(std::mem::take(&mut current));
                quoted_segment = false;
            }
            _ => current.push(ch),
        }
    }
    if current.is_empty() && !quoted_segment {
        return Err(invalid(KeyPathProblem::EmptySegment));
    }
    segments.push(current);
    Ok(segments)
}

/// Joins key path segments back with `.` for messages.
pub(crate) fn display_key_path<S: AsRef<str>>(segments: &[S]) -> String {
    segments
        .iter()
        .map(AsRef::as_ref)
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
#[path = "key_path_tests.rs"]
mod tests;
