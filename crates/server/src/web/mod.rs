//! The web pages of `berth serve`: the catalog (`/`), plugin pages (`/plugins/{id}`), insights
//! (`/insights`, with CSV and JSON exports), sign-in and sign-out, and the embedded assets. Pages
//! read the in-memory catalog the API reads, with the same visibility rules, and analytics from
//! the daily rollups only. Every answer carries a strict Content-Security-Policy.

mod access;
mod assets;
mod catalog_page;
mod charts;
#[cfg(test)]
mod fixtures;
mod insights;
mod insights_data;
mod markdown;
mod page;
mod plugin_page;
mod search;
mod session;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::routing::{get, post};

use crate::routes::AppState;

/// State of the web pages, shared by every request.
#[derive(Debug, Default)]
pub(crate) struct WebState {
    /// `--public-catalog`: anonymous viewers see the GLOBAL catalog and its plugin pages.
    pub(crate) public_catalog: bool,
    /// The search index of the latest catalog revision seen.
    index: Mutex<Option<Arc<search::SearchIndex>>>,
    /// Bundle sizes by SHA-256 (bundles never change under a digest).
    bundle_sizes: Mutex<HashMap<String, u64>>,
}

impl WebState {
    /// Web state with `--public-catalog` set as given.
    pub(crate) fn new(public_catalog: bool) -> Self {
        Self {
            public_catalog,
            ..Self::default()
        }
    }

    fn bundle_size(&self, sha256: &str) -> Option<u64> {
        self.bundle_sizes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(sha256)
            .copied()
    }

    fn remember_bundle_size(&self, sha256: &str, size: u64) {
        let mut sizes = self
            .bundle_sizes
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if sizes.len() > 100_000 {
            sizes.clear();
        }
        sizes.insert(sha256.to_owned(), size);
    }
}

/// The page routes, each answer with the security headers.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(catalog_page::catalog))
        .route("/plugins/{id}", get(plugin_page::plugin))
        .route("/plugins/{id}/status", post(plugin_page::set_status))
        .route("/insights", get(insights::insights))
        .route("/insights.csv", get(insights::insights_csv))
        .route("/insights.json", get(insights::insights_json))
        .route(
            "/sign-in",
            get(session::sign_in_form).post(session::sign_in),
        )
        .route("/sign-out", post(session::sign_out))
        .route("/assets/{file}", get(assets::asset))
        .layer(axum::middleware::map_response(page::security_headers))
}
