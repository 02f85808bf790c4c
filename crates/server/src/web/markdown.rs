//! Untrusted Markdown (a skill's `SKILL.md`) to safe HTML: the YAML front matter is dropped, the
//! rest is rendered with `pulldown-cmark` and sanitised with `ammonia` (no script, style, event
//! handler, `javascript:` URL or image survives; links get `rel="noopener noreferrer nofollow"`),
//! and very long documents are cut with a note.

use std::collections::HashSet;
use std::fmt::Write as _;

use pulldown_cmark::{Options, Parser, html};

/// Longest Markdown rendered; the rest is cut (a `SKILL.md` is usually a few KiB).
pub(crate) const MAX_MARKDOWN_BYTES: usize = 64 * 1024;

/// The body of a document after its `---` front matter, if it has one.
fn without_front_matter(text: &str) -> &str {
    let Some(rest) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        return text;
    };
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        offset += line.len();
        if line.trim_end() == "---" {
            return &rest[offset..];
        }
    }
    text
}

/// The largest prefix of `text` of at most `max` bytes that ends on a character boundary.
fn cut(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Renders `markdown` to sanitised HTML.
pub(crate) fn render(markdown: &str) -> String {
    let body = without_front_matter(markdown);
    let shown = cut(body, MAX_MARKDOWN_BYTES);
    let mut rendered = String::with_capacity(shown.len() * 3 / 2);
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    html::push_html(&mut rendered, Parser::new_ext(shown, options));
    if shown.len() < body.len() {
        let _ = write!(
            rendered,
            "\n<p><em>(cut: only the first {} KiB of {} KiB are shown)</em></p>",
            MAX_MARKDOWN_BYTES / 1024,
            body.len().div_ceil(1024)
        );
    }
    ammonia::Builder::default()
        .rm_tags(HashSet::from(["img"]))
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(&rendered)
        .to_string()
}

#[cfg(test)]
#[path = "markdown_tests.rs"]
mod tests;
