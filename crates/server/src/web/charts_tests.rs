use super::*;

#[test]
fn line_charts_name_each_series_with_its_label_in_theme_placeholder_colours() {
    let labels: Vec<String> = (1..=7).map(|day| format!("12-0{day}")).collect();
    let svg = line_chart(
        "events",
        &labels,
        &[
            ("Installs: 3".to_owned(), vec![0, 1, 0, 2, 0, 0, 0]),
            ("Uses: 9".to_owned(), vec![1, 1, 1, 1, 1, 2, 2]),
        ],
    )
    .unwrap();
    assert!(svg.starts_with("<svg"), "{svg}");
    assert!(
        svg.contains(">\nInstalls: 3\n<") || svg.contains(">Installs: 3<"),
        "{svg}"
    );
    assert!(svg.contains("Uses: 9"));
    assert!(svg.contains("stroke=\"#102031\""), "{svg}");
    assert!(svg.contains("fill=\"#010203\""), "{svg}");
}

#[test]
fn bar_labels_carry_their_counts_and_escape_markup() {
    let svg = bar_chart(
        "top",
        &[
            ("<script>alert(1)</script>".to_owned(), 4),
            ("plain".to_owned(), 2),
        ],
    )
    .unwrap();
    assert!(!svg.contains("<script>"), "{svg}");
    assert!(
        svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;: 4"),
        "{svg}"
    );
    assert!(svg.contains("plain: 2"));
}

#[test]
fn empty_charts_still_draw() {
    assert!(bar_chart("none", &[]).unwrap().starts_with("<svg"));
    assert!(line_chart("none", &[], &[]).unwrap().starts_with("<svg"));
}
