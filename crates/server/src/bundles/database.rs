//! [`DatabaseBundleStore`]: bundles in the database as rows of [`CHUNK_BYTES`] (`bundle_chunks`)
//! plus one row with the size (`bundles`), written in one transaction, so several `berth serve`
//! instances on one `PostgreSQL` serve every bundle with no shared disk. Uploads are staged in
//! a local folder first; a download reads one chunk per query.

use std::io;
use std::path::{Path, PathBuf};

use axum::body::Bytes;
use berth_fs::StagedFile;
use futures_util::StreamExt as _;
use futures_util::stream;
use sqlx::Row as _;
use tokio::io::AsyncReadExt as _;

use super::{
    BoxFuture, BundleStore, BundleStoreKind, ByteStream, CHUNK_BYTES, OpenedBundle, StagedBundle,
    StoredBundle, StoredEntry,
};
use crate::db::{Db, DbKind, now_unix, query_error};
use crate::error::StoreError;

/// Bundles as chunks in the database.
#[derive(Debug, Clone)]
pub struct DatabaseBundleStore {
    db: Db,
    staging: PathBuf,
}

impl DatabaseBundleStore {
    /// A store in `db`, staging uploads in the local folder `staging`.
    pub fn new(db: Db, staging: impl Into<PathBuf>) -> Self {
        Self {
            db,
            staging: staging.into(),
        }
    }

    async fn store(
        &self,
        staged: StagedFile,
        sha256_hex: String,
        bytes: u64,
    ) -> Result<StoredBundle, StoreError> {
        const ACTION: &str = "storing a bundle";
        let size = i64::try_from(bytes).unwrap_or(i64::MAX);
        let mut tx = self.db.begin_write(ACTION).await?;
        let renewed = sqlx::query("UPDATE bundles SET stored_at = $1 WHERE sha256 = $2")
            .bind(now_unix())
            .bind(&sha256_hex)
            .execute(tx.conn())
            .await
            .map_err(query_error(ACTION))?
            .rows_affected();
        if renewed > 0 {
            tx.commit().await?;
            return Ok(StoredBundle {
                sha256_hex,
                bytes,
                newly_stored: false,
            });
        }
        let path = staged.path().to_path_buf();
        let read_error = |source| StoreError::Bundle {
            path: path.clone(),
            source,
        };
        let mut file = tokio::fs::File::open(&path).await.map_err(read_error)?;
        let mut buffer = vec![0_u8; CHUNK_BYTES];
        let mut index: i64 = 0;
        let mut stored: u64 = 0;
        loop {
            let filled = fill(&mut file, &mut buffer).await.map_err(read_error)?;
            if filled == 0 {
                break;
            }
            sqlx::query(
                "INSERT INTO bundle_chunks (sha256, idx, data) VALUES ($1, $2, $3) \
                 ON CONFLICT (sha256, idx) DO NOTHING",
            )
            .bind(&sha256_hex)
            .bind(index)
            .bind(&buffer[..filled])
            .execute(tx.conn())
            .await
            .map_err(query_error(ACTION))?;
            index += 1;
            stored += filled as u64;
        }
        if stored != bytes {
            return Err(read_error(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("the staged upload holds {stored} bytes, not the {bytes} written"),
            )));
        }
        sqlx::query(
            "INSERT INTO bundles (sha256, bytes, chunk_bytes, stored_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (sha256) DO UPDATE SET stored_at = excluded.stored_at",
        )
        .bind(&sha256_hex)
        .bind(size)
        .bind(i64::try_from(CHUNK_BYTES).unwrap_or(i64::MAX))
        .bind(now_unix())
        .execute(tx.conn())
        .await
        .map_err(query_error(ACTION))?;
        tx.commit().await?;
        drop(staged);
        Ok(StoredBundle {
            sha256_hex,
            bytes,
            newly_stored: true,
        })
    }
}

/// Reads until `buffer` is full or the file ends; returns the bytes read.
async fn fill(file: &mut tokio::fs::File, buffer: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        let read = file.read(&mut buffer[filled..]).await?;
        if read == 0 {
            break;
        }
        filled += read;
    }
    Ok(filled)
}

