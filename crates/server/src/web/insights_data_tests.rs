use pretty_assertions::assert_eq;

use super::*;

#[test]
fn days_are_shown_as_utc_dates() {
    assert_eq!(date_of(0), "1970-01-01");
    assert_eq!(date_of(20_454), "2026-01-01");
}

#[test]
fn the_trend_is_a_rounded_percentage_of_the_previous_window() {
    assert_eq!(trend(15, 10), Some(50.0));
    assert_eq!(trend(2, 3), Some(-33.3));
    assert_eq!(trend(5, 0), None);
}

#[test]
fn csv_fields_are_quoted_and_never_formulas() {
    assert_eq!(csv_field("plain"), "plain");
    assert_eq!(csv_field("a,b"), "\"a,b\"");
    assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
    assert_eq!(csv_field("-1"), "'-1");
}

#[test]
fn csv_exports_hold_the_same_numbers_as_the_page() {
    let counts = EventCounts {
        installed: 3,
        uninstalled: 1,
        enabled: 0,
        disabled: 2,
        used: 9,
    };
    let insights = Insights {
        days: 1,
        from: "2026-01-01".to_owned(),
        to: "2026-01-01".to_owned(),
        per_day: vec![DayRow {
            date: "2026-01-01".to_owned(),
            counts,
        }],
        totals: counts,
        plugins: vec![PluginRow {
            plugin: "plugins~Plugin_a".to_owned(),
            name: "A, the plugin".to_owned(),
            counts,
            previous_used: 6,
            used_trend_percent: Some(50.0),
            active_installs: Some(2),
        }],
        models: vec![ModelRow {
            model: "gpt-5".to_owned(),
            uses: 9,
        }],
        active_installs: Vec::new(),
    };
    assert_eq!(
        insights.csv(CsvTable::Days),
        "date,installed,uninstalled,enabled,disabled,used\n2026-01-01,3,1,0,2,9\n"
    );
    assert_eq!(
        insights.csv(CsvTable::Plugins),
        "plugin,name,installed,uninstalled,enabled,disabled,used,previous_used,used_trend_percent,active_installs\n\
         plugins~Plugin_a,\"A, the plugin\",3,1,0,2,9,6,50,2\n"
    );
    assert_eq!(insights.csv(CsvTable::Models), "model,uses\ngpt-5,9\n");
}
