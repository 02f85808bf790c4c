//! `/insights` for admins and publishers: events per day, active installs over time, top plugins
//! with their trend, uses by model, and the tables beside the charts, over a window of days;
//! `/insights.csv` and `/insights.json` export the same numbers. A publisher sees only the
//! plugins it publishes; an admin sees every plugin key.

use std::sync::Arc;

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{OriginalUri, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::catalog_view::Catalog;
use crate::db::now_unix;
use crate::rollups::{KeyScope, SECONDS_PER_DAY};
use crate::routes::{AppState, clip};
use crate::web::access::{Viewer, published_by};
use crate::web::catalog_page::{clip_chars, plugin_url};
use crate::web::charts;
use crate::web::insights_data::{self, CsvTable, EVENT_TYPES, Insights};
use crate::web::page::{Layout, PageError, html};
use crate::web::session::sign_in_redirect;

/// Window when none is asked for.
const DEFAULT_DAYS: u32 = 30;
/// Longest window.
const MAX_DAYS: u32 = 366;
/// Windows offered on the page.
const WINDOWS: [u32; 4] = [7, 30, 90, 365];
/// Bars in the top-plugins chart.
const TOP_PLUGINS: usize = 10;
/// Rows in the plugins table on the page (the exports have all).
const TABLE_PLUGINS: usize = 50;
/// Characters of a plugin or model name in a chart label.
const LABEL_CHARS: usize = 40;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct InsightsParams {
    days: Option<String>,
    plugin: Option<String>,
    table: Option<String>,
}

/// The parsed parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Window {
    days: u32,
    plugin: Option<String>,
}

impl InsightsParams {
    fn window(&self) -> Result<Window, PageError> {
        let days = match self.days.as_deref() {
            None | Some("") => DEFAULT_DAYS,
            Some(value) => value
                .parse::<u32>()
                .ok()
                .filter(|days| (1..=MAX_DAYS).contains(days))
                .ok_or_else(|| {
                    PageError::BadRequest(format!(
                        "invalid days `{}`; use a number from 1 to {MAX_DAYS}",
                        clip(value)
                    ))
                })?,
        };
        let plugin = self.plugin.clone().filter(|plugin| !plugin.is_empty());
        if plugin
            .as_ref()
            .is_some_and(|plugin| plugin.chars().count() > 256)
        {
            return Err(PageError::BadRequest(
                "the plugin parameter is longer than 256 characters".to_owned(),
            ));
        }
        Ok(Window { days, plugin })
    }

    fn table(&self) -> Result<CsvTable, PageError> {
        match self.table.as_deref() {
            None | Some("" | "days") => Ok(CsvTable::Days),
            Some("plugins") => Ok(CsvTable::Plugins),
            Some("models") => Ok(CsvTable::Models),
            Some(other) => Err(PageError::BadRequest(format!(
                "unknown table `{}`; use days, plugins or models",
                clip(other)
            ))),
        }
    }
}

/// The insights `viewer` may see for `window`, or why not.
async fn insights_for(
    state: &AppState,
    viewer: &Viewer,
    window: &Window,
) -> Result<(Insights, Arc<Catalog>), PageError> {
    let catalog = state.catalog.current().await?;
    let published: Vec<String> = match viewer {
        Viewer::SignedIn(session) if !session.is_admin => {
            published_by(&state.db, &catalog, &session.account_id)
                .await?
                .into_iter()
                .collect()
        }
        Viewer::SignedIn(_) | Viewer::Anonymous => Vec::new(),
    };
    if !viewer.is_admin() && published.is_empty() {
        return Err(PageError::Forbidden(
            "insights are for admins and for the publishers of a plugin; you publish no plugin \
             of this service"
                .to_owned(),
        ));
    }
    let only;
    let keys = match (&window.plugin, viewer.is_admin()) {
        (Some(plugin), true) => {
            only = [plugin.clone()];
            KeyScope::Only(&only)
        }
        (Some(plugin), false) => {
            if !published.contains(plugin) {
                return Err(PageError::NotFound(format!(
                    "no insights for plugin `{}`: it does not exist or you do not publish it",
                    clip(plugin)
                )));
            }
            only = [plugin.clone()];
            KeyScope::Only(&only)
        }
        (None, true) => KeyScope::All,
        (None, false) => KeyScope::Only(&published),
    };
    let today = now_unix().div_euclid(SECONDS_PER_DAY);
    let insights = insights_data::compute(&state.db, &catalog, keys, window.days, today).await?;
    Ok((insights, catalog))
}