fn to_u64(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

impl BundleStore for DatabaseBundleStore {
    fn kind(&self) -> BundleStoreKind {
        BundleStoreKind::Database
    }

    fn describe(&self) -> String {
        let engine = match self.db.kind() {
            DbKind::Sqlite => "SQLite",
            DbKind::Postgres => "PostgreSQL",
        };
        format!(
            "the {engine} database, in chunks of {} KiB",
            CHUNK_BYTES / 1024
        )
    }

    fn staging_dir(&self) -> &Path {
        &self.staging
    }

    fn put_staged(&self, staged: StagedBundle) -> BoxFuture<'_, Result<StoredBundle, StoreError>> {
        Box::pin(async move {
            let (staged, sha256_hex, bytes) = staged.finish().await?;
            self.store(staged, sha256_hex, bytes).await
        })
    }

    fn open<'a>(
        &'a self,
        sha256_hex: &'a str,
    ) -> BoxFuture<'a, Result<Option<OpenedBundle>, StoreError>> {
        Box::pin(async move {
            const ACTION: &str = "opening a bundle";
            let row = sqlx::query("SELECT bytes, chunk_bytes FROM bundles WHERE sha256 = $1")
                .bind(sha256_hex)
                .fetch_optional(&self.db.reads)
                .await
                .map_err(query_error(ACTION))?;
            let Some(row) = row else {
                return Ok(None);
            };
            let size = to_u64(row.try_get("bytes").map_err(query_error(ACTION))?);
            let chunk_bytes = to_u64(row.try_get("chunk_bytes").map_err(query_error(ACTION))?);
            let db = self.db.clone();
            let sha = sha256_hex.to_owned();
            Ok(Some(OpenedBundle::new(size, move |range| {
                chunk_stream(db, sha, chunk_bytes.max(1), range)
            })))
        })
    }

    fn list(&self) -> BoxFuture<'_, Result<Vec<StoredEntry>, StoreError>> {
        Box::pin(async move {
            const ACTION: &str = "listing bundles";
            let rows = sqlx::query("SELECT sha256, bytes, stored_at FROM bundles ORDER BY sha256")
                .fetch_all(&self.db.reads)
                .await
                .map_err(query_error(ACTION))?;
            rows.iter()
                .map(|row| {
                    Ok(StoredEntry {
                        sha256_hex: row.try_get("sha256").map_err(query_error(ACTION))?,
                        bytes: to_u64(row.try_get("bytes").map_err(query_error(ACTION))?),
                        stored_at: row.try_get("stored_at").map_err(query_error(ACTION))?,
                    })
                })
                .collect()
        })
    }

    fn remove_if_stored_before<'a>(
        &'a self,
        sha256_hex: &'a str,
        stored_before: i64,
    ) -> BoxFuture<'a, Result<Option<u64>, StoreError>> {
        Box::pin(async move {
            const ACTION: &str = "removing a bundle";
            let mut tx = self.db.begin_write(ACTION).await?;
            let row = sqlx::query("SELECT bytes FROM bundles WHERE sha256 = $1")
                .bind(sha256_hex)
                .fetch_optional(tx.conn())
                .await
                .map_err(query_error(ACTION))?;
            let bytes: Option<i64> = row
                .map(|row| row.try_get("bytes"))
                .transpose()
                .map_err(query_error(ACTION))?;
            // The age is checked by the delete itself: a put renewing the bundle meanwhile
            // (PostgreSQL re-reads the row once the put commits) keeps it.
            let removed = sqlx::query("DELETE FROM bundles WHERE sha256 = $1 AND stored_at < $2")
                .bind(sha256_hex)
                .bind(stored_before)
                .execute(tx.conn())
                .await
                .map_err(query_error(ACTION))?
                .rows_affected();
            if removed > 0 {
                sqlx::query("DELETE FROM bundle_chunks WHERE sha256 = $1")
                    .bind(sha256_hex)
                    .execute(tx.conn())
                    .await
                    .map_err(query_error(ACTION))?;
            }
            tx.commit().await?;
            Ok(bytes.filter(|_| removed > 0).map(to_u64))
        })
    }
}

/// Streams `range` of the bundle `sha` one chunk (one query) at a time.
fn chunk_stream(db: Db, sha: String, chunk_bytes: u64, range: std::ops::Range<u64>) -> ByteStream {
    let end = range.end;
    stream::try_unfold(range.start, move |offset| {
        let db = db.clone();
        let sha = sha.clone();
        async move {
            if offset >= end {
                return Ok(None);
            }
            let index = offset / chunk_bytes;
            let row = sqlx::query("SELECT data FROM bundle_chunks WHERE sha256 = $1 AND idx = $2")
                .bind(&sha)
                .bind(i64::try_from(index).unwrap_or(i64::MAX))
                .fetch_optional(&db.reads)
                .await
                .map_err(io::Error::other)?;
            let data: Vec<u8> = row
                .ok_or_else(|| {
                    io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("bundle {sha} has no chunk {index} in the database"),
                    )
                })?
                .try_get("data")
                .map_err(io::Error::other)?;
            let chunk_start = index * chunk_bytes;
            let from = usize::try_from(offset - chunk_start).unwrap_or(usize::MAX);
            let to = usize::try_from(end.min(chunk_start + data.len() as u64) - chunk_start)
                .unwrap_or(usize::MAX);
            if from >= to {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("bundle {sha}'s chunk {index} in the database is too short"),
                ));
            }
            let next = chunk_start + to as u64;
            Ok(Some((Bytes::from(data).slice(from..to), next)))
        }
    })
    .boxed()
}
