use pretty_assertions::assert_eq;

use super::*;

fn params(
    q: Option<&str>,
    category: Option<&str>,
    scope: Option<&str>,
    page: Option<&str>,
) -> CatalogParams {
    CatalogParams {
        q: q.map(str::to_owned),
        category: category.map(str::to_owned),
        scope: scope.map(str::to_owned),
        page: page.map(str::to_owned),
    }
}

#[test]
fn catalog_parameters_parse_into_a_query() {
    assert_eq!(
        params(
            Some("lin ear"),
            Some("Productivity"),
            Some("GLOBAL"),
            Some("3")
        )
        .parse()
        .unwrap(),
        SearchQuery {
            text: "lin ear".to_owned(),
            category: Some("Productivity".to_owned()),
            scope: Some(Scope::Global),
            page: 3,
        }
    );
    assert_eq!(
        params(None, Some(""), Some(""), Some("")).parse().unwrap(),
        SearchQuery {
            page: 1,
            ..SearchQuery::default()
        }
    );
}

#[test]
fn bad_catalog_parameters_are_named() {
    let message = |params: CatalogParams| match params.parse() {
        Err(PageError::BadRequest(message)) => message,
        other => panic!("expected a bad request, got {other:?}"),
    };
    assert_eq!(
        message(params(None, None, Some("GALAXY"), None)),
        "unknown scope `GALAXY`; use GLOBAL, WORKSPACE or USER"
    );
    assert_eq!(
        message(params(None, None, None, Some("0"))),
        "invalid page `0`; use a number from 1 to 100000"
    );
    assert_eq!(
        message(params(None, None, None, Some("two"))),
        "invalid page `two`; use a number from 1 to 100000"
    );
    assert_eq!(
        message(params(Some(&"x".repeat(201)), None, None, None)),
        "the search text is longer than 200 characters; search for fewer words"
    );
}

#[test]
fn only_hex_brand_colours_are_drawn() {
    assert_eq!(brand_color(Some("#12AbEf")), Some("#12abef".to_owned()));
    assert_eq!(brand_color(Some("#fff")), Some("#fff".to_owned()));
    for bad in [
        "red",
        "#12345",
        "#12345g",
        "#fff\" onload=\"x",
        "url(javascript:x)",
    ] {
        assert_eq!(brand_color(Some(bad)), None, "{bad}");
    }
    assert_eq!(brand_color(None), None);
}

#[test]
fn long_text_is_clipped_on_a_character_boundary() {
    assert_eq!(clip_chars("short", 10), "short");
    assert_eq!(clip_chars("ééééé é", 5), "ééééé…");
}

#[test]
fn page_links_keep_the_query() {
    let query = SearchQuery {
        text: "a&b".to_owned(),
        category: Some("Dev tools".to_owned()),
        scope: Some(Scope::Workspace),
        page: 1,
    };
    assert_eq!(
        page_url(&query, 2),
        "/?q=a%26b&category=Dev+tools&scope=WORKSPACE&page=2"
    );
    assert_eq!(page_url(&SearchQuery::default(), 1), "/");
}
