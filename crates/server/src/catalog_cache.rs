//! [`CatalogCache`]: the catalog kept in memory, and never stale. Catalog rows change only on a
//! publish or a status change, which may come from another process (`berth publish`, `berth
//! serve status`) or another server instance on the same database, so every request waits for
//! one revision check that *started after it arrived*: a single cheap query
//! (`catalog_changes`), shared by all the requests that arrived while the previous check ran.
//! A response therefore reflects every catalog change committed before its request arrived,
//! while the database sees about one small query per round trip instead of one catalog query
//! per request. Only plugins stamped after the cached revision are reloaded.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::Notify;

use crate::catalog_view::Catalog;
use crate::db::Db;
use crate::error::StoreError;

/// The shared, always-current catalog. See the module documentation.
#[derive(Debug)]
pub struct CatalogCache {
    db: Db,
    gate: Mutex<Gate>,
    checked: Notify,
}

/// Revision checks: numbered in start order; at most one runs at a time.
#[derive(Debug)]
struct Gate {
    /// Checks started so far (the number of the latest).
    started: u64,
    /// The number of the latest finished check.
    finished: u64,
    /// Whether check `started` is still running.
    running: bool,
    /// The latest catalog loaded.
    catalog: Arc<Catalog>,
    /// What the latest finished check gave.
    outcome: Result<Arc<Catalog>, Arc<StoreError>>,
}

impl CatalogCache {
    /// An empty cache over `db`; the first request loads the whole catalog.
    pub fn new(db: Db) -> Self {
        let empty = Arc::new(Catalog::default());
        Self {
            db,
            gate: Mutex::new(Gate {
                started: 0,
                finished: 0,
                running: false,
                catalog: Arc::clone(&empty),
                outcome: Ok(empty),
            }),
            checked: Notify::new(),
        }
    }

    fn gate(&self) -> MutexGuard<'_, Gate> {
        self.gate.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The catalog as of a revision check that started after this call: it includes every
    /// change committed before the call.
    pub async fn current(self: &Arc<Self>) -> Result<Arc<Catalog>, StoreError> {
        // A check that is already running may have read the revision before this request
        // arrived, so wait for the next one.
        let wanted = self.gate().started + 1;
        loop {
            let checked = self.checked.notified();
            tokio::pin!(checked);
            checked.as_mut().enable();
            {
                let mut gate = self.gate();
                if gate.finished >= wanted {
                    return gate.outcome.clone().map_err(StoreError::CatalogRefresh);
                }
                if !gate.running {
                    gate.running = true;
                    gate.started += 1;
                    let base = Arc::clone(&gate.catalog);
                    // A task of its own, so that a request dropped mid-check (its client went
                    // away) cannot leave the gate closed.
                    tokio::spawn(Arc::clone(self).check(base));
                }
            }
            checked.await;
        }
    }

    /// Reads the changes since `base` and publishes the outcome to the waiting requests.
    async fn check(self: Arc<Self>, base: Arc<Catalog>) {
        let outcome = match self.db.catalog_changes(base.revision()).await {
            Ok(changes) if changes.revision == base.revision() => Ok(base),
            Ok(changes) => Ok(Arc::new(base.with_changes(changes))),
            Err(err) => Err(Arc::new(err)),
        };
        {
            let mut gate = self.gate();
            if let Ok(catalog) = &outcome {
                gate.catalog = Arc::clone(catalog);
            }
            gate.outcome = outcome;
            gate.finished = gate.started;
            gate.running = false;
        }
        self.checked.notify_waiters();
    }
}