async fn signed_in_insights(
    state: &AppState,
    viewer: &Viewer,
    uri: &axum::http::Uri,
    params: Result<Query<InsightsParams>, QueryRejection>,
) -> Result<Result<(Insights, Arc<Catalog>, InsightsParams, Window), Response>, PageError> {
    if *viewer == Viewer::Anonymous {
        return Ok(Err(sign_in_redirect(&uri.to_string())));
    }
    let Query(params) = params.map_err(|err| PageError::BadRequest(err.body_text()))?;
    let window = params.window()?;
    let (insights, catalog) = insights_for(state, viewer, &window).await?;
    Ok(Ok((insights, catalog, params, window)))
}

/// A chart and the caption under it.
#[derive(Debug)]
struct Chart {
    id: &'static str,
    caption: String,
    svg: String,
}

/// A link to another window.
#[derive(Debug)]
struct WindowLink {
    days: u32,
    url: String,
    current: bool,
}

/// A plugin row as the page's table shows it.
#[derive(Debug)]
struct PluginLine {
    name: String,
    url: Option<String>,
    insights_url: String,
    values: [i64; 5],
    previous_used: i64,
    trend: String,
    active_installs: String,
}

#[derive(Template)]
#[template(path = "insights.html")]
struct InsightsTemplate<'a> {
    layout: Layout,
    insights: &'a Insights,
    plugin: Option<String>,
    all_url: String,
    windows: Vec<WindowLink>,
    charts: Vec<Chart>,
    labels: [&'static str; 5],
    plugins: Vec<PluginLine>,
    more_plugins: usize,
    csv_days_url: String,
    csv_plugins_url: String,
    csv_models_url: String,
    json_url: String,
}

fn url(path: &str, days: u32, plugin: Option<&str>, table: Option<&str>) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("days", &days.to_string());
    if let Some(plugin) = plugin {
        query.append_pair("plugin", plugin);
    }
    if let Some(table) = table {
        query.append_pair("table", table);
    }
    format!("{path}?{}", query.finish())
}

fn charts_of(insights: &Insights) -> Result<Vec<Chart>, charts::ChartError> {
    let dates: Vec<String> = insights
        .per_day
        .iter()
        .map(|row| row.date.get(5..).unwrap_or(&row.date).to_owned())
        .collect();
    let totals = insights.totals.values();
    let events: Vec<(String, Vec<i64>)> = EVENT_TYPES
        .iter()
        .enumerate()
        .map(|(index, (_, label))| {
            (
                format!("{label}: {}", totals[index]),
                insights
                    .per_day
                    .iter()
                    .map(|row| row.counts.values()[index])
                    .collect(),
            )
        })
        .collect();
    let installs: Vec<(String, Vec<i64>)> = insights
        .active_installs
        .iter()
        .map(|series| {
            let now = series.active.last().copied().unwrap_or(0);
            (
                format!("{}: {now} active", clip_chars(&series.name, LABEL_CHARS)),
                series.active.clone(),
            )
        })
        .collect();
    let top: Vec<(String, i64)> = insights
        .plugins
        .iter()
        .take(TOP_PLUGINS)
        .map(|row| {
            let trend = row
                .used_trend_percent
                .map(|trend| format!(" ({trend:+}%)"))
                .unwrap_or_default();
            (
                format!("{}{trend}", clip_chars(&row.name, LABEL_CHARS)),
                row.counts.used,
            )
        })
        .collect();
    let models: Vec<(String, i64)> = insights
        .models
        .iter()
        .take(TOP_PLUGINS)
        .map(|row| (clip_chars(&row.model, LABEL_CHARS), row.uses))
        .collect();
    Ok(vec![
        Chart {
            id: "events",
            caption: format!(
                "Plugin events per day, {} to {}",
                insights.from, insights.to
            ),
            svg: charts::line_chart("events per day", &dates, &events)?,
        },
        Chart {
            id: "active-installs",
            caption: "Active installs (the service's install records) of the most used plugins"
                .to_owned(),
            svg: charts::line_chart("active installs", &dates, &installs)?,
        },
        Chart {
            id: "top-plugins",
            caption: "Top plugins by uses, with the change against the previous window".to_owned(),
            svg: charts::bar_chart("top plugins", &top)?,
        },
        Chart {
            id: "models",
            caption: "Uses by model".to_owned(),
            svg: charts::bar_chart("uses by model", &models)?,
        },
    ])
}

