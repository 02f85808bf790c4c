use super::*;
use pretty_assertions::assert_eq;

#[test]
fn table_aligns_columns_and_trims_trailing_blanks() {
    let text = render_table(
        &["PLUGIN", "STATUS", "VERSION", "SOURCE"],
        &[
            vec![
                "sample@debug".into(),
                "not installed".into(),
                String::new(),
                "/m/sample".into(),
            ],
            vec![
                "x@debug".into(),
                "installed, enabled".into(),
                "1.2.0".into(),
                "/m/x".into(),
            ],
        ],
        false,
    );
    assert_eq!(
        text,
        "PLUGIN        STATUS              VERSION  SOURCE\n\
         sample@debug  not installed                /m/sample\n\
         x@debug       installed, enabled  1.2.0    /m/x"
    );
}

#[test]
fn table_header_is_bold_only_with_colour() {
    let rows = [vec!["a".to_owned(), "b".to_owned()]];
    assert_eq!(
        render_table(&["ONE", "TWO"], &rows, true),
        "\u{1b}[1mONE  TWO\u{1b}[0m\na    b"
    );
    assert_eq!(
        render_table(&["ONE", "TWO"], &rows, false),
        "ONE  TWO\na    b"
    );
}
