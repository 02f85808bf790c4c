//! Catalog search for the web pages: an index of the catalog at one revision (each plugin's
//! name, display name, descriptions and keywords, lowercased once), rebuilt when the catalog
//! changes, and a query over it that applies the viewer's visibility, the text terms (all must
//! match), the category and scope filters, and server-side paging.

use std::collections::BTreeSet;
use std::sync::{Arc, PoisonError};

use berth_service_protocol::Scope;

use crate::catalog::PluginRecord;
use crate::catalog_view::Catalog;
use crate::web::WebState;
use crate::web::access::Viewer;

/// Plugins per catalog page.
pub(crate) const PAGE_SIZE: usize = 24;

/// One indexed plugin.
#[derive(Debug)]
struct Entry {
    record: Arc<PluginRecord>,
    /// Name, display name, descriptions and keywords, lowercased, one per line.
    text: String,
    /// Its category's position in [`SearchIndex::categories`].
    category: Option<usize>,
}

/// The catalog at one revision, ready to search.
#[derive(Debug)]
pub(crate) struct SearchIndex {
    revision: i64,
    entries: Vec<Entry>,
    /// Every category, sorted.
    categories: Vec<String>,
}

/// What the viewer asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SearchQuery {
    /// Words that must all appear (any case).
    pub(crate) text: String,
    /// Only this category.
    pub(crate) category: Option<String>,
    /// Only this scope.
    pub(crate) scope: Option<Scope>,
    /// 1-based page number.
    pub(crate) page: usize,
}

/// One page of results.
#[derive(Debug)]
pub(crate) struct SearchPage {
    /// The plugins on this page, in id order.
    pub(crate) items: Vec<Arc<PluginRecord>>,
    /// How many plugins match in all.
    pub(crate) total: usize,
    /// The categories of every plugin the viewer may browse, sorted.
    pub(crate) categories: Vec<String>,
}

impl SearchIndex {
    fn build(catalog: &Catalog) -> Self {
        let categories: Vec<String> = catalog
            .records()
            .filter_map(|record| record.item.release.interface.category.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let entries = catalog
            .records()
            .map(|record| {
                let item = &record.item;
                let release = &item.release;
                let interface = &release.interface;
                let mut text = String::new();
                for field in [
                    Some(item.name.as_str()),
                    Some(release.display_name.as_str()),
                    release.description.as_deref(),
                    interface.short_description.as_deref(),
                    interface.long_description.as_deref(),
                ]
                .into_iter()
                .flatten()
                .chain(release.keywords.iter().map(String::as_str))
                {
                    text.push_str(&field.to_lowercase());
                    text.push('\n');
                }
                Entry {
                    record: Arc::clone(record),
                    text,
                    category: interface
                        .category
                        .as_ref()
                        .and_then(|category| categories.binary_search(category).ok()),
                }
            })
            .collect();
        Self {
            revision: catalog.revision(),
            entries,
            categories,
        }
    }

    /// The page `query.page` of what `viewer` may browse and `query` selects.
    pub(crate) fn search(&self, viewer: &Viewer, query: &SearchQuery) -> SearchPage {
        let terms: Vec<String> = query
            .text
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        let skip = query.page.saturating_sub(1).saturating_mul(PAGE_SIZE);
        // A category nobody has matches nothing.
        let wanted = query
            .category
            .as_ref()
            .map(|wanted| self.categories.binary_search(wanted).ok());
        let mut seen = vec![false; self.categories.len()];
        let mut items = Vec::new();
        let mut total = 0;
        for entry in &self.entries {
            let record = &entry.record;
            if !viewer.may_browse(record) {
                continue;
            }
            if let Some(category) = entry.category {
                seen[category] = true;
            }
            let selected = query.scope.is_none_or(|scope| record.item.scope == scope)
                && wanted.is_none_or(|wanted| wanted.is_some() && entry.category == wanted)
                && terms.iter().all(|term| entry.text.contains(term.as_str()));
            if selected {
                if total >= skip && items.len() < PAGE_SIZE {
                    items.push(Arc::clone(record));
                }
                total += 1;
            }
        }
        SearchPage {
            items,
            total,
            categories: self
                .categories
                .iter()
                .zip(seen)
                .filter(|(_, seen)| *seen)
                .map(|(category, _)| category.clone())
                .collect(),
        }
    }
}

impl WebState {
    /// The search index of `catalog`, built once per catalog revision.
    pub(crate) fn index(&self, catalog: &Catalog) -> Arc<SearchIndex> {
        let cached = self
            .index
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(index) = cached
            && index.revision == catalog.revision()
        {
            return index;
        }
        let index = Arc::new(SearchIndex::build(catalog));
        let mut slot = self.index.lock().unwrap_or_else(PoisonError::into_inner);
        if slot
            .as_ref()
            .is_none_or(|current| current.revision < index.revision)
        {
            *slot = Some(Arc::clone(&index));
        }
        index
    }
}

#[cfg(test)]
#[path = "search_tests.rs"]
mod tests;
