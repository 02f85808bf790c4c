use pretty_assertions::assert_eq;

use super::*;

fn params(days: Option<&str>, plugin: Option<&str>, table: Option<&str>) -> InsightsParams {
    InsightsParams {
        days: days.map(str::to_owned),
        plugin: plugin.map(str::to_owned),
        table: table.map(str::to_owned),
    }
}

#[test]
fn the_window_defaults_to_thirty_days_and_is_bounded() {
    assert_eq!(
        params(None, Some(""), None).window().unwrap(),
        Window {
            days: 30,
            plugin: None
        }
    );
    assert_eq!(params(Some("7"), Some("p"), None).window().unwrap().days, 7);
    for bad in ["0", "367", "-1", "week"] {
        match params(Some(bad), None, None).window() {
            Err(PageError::BadRequest(message)) => assert_eq!(
                message,
                format!("invalid days `{bad}`; use a number from 1 to 366")
            ),
            other => panic!("{bad}: {other:?}"),
        }
    }
}

#[test]
fn csv_exports_name_their_table() {
    assert_eq!(params(None, None, None).table().unwrap(), CsvTable::Days);
    assert_eq!(
        params(None, None, Some("plugins")).table().unwrap(),
        CsvTable::Plugins
    );
    assert_eq!(
        params(None, None, Some("models")).table().unwrap(),
        CsvTable::Models
    );
    assert!(matches!(
        params(None, None, Some("secrets")).table(),
        Err(PageError::BadRequest(_))
    ));
}

#[test]
fn insight_links_keep_the_window_and_plugin() {
    assert_eq!(
        url(
            "/insights.csv",
            7,
            Some("plugins~Plugin_a"),
            Some("plugins")
        ),
        "/insights.csv?days=7&plugin=plugins%7EPlugin_a&table=plugins"
    );
}