/// `GET /insights`.
pub(crate) async fn insights(
    State(state): State<AppState>,
    viewer: Viewer,
    OriginalUri(uri): OriginalUri,
    params: Result<Query<InsightsParams>, QueryRejection>,
) -> Result<Response, PageError> {
    let (insights, catalog, _, window) =
        match signed_in_insights(&state, &viewer, &uri, params).await? {
            Ok(found) => found,
            Err(redirect) => return Ok(redirect),
        };
    let plugin = window.plugin.as_deref();
    let charts = charts_of(&insights)?;
    let plugins = insights
        .plugins
        .iter()
        .take(TABLE_PLUGINS)
        .map(|row| PluginLine {
            name: row.name.clone(),
            url: catalog.record(&row.plugin).map(|_| plugin_url(&row.plugin)),
            insights_url: url("/insights", window.days, Some(&row.plugin), None),
            values: row.counts.values(),
            previous_used: row.previous_used,
            trend: row
                .used_trend_percent
                .map_or_else(|| "–".to_owned(), |trend| format!("{trend:+}%")),
            active_installs: row
                .active_installs
                .map_or_else(|| "–".to_owned(), |active| active.to_string()),
        })
        .collect();
    let template = InsightsTemplate {
        layout: Layout::new("Insights", &viewer, "insights"),
        insights: &insights,
        plugin: window.plugin.clone(),
        all_url: url("/insights", window.days, None, None),
        windows: WINDOWS
            .iter()
            .map(|days| WindowLink {
                days: *days,
                url: url("/insights", *days, plugin, None),
                current: *days == window.days,
            })
            .collect(),
        charts,
        labels: EVENT_TYPES.map(|(_, label)| label),
        plugins,
        more_plugins: insights.plugins.len().saturating_sub(TABLE_PLUGINS),
        csv_days_url: url("/insights.csv", window.days, plugin, Some("days")),
        csv_plugins_url: url("/insights.csv", window.days, plugin, Some("plugins")),
        csv_models_url: url("/insights.csv", window.days, plugin, Some("models")),
        json_url: url("/insights.json", window.days, plugin, None),
    };
    html(&template)
}

fn download(content_type: &'static str, filename: &str, body: String) -> Response {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response()
}

/// `GET /insights.csv?table=days|plugins|models`.
pub(crate) async fn insights_csv(
    State(state): State<AppState>,
    viewer: Viewer,
    OriginalUri(uri): OriginalUri,
    params: Result<Query<InsightsParams>, QueryRejection>,
) -> Result<Response, PageError> {
    let (insights, _, params, _) = match signed_in_insights(&state, &viewer, &uri, params).await? {
        Ok(found) => found,
        Err(redirect) => return Ok(redirect),
    };
    let table = params.table()?;
    let name = match table {
        CsvTable::Days => "days",
        CsvTable::Plugins => "plugins",
        CsvTable::Models => "models",
    };
    Ok(download(
        "text/csv; charset=utf-8",
        &format!(
            "berth-insights-{name}-{}-{}.csv",
            insights.from, insights.to
        ),
        insights.csv(table),
    ))
}

/// `GET /insights.json`.
pub(crate) async fn insights_json(
    State(state): State<AppState>,
    viewer: Viewer,
    OriginalUri(uri): OriginalUri,
    params: Result<Query<InsightsParams>, QueryRejection>,
) -> Result<Response, PageError> {
    let (insights, ..) = match signed_in_insights(&state, &viewer, &uri, params).await? {
        Ok(found) => found,
        Err(redirect) => return Ok(redirect),
    };
    let body = serde_json::to_string_pretty(&insights).unwrap_or_default();
    Ok(download(
        "application/json",
        &format!("berth-insights-{}-{}.json", insights.from, insights.to),
        body,
    ))
}

#[cfg(test)]
#[path = "insights_tests.rs"]
mod tests;
