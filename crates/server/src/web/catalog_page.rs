//! `GET /`: the catalog page. Every plugin the viewer may browse (the API's visibility rules;
//! the GLOBAL catalog for anonymous viewers with `--public-catalog`), searched and filtered by
//! category and scope, a page of cards at a time.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{OriginalUri, Query, State};
use axum::response::Response;
use berth_service_protocol::Scope;
use serde::Deserialize;

use crate::catalog::PluginRecord;
use crate::routes::{AppState, clip};
use crate::web::access::Viewer;
use crate::web::page::{Layout, PageError, html};
use crate::web::search::{PAGE_SIZE, SearchQuery};
use crate::web::session::sign_in_redirect;

/// Longest search text accepted.
const MAX_SEARCH_CHARS: usize = 200;
/// Longest category accepted.
const MAX_CATEGORY_CHARS: usize = 100;
/// Highest page number accepted.
const MAX_PAGE: usize = 100_000;
/// Characters of a description shown on a card.
const CARD_DESCRIPTION_CHARS: usize = 240;

/// The catalog page's query string; every field optional.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct CatalogParams {
    q: Option<String>,
    category: Option<String>,
    scope: Option<String>,
    page: Option<String>,
}

impl CatalogParams {
    /// The query these parameters ask for, or why they are invalid.
    pub(crate) fn parse(&self) -> Result<SearchQuery, PageError> {
        let text = self.q.clone().unwrap_or_default();
        if text.chars().count() > MAX_SEARCH_CHARS {
            return Err(PageError::BadRequest(format!(
                "the search text is longer than {MAX_SEARCH_CHARS} characters; search for fewer words"
            )));
        }
        let category = self
            .category
            .clone()
            .filter(|category| !category.is_empty());
        if category
            .as_ref()
            .is_some_and(|category| category.chars().count() > MAX_CATEGORY_CHARS)
        {
            return Err(PageError::BadRequest(format!(
                "the category is longer than {MAX_CATEGORY_CHARS} characters"
            )));
        }
        let scope = match self.scope.as_deref() {
            None | Some("") => None,
            Some(value) => Some(Scope::parse(value).ok_or_else(|| {
                PageError::BadRequest(format!(
                    "unknown scope `{}`; use GLOBAL, WORKSPACE or USER",
                    clip(value)
                ))
            })?),
        };
        let page = match self.page.as_deref() {
            None | Some("") => 1,
            Some(value) => value
                .parse::<usize>()
                .ok()
                .filter(|page| (1..=MAX_PAGE).contains(page))
                .ok_or_else(|| {
                    PageError::BadRequest(format!(
                        "invalid page `{}`; use a number from 1 to {MAX_PAGE}",
                        clip(value)
                    ))
                })?,
        };
        Ok(SearchQuery {
            text,
            category,
            scope,
            page,
        })
    }
}

/// A plugin as its catalog card shows it.
#[derive(Debug)]
pub(crate) struct Card {
    pub(crate) url: String,
    pub(crate) display_name: String,
    pub(crate) description: String,
    pub(crate) developer: Option<String>,
    pub(crate) category: Option<String>,
    pub(crate) version: Option<String>,
    pub(crate) scope: &'static str,
    pub(crate) brand_color: Option<String>,
}

/// `value` if it is a `#rgb` or `#rrggbb` colour, the only form drawn.
pub(crate) fn brand_color(value: Option<&str>) -> Option<String> {
    let value = value?.trim();
    let hex = value.strip_prefix('#')?;
    (matches!(hex.len(), 3 | 6) && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| value.to_ascii_lowercase())
}

/// `text` cut to `max` characters, with an ellipsis when cut.
pub(crate) fn clip_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some((end, _)) => format!("{}…", text[..end].trim_end()),
    }
}

/// The URL of plugin `id`'s page.
pub(crate) fn plugin_url(id: &str) -> String {
    format!("/plugins/{id}")
}

impl Card {
    fn new(record: &PluginRecord) -> Self {
        let item = &record.item;
        let release = &item.release;
        let interface = &release.interface;
        let description = interface
            .short_description
            .as_deref()
            .or(release.description.as_deref())
            .unwrap_or_default();
        Self {
            url: plugin_url(&item.id),
            display_name: clip_chars(&release.display_name, 120),
            description: clip_chars(description, CARD_DESCRIPTION_CHARS),
            developer: interface
                .developer_name
                .as_deref()
                .map(|name| clip_chars(name, 80)),
            category: interface
                .category
                .as_deref()
                .map(|name| clip_chars(name, 80)),
            version: release.version.clone(),
            scope: item.scope.as_str(),
            brand_color: brand_color(interface.brand_color.as_deref()),
        }
    }
}

/// An `<option>` of a filter.
#[derive(Debug)]
pub(crate) struct SelectOption {
    pub(crate) value: String,
    pub(crate) selected: bool,
}

#[derive(Template)]
#[template(path = "catalog.html")]
struct CatalogTemplate<'a> {
    layout: Layout,
    query: &'a SearchQuery,
    categories: Vec<SelectOption>,
    scopes: Vec<SelectOption>,
    cards: Vec<Card>,
    total: usize,
    page: usize,
    pages: usize,
    previous_url: Option<String>,
    next_url: Option<String>,
}

/// `/?q=..&category=..&scope=..&page=N` for `query` at page `page`.
fn page_url(query: &SearchQuery, page: usize) -> String {
    let mut url = form_urlencoded::Serializer::new(String::new());
    if !query.text.is_empty() {
        url.append_pair("q", &query.text);
    }
    if let Some(category) = &query.category {
        url.append_pair("category", category);
    }
    if let Some(scope) = query.scope {
        url.append_pair("scope", scope.as_str());
    }
    if page > 1 {
        url.append_pair("page", &page.to_string());
    }
    let query = url.finish();
    if query.is_empty() {
        "/".to_owned()
    } else {
        format!("/?{query}")
    }
}

/// `GET /`.
pub(crate) async fn catalog(
    State(state): State<AppState>,
    viewer: Viewer,
    OriginalUri(uri): OriginalUri,
    params: Result<Query<CatalogParams>, QueryRejection>,
) -> Result<Response, PageError> {
    if viewer == Viewer::Anonymous && !state.web.public_catalog {
        return Ok(sign_in_redirect(&uri.to_string()));
    }
    let Query(params) = params.map_err(|err| PageError::BadRequest(err.body_text()))?;
    let query = params.parse()?;
    let catalog = state.catalog.current().await?;
    let index = state.web.index(&catalog);
    let found = index.search(&viewer, &query);
    let pages = found.total.div_ceil(PAGE_SIZE).max(1);
    let template = CatalogTemplate {
        layout: Layout::new("Plugins", &viewer, "catalog"),
        query: &query,
        categories: found
            .categories
            .into_iter()
            .map(|value| SelectOption {
                selected: query.category.as_ref() == Some(&value),
                value,
            })
            .collect(),
        scopes: Scope::ALL
            .iter()
            .map(|scope| SelectOption {
                value: scope.as_str().to_owned(),
                selected: query.scope == Some(*scope),
            })
            .collect(),
        cards: found.items.iter().map(|record| Card::new(record)).collect(),
        total: found.total,
        page: query.page,
        pages,
        previous_url: (query.page > 1).then(|| page_url(&query, query.page - 1)),
        next_url: (query.page < pages).then(|| page_url(&query, query.page + 1)),
    };
    html(&template)
}

#[cfg(test)]
#[path = "catalog_page_tests.rs"]
mod tests;
