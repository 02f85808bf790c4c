use super::*;
use pretty_assertions::assert_eq;

#[test]
fn table_aligns_columns_and_trims_trailing_blanks() {
    let text = table(
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
    );
    assert_eq!(
        text,
        "PLUGIN        STATUS              VERSION  SOURCE\n\
         sample@debug  not installed                /m/sample\n\
         x@debug       installed, enabled  1.2.0    /m/x"
    );
}
