//! The numbers behind `/insights`, computed from the daily rollups and install counts only (no
//! raw events): events per day and type over a window, each plugin's totals against the window
//! before (its trend), uses by model, and the active installs of the top plugins over time. The
//! page, its charts and its CSV and JSON exports all show this one [`Insights`] value.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::catalog_view::Catalog;
use crate::db::Db;
use crate::error::StoreError;
use crate::rollups::{KeyScope, SECONDS_PER_DAY, USED_EVENT};

/// The plugin event types, in the order the pages show them, with their labels.
pub(crate) const EVENT_TYPES: [(&str, &str); 5] = [
    ("codex_plugin_installed", "Installs"),
    ("codex_plugin_uninstalled", "Uninstalls"),
    ("codex_plugin_enabled", "Enables"),
    ("codex_plugin_disabled", "Disables"),
    (USED_EVENT, "Uses"),
];
/// Plugins whose active installs are drawn over time.
pub(crate) const INSTALL_SERIES_PLUGINS: usize = 5;
/// The most used plugins whose active installs are reported (each is one query parameter).
pub(crate) const ACTIVE_INSTALL_PLUGINS: usize = 100;

/// Counts of the five plugin events.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub(crate) struct EventCounts {
    pub(crate) installed: i64,
    pub(crate) uninstalled: i64,
    pub(crate) enabled: i64,
    pub(crate) disabled: i64,
    pub(crate) used: i64,
}

impl EventCounts {
    fn add(&mut self, event_type: &str, events: i64) {
        let slot = match event_type {
            "codex_plugin_installed" => &mut self.installed,
            "codex_plugin_uninstalled" => &mut self.uninstalled,
            "codex_plugin_enabled" => &mut self.enabled,
            "codex_plugin_disabled" => &mut self.disabled,
            USED_EVENT => &mut self.used,
            _ => return,
        };
        *slot += events;
    }

    /// The counts as CSV fields, in [`EVENT_TYPES`] order.
    fn csv(&self) -> String {
        self.values().map(|value| value.to_string()).join(",")
    }

    /// The counts in [`EVENT_TYPES`] order.
    pub(crate) fn values(&self) -> [i64; 5] {
        [
            self.installed,
            self.uninstalled,
            self.enabled,
            self.disabled,
            self.used,
        ]
    }
}

/// One day of the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct DayRow {
    /// `YYYY-MM-DD` (UTC).
    pub(crate) date: String,
    #[serde(flatten)]
    pub(crate) counts: EventCounts,
}

/// One plugin's numbers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct PluginRow {
    /// The rollup key: the backend id, or a local `name@marketplace` id.
    pub(crate) plugin: String,
    /// Its display name when the catalog has it.
    pub(crate) name: String,
    /// Events in the window.
    #[serde(flatten)]
    pub(crate) counts: EventCounts,
    /// Uses in the window before.
    pub(crate) previous_used: i64,
    /// Change of uses against the window before, in percent (none when there were none).
    pub(crate) used_trend_percent: Option<f64>,
    /// Active installs at the end of the window (the most used plugins of the catalog only).
    pub(crate) active_installs: Option<i64>,
}

/// Uses with one model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct ModelRow {
    /// The model (`(not reported)` when events named none).
    pub(crate) model: String,
    pub(crate) uses: i64,
}

/// A plugin's active installs on each day of the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct InstallSeries {
    pub(crate) plugin: String,
    pub(crate) name: String,
    pub(crate) active: Vec<i64>,
}

/// Everything `/insights` shows for one window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Insights {
    /// Length of the window in days.
    pub(crate) days: u32,
    /// First day of the window (`YYYY-MM-DD`).
    pub(crate) from: String,
    /// Last day of the window (today, UTC).
    pub(crate) to: String,
    /// One row per day, oldest first.
    pub(crate) per_day: Vec<DayRow>,
    /// Sums over the window.
    pub(crate) totals: EventCounts,
    /// Plugins with events in the window or the one before, most used first.
    pub(crate) plugins: Vec<PluginRow>,
    /// Uses by model, most used first.
    pub(crate) models: Vec<ModelRow>,
    /// Active installs over the window of the most used plugins of the catalog.
    pub(crate) active_installs: Vec<InstallSeries>,
}

/// `YYYY-MM-DD` of a day number.
pub(crate) fn date_of(day: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::OffsetDateTime::from_unix_timestamp(day.saturating_mul(SECONDS_PER_DAY))
        .ok()
        .and_then(|time| time.date().format(&format).ok())
        .unwrap_or_else(|| format!("day {day}"))
}

fn trend(current: i64, previous: i64) -> Option<f64> {
    #[expect(clippy::cast_precision_loss, reason = "a rounded percentage")]
    (previous > 0).then(|| ((current - previous) as f64 * 1000.0 / previous as f64).round() / 10.0)
}

/// Each of `plugin_ids`' active installs on every day in `[from, to)`, from the install
/// counts recorded on the days it changed.
async fn install_series(
    db: &Db,
    plugin_ids: &[String],
    from: i64,
    to: i64,
) -> Result<BTreeMap<String, Vec<i64>>, StoreError> {
    let counts = db.install_counts(plugin_ids, to).await?;
    let mut series = BTreeMap::new();
    for plugin in plugin_ids {
        let mut recorded = counts
            .iter()
            .filter(|count| &count.plugin_id == plugin)
            .peekable();
        let mut active = 0;
        let mut values = Vec::new();
        for day in from..to {
            while let Some(count) = recorded.next_if(|count| count.day <= day) {
                active = count.active;
            }
            values.push(active);
        }
        series.insert(plugin.clone(), values);
    }
    Ok(series)
}

