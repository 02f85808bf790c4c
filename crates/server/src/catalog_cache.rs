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
pub(crate) struct CatalogCache {
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
    /// Why the latest finished check failed, if it did (else it gave `catalog`).
    failure: Option<Arc<StoreError>>,
}

impl CatalogCache {
    /// An empty cache over `db`; the first request loads the whole catalog.
    pub(crate) fn new(db: Db) -> Self {
        Self {
            db,
            gate: Mutex::new(Gate {
                started: 0,
                finished: 0,
                running: false,
                catalog: Arc::new(Catalog::default()),
                failure: None,
            }),
            checked: Notify::new(),
        }
    }

    fn gate(&self) -> MutexGuard<'_, Gate> {
        self.gate.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The catalog as of a revision check that started after this call: it includes every
    /// change committed before the call.
    pub(crate) async fn current(self: &Arc<Self>) -> Result<Arc<Catalog>, StoreError> {
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
                    return match &gate.failure {
                        Some(failure) => Err(StoreError::CatalogRefresh(Arc::clone(failure))),
                        None => Ok(Arc::clone(&gate.catalog)),
                    };
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
        let changes = self.db.catalog_changes(base.revision()).await;
        {
            let mut gate = self.gate();
            match changes {
                Ok(changes) if changes.revision == base.revision() => gate.failure = None,
                Ok(changes) => {
                    gate.catalog = Arc::new(base.with_changes(changes));
                    gate.failure = None;
                }
                Err(err) => gate.failure = Some(Arc::new(err)),
            }
            gate.finished = gate.started;
            gate.running = false;
        }
        self.checked.notify_waiters();
    }
}
