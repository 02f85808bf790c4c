use pretty_assertions::assert_eq;

use super::*;

#[test]
fn front_matter_is_dropped_and_markdown_rendered() {
    let html = render("---\nname: triage\ndescription: x\n---\n# Triage\n\nDo **this**.\n");
    assert_eq!(html, "<h1>Triage</h1>\n<p>Do <strong>this</strong>.</p>\n");
}

#[test]
fn script_event_handlers_and_javascript_links_do_not_survive() {
    let html = render(
        "<script>alert(1)</script>\n\n[click](javascript:alert(2)) <a href=\"javascript:alert(3)\">x</a>\n\n\
         <img src=x onerror=alert(4)><b onclick=\"alert(5)\">bold</b><style>body{}</style>\
         <iframe src=\"https://example.com\"></iframe>",
    );
    for banned in [
        "<script",
        "javascript:",
        "onerror",
        "onclick",
        "<img",
        "<style",
        "<iframe",
        "alert(1)",
    ] {
        assert!(!html.contains(banned), "{banned} survived in {html}");
    }
    assert!(html.contains("<b>bold</b>"), "{html}");
    assert!(
        html.contains("<a rel=\"noopener noreferrer nofollow\">click</a>"),
        "{html}"
    );
}

#[test]
fn safe_links_keep_their_url() {
    assert_eq!(
        render("[docs](https://example.com/a?b=1)"),
        "<p><a href=\"https://example.com/a?b=1\" rel=\"noopener noreferrer nofollow\">docs</a></p>\n"
    );
}

#[test]
fn oversized_documents_are_cut_with_a_note() {
    let text = "é".repeat(MAX_MARKDOWN_BYTES);
    let html = render(&text);
    assert!(html.contains("(cut: only the first 64 KiB of 128 KiB are shown)"));
    assert!(html.len() < MAX_MARKDOWN_BYTES + 1024);
}

#[test]
fn a_document_without_closing_front_matter_is_rendered_whole() {
    assert_eq!(render("---\nnot closed"), "<hr>\n<p>not closed</p>\n");
}