/// Computes the insights of the `days` days ending `today` for the plugin keys in scope.
pub(crate) async fn compute(
    db: &Db,
    catalog: &Catalog,
    keys: KeyScope<'_>,
    days: u32,
    today: i64,
) -> Result<Insights, StoreError> {
    let to = today + 1;
    let from = to - i64::from(days);
    let previous_from = from - i64::from(days);
    let (per_day, per_key, models) = tokio::join!(
        db.rollup_days(keys, from, to),
        db.rollup_keys(keys, previous_from, from, to),
        db.rollup_models(keys, from, to)
    );
    let mut day_counts: BTreeMap<i64, EventCounts> = (from..to)
        .map(|day| (day, EventCounts::default()))
        .collect();
    let mut totals = EventCounts::default();
    for row in per_day? {
        if let Some(counts) = day_counts.get_mut(&row.day) {
            counts.add(&row.event_type, row.events);
            totals.add(&row.event_type, row.events);
        }
    }
    let mut plugins: BTreeMap<String, (EventCounts, i64)> = BTreeMap::new();
    for row in per_key? {
        let entry = plugins.entry(row.plugin_key).or_default();
        entry.0.add(&row.event_type, row.current);
        if row.event_type == USED_EVENT {
            entry.1 += row.previous;
        }
    }
    let mut plugins: Vec<PluginRow> = plugins
        .into_iter()
        .map(|(plugin, (counts, previous_used))| PluginRow {
            name: catalog.record(&plugin).map_or_else(
                || plugin.clone(),
                |record| record.item.release.display_name.clone(),
            ),
            used_trend_percent: trend(counts.used, previous_used),
            plugin,
            counts,
            previous_used,
            active_installs: None,
        })
        .collect();
    plugins.sort_by(|a, b| {
        (b.counts.used, b.counts.installed)
            .cmp(&(a.counts.used, a.counts.installed))
            .then_with(|| a.plugin.cmp(&b.plugin))
    });
    let in_catalog: Vec<String> = plugins
        .iter()
        .filter(|row| catalog.record(&row.plugin).is_some())
        .take(ACTIVE_INSTALL_PLUGINS)
        .map(|row| row.plugin.clone())
        .collect();
    let series = install_series(db, &in_catalog, from, to).await?;
    for row in &mut plugins {
        row.active_installs = series
            .get(row.plugin.as_str())
            .and_then(|values| values.last().copied());
    }
    let active_installs = plugins
        .iter()
        .filter_map(|row| {
            series.get(row.plugin.as_str()).map(|values| InstallSeries {
                plugin: row.plugin.clone(),
                name: row.name.clone(),
                active: values.clone(),
            })
        })
        .take(INSTALL_SERIES_PLUGINS)
        .collect();
    Ok(Insights {
        days,
        from: date_of(from),
        to: date_of(today),
        per_day: day_counts
            .into_iter()
            .map(|(day, counts)| DayRow {
                date: date_of(day),
                counts,
            })
            .collect(),
        totals,
        plugins,
        models: models?
            .into_iter()
            .map(|row| ModelRow {
                model: if row.model.is_empty() {
                    "(not reported)".to_owned()
                } else {
                    row.model
                },
                uses: row.uses,
            })
            .collect(),
        active_installs,
    })
}

/// One CSV field, quoted when it needs to be, and never read as a formula by a spreadsheet.
fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// Which table a CSV export holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CsvTable {
    /// Events per day.
    Days,
    /// Per plugin.
    Plugins,
    /// Uses by model.
    Models,
}

impl Insights {
    /// The table `table` as CSV, with a header row.
    pub(crate) fn csv(&self, table: CsvTable) -> String {
        let mut out = String::new();
        match table {
            CsvTable::Days => {
                out.push_str("date,installed,uninstalled,enabled,disabled,used\n");
                for row in &self.per_day {
                    let _ = writeln!(out, "{},{}", row.date, row.counts.csv());
                }
            }
            CsvTable::Plugins => {
                out.push_str(
                    "plugin,name,installed,uninstalled,enabled,disabled,used,previous_used,used_trend_percent,active_installs\n",
                );
                for row in &self.plugins {
                    let trend = row
                        .used_trend_percent
                        .map(|t| t.to_string())
                        .unwrap_or_default();
                    let active = row
                        .active_installs
                        .map(|n| n.to_string())
                        .unwrap_or_default();
                    let _ = writeln!(
                        out,
                        "{},{},{},{},{trend},{active}",
                        csv_field(&row.plugin),
                        csv_field(&row.name),
                        row.counts.csv(),
                        row.previous_used
                    );
                }
            }
            CsvTable::Models => {
                out.push_str("model,uses\n");
                for row in &self.models {
                    let _ = writeln!(out, "{},{}", csv_field(&row.model), row.uses);
                }
            }
        }
        out
    }
}

#[cfg(test)]
#[path = "insights_data_tests.rs"]
mod tests;
