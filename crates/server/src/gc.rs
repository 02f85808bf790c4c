//! Bundle garbage collection (`berth serve gc`): removes the bundles no release references from
//! every store a server's data can be in (the folder `<data-dir>/bundles` and the database), and
//! the staged uploads killed uploads and publishes left behind. A bundle stored (or stored
//! again) less than a minimum age ago is kept, so a publish that has stored its bundle but not
//! yet registered its release never loses it.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

use crate::bundles::{BundleStore, BundleStoreKind, DatabaseBundleStore, LocalBundleStore};
use crate::db::{Db, now_unix, redact_url};
use crate::error::{ServeError, StoreError};
use crate::server::ServerConfig;

/// How long ago an unreferenced bundle must have been stored before gc removes it.
pub const DEFAULT_GC_MIN_AGE: Duration = Duration::from_secs(3600);

/// What to collect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GcOptions {
    /// Report what would be removed, and remove nothing.
    pub dry_run: bool,
    /// Keep unreferenced bundles stored less than this long ago (0 removes them all: only
    /// safe while nothing publishes).
    pub min_age: Duration,
}

impl Default for GcOptions {
    fn default() -> Self {
        Self {
            dry_run: false,
            min_age: DEFAULT_GC_MIN_AGE,
        }
    }
}

/// A bundle gc removed (or would remove).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CollectedBundle {
    /// Its digest.
    pub sha256: String,
    /// Its size in bytes.
    pub bytes: u64,
}

/// A staged upload gc removed (or would remove).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CollectedLeftover {
    /// The file.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
}

/// What gc did in one store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoreSweep {
    /// `folder` or `database`.
    pub kind: &'static str,
    /// Where the store is, for people.
    pub store: String,
    /// Unreferenced bundles removed (or to remove).
    pub bundles: Vec<CollectedBundle>,
    /// Unreferenced bundles kept because they were stored within the minimum age.
    pub recent_unreferenced: usize,
    /// Bundles kept because a release references them.
    pub referenced: usize,
    /// The staging folder swept.
    pub staging: PathBuf,
    /// Staged uploads whose writer is gone, removed (or to remove).
    pub leftovers: Vec<CollectedLeftover>,
}

impl StoreSweep {
    /// Bytes freed (or to free) in this store.
    pub fn freed_bytes(&self) -> u64 {
        self.bundles.iter().map(|bundle| bundle.bytes).sum::<u64>()
            + self
                .leftovers
                .iter()
                .map(|leftover| leftover.bytes)
                .sum::<u64>()
    }
}

/// What gc did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GcReport {
    /// The database read, its URL without password.
    pub database: String,
    /// Whether nothing was removed.
    pub dry_run: bool,
    /// Bundles some release references.
    pub referenced: usize,
    /// Referenced bundles found in no store (clients get 404 for them).
    pub missing: Vec<String>,
    /// Each store, the folder first.
    pub stores: Vec<StoreSweep>,
}

impl GcReport {
    /// Bytes freed (or to free) in every store.
    pub fn freed_bytes(&self) -> u64 {
        self.stores.iter().map(StoreSweep::freed_bytes).sum()
    }
}

/// Collects the unreferenced bundles and stale staged uploads of the server `config` names.
pub async fn collect_garbage(
    config: &ServerConfig,
    options: &GcOptions,
) -> Result<GcReport, ServeError> {
    let (db, _) = crate::server::open_storage(config).await?;
    let report = collect(&db, config, options).await;
    db.close().await;
    Ok(report?)
}

/// Sweeps the validation folders a killed server left in `dir`.
pub(crate) async fn sweep_scratch(
    dir: PathBuf,
    dry_run: bool,
) -> Result<Vec<berth_fs::StaleFile>, StoreError> {
    let swept = dir.clone();
    tokio::task::spawn_blocking(move || crate::bundles::sweep_validation_scratch(&swept, dry_run))
        .await
        .map_err(std::io::Error::other)
        .and_then(|result| result)
        .map_err(|source| StoreError::Bundle { path: dir, source })
}

async fn collect(
    db: &Db,
    config: &ServerConfig,
    options: &GcOptions,
) -> Result<GcReport, StoreError> {
    let stored_before = if options.min_age.is_zero() {
        i64::MAX
    } else {
        now_unix().saturating_sub(i64::try_from(options.min_age.as_secs()).unwrap_or(i64::MAX))
    };
    let referenced: BTreeSet<String> = db
        .referenced_bundles()
        .await?
        .into_iter()
        .filter(|sha| !sha.is_empty())
        .collect();
    let stores: [Box<dyn BundleStore>; 2] = [
        Box::new(LocalBundleStore::new(config.bundle_dir())),
        Box::new(DatabaseBundleStore::new(db.clone(), config.staging_dir())),
    ];
    let mut found = BTreeSet::new();
    let mut sweeps = Vec::new();
    for store in stores {
        let mut sweep = StoreSweep {
            kind: match store.kind() {
                BundleStoreKind::Folder => "folder",
                BundleStoreKind::Database => "database",
            },
            store: store.describe(),
            bundles: Vec::new(),
            recent_unreferenced: 0,
            referenced: 0,
            staging: store.staging_dir().to_path_buf(),
            leftovers: Vec::new(),
        };
        for entry in store.list().await? {
            if referenced.contains(&entry.sha256_hex) {
                sweep.referenced += 1;
                found.insert(entry.sha256_hex);
                continue;
            }
            if entry.stored_at >= stored_before {
                sweep.recent_unreferenced += 1;
                continue;
            }
            let removed = if options.dry_run {
                Some(entry.bytes)
            } else {
                store
                    .remove_if_stored_before(&entry.sha256_hex, stored_before)
                    .await?
            };
            match removed {
                Some(bytes) => sweep.bundles.push(CollectedBundle {
                    sha256: entry.sha256_hex,
                    bytes,
                }),
                // Stored again since it was listed.
                None => sweep.recent_unreferenced += 1,
            }
        }
        let mut leftovers = store.sweep_staging(options.dry_run).await?;
        if store.kind() == BundleStoreKind::Database {
            leftovers.extend(sweep_scratch(config.staging_dir(), options.dry_run).await?);
        }
        sweep.leftovers = leftovers
            .into_iter()
            .map(|stale| CollectedLeftover {
                path: stale.path,
                bytes: stale.bytes,
            })
            .collect();
        if !options.dry_run && !sweep.bundles.is_empty() {
            tracing::info!(
                store = %sweep.store,
                removed = sweep.bundles.len(),
                "removed unreferenced bundles"
            );
        }
        sweeps.push(sweep);
    }
    Ok(GcReport {
        database: redact_url(&config.effective_database_url()),
        dry_run: options.dry_run,
        referenced: referenced.len(),
        missing: referenced.difference(&found).cloned().collect(),
        stores: sweeps,
    })
}
