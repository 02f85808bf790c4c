//! Releases: every version of a plugin ever published, immutable (the same version with the
//! same bytes is a no-op, with other bytes a conflict), with the account that published it. The
//! plugin row mirrors its current release: the newest published, unless an admin rolled back to
//! an older one; withdrawing the current release falls back to the newest one left, and a plugin
//! with none left is no longer offered.

use berth_service_protocol::{Release, ReleaseInfo};
use sqlx::Row as _;
use sqlx::any::AnyRow;

use crate::catalog::{PluginRecord, SkillContents, bump_revision, write_plugin, write_skills};
use crate::db::{Db, WriteTx, now_unix, query_error};
use crate::error::StoreError;

/// A release to record.
#[derive(Debug, Clone, Copy)]
pub struct NewRelease<'a> {
    /// The plugin with this release as its item's `release` (version and bundle digest set).
    pub record: &'a PluginRecord,
    /// The release's skills.
    pub skills: &'a [SkillContents],
    /// Bundle size in bytes.
    pub bundle_bytes: u64,
    /// Account that published it.
    pub published_by: Option<&'a str>,
}

/// What publishing did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublishOutcome {
    /// A new release was recorded and is now current.
    Created,
    /// This version was already published with these bytes; nothing changed.
    Unchanged,
}

/// A withdraw or roll back asked for something that is not there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReleaseChangeError {
    /// No such plugin or version.
    #[error("plugin `{id}` has no release `{version}`; see `berth serve plugin releases {id}`")]
    UnknownRelease {
        /// Plugin id.
        id: String,
        /// Version asked for.
        version: String,
    },
    /// The release was withdrawn, so it cannot be offered again.
    #[error(
        "release `{version}` of plugin `{id}` was withdrawn and cannot be made current; publish a new version instead"
    )]
    Withdrawn {
        /// Plugin id.
        id: String,
        /// Version asked for.
        version: String,
    },
}

/// What a withdrawal left current.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WithdrawOutcome {
    /// The release was withdrawn; this version is current (it may be unchanged).
    Current(String),
    /// The release was withdrawn and none is left: the plugin is no longer offered.
    NoneLeft,
    /// It was withdrawn already; nothing changed.
    AlreadyWithdrawn,
}

/// Columns of `releases` the history and fallbacks read.
const RELEASE_COLUMNS: &str = "plugin_id, version, seq, bundle_sha256, bundle_bytes, release_json, \
    skills_json, published_by, published_at, withdrawn_at";

/// Records `release` inside `tx` with sequence `seq`; `replace` overwrites a release of the
/// same version (seeding tools only).
pub(crate) async fn insert_release(
    tx: &mut WriteTx,
    action: &'static str,
    release: &NewRelease<'_>,
    seq: i64,
    replace: bool,
) -> Result<(), StoreError> {
    let item = &release.record.item;
    let mut wire = item.release.clone();
    wire.bundle_download_url = None;
    let corrupt = |what: &'static str| {
        let id = item.id.clone();
        move |source| StoreError::Corrupt { id, what, source }
    };
    let release_json = serde_json::to_string(&wire).map_err(corrupt("release"))?;
    let skills_json = serde_json::to_string(release.skills).map_err(corrupt("skills"))?;
    let conflict = if replace {
        " ON CONFLICT (plugin_id, version) DO UPDATE SET seq = excluded.seq, \
           bundle_sha256 = excluded.bundle_sha256, bundle_bytes = excluded.bundle_bytes, \
           release_json = excluded.release_json, skills_json = excluded.skills_json, \
           published_by = excluded.published_by, published_at = excluded.published_at, \
           withdrawn_at = NULL"
    } else {
        ""
    };
    sqlx::query(&format!(
        "INSERT INTO releases ({RELEASE_COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL){conflict}"
    ))
    .bind(item.id.as_str())
    .bind(item.release.version.as_deref().unwrap_or_default())
    .bind(seq)
    .bind(item.release.bundle_sha256.as_deref().unwrap_or_default())
    .bind(i64::try_from(release.bundle_bytes).unwrap_or(i64::MAX))
    .bind(release_json)
    .bind(skills_json)
    .bind(release.published_by)
    .bind(now_unix())
    .execute(tx.conn())
    .await
    .map_err(query_error(action))?;
    Ok(())
}

/// A stored release: its history entry plus what it takes to make it current again.
struct StoredRelease {
    info: ReleaseInfo,
    release: Release,
    skills: Vec<SkillContents>,
}

fn decode_release(
    row: &AnyRow,
    current_version: Option<&str>,
) -> Result<StoredRelease, StoreError> {
    let action = "reading releases";
    let id: String = row.try_get("plugin_id").map_err(query_error(action))?;
    let version: String = row.try_get("version").map_err(query_error(action))?;
    let corrupt = |what: &'static str| {
        let id = id.clone();
        move |source| StoreError::Corrupt { id, what, source }
    };
    let release_json: String = row.try_get("release_json").map_err(query_error(action))?;
    let skills_json: String = row.try_get("skills_json").map_err(query_error(action))?;
    let withdrawn_at: Option<i64> = row.try_get("withdrawn_at").map_err(query_error(action))?;
    let bundle_bytes: i64 = row.try_get("bundle_bytes").map_err(query_error(action))?;
    Ok(StoredRelease {
        info: ReleaseInfo {
            current: withdrawn_at.is_none() && current_version == Some(version.as_str()),
            version,
            bundle_sha256: row.try_get("bundle_sha256").map_err(query_error(action))?,
            bundle_bytes: u64::try_from(bundle_bytes).unwrap_or(0),
            published_by: row.try_get("published_by").map_err(query_error(action))?,
            published_at: row.try_get("published_at").map_err(query_error(action))?,
            withdrawn_at,
        },
        release: serde_json::from_str(&release_json).map_err(corrupt("release"))?,
        skills: serde_json::from_str(&skills_json).map_err(corrupt("skills"))?,
    })
}

impl Db {
    /// Publishes a release: recorded and made current, unless this version exists already
    /// (unchanged with the same bytes, [`StoreError::VersionConflict`] with others).
    pub async fn publish_release(
        &self,
        release: &NewRelease<'_>,
    ) -> Result<PublishOutcome, StoreError> {
        let action = "publishing a release";
        let item = &release.record.item;
        let version = item.release.version.clone().unwrap_or_default();
        let sha = item.release.bundle_sha256.clone().unwrap_or_default();
        let mut tx = self.begin_write(action).await?;
        let existing: Option<String> =
            sqlx::query("SELECT bundle_sha256 FROM releases WHERE plugin_id = $1 AND version = $2")
                .bind(item.id.as_str())
                .bind(version.as_str())
                .fetch_optional(tx.conn())
                .await
                .and_then(|row| row.map(|row| row.try_get("bundle_sha256")).transpose())
                .map_err(query_error(action))?;
        match existing {
            Some(stored) if stored == sha => return Ok(PublishOutcome::Unchanged),
            Some(stored) => {
                return Err(StoreError::VersionConflict {
                    id: item.id.clone(),
                    version,
                    stored_sha256: stored,
                });
            }
            None => {}
        }
        let revision = bump_revision(tx.conn(), action).await?;
        insert_release(&mut tx, action, release, revision, false).await?;
        write_plugin(&mut tx, action, release.record, release.skills, revision).await?;
        tx.commit().await?;
        Ok(PublishOutcome::Created)
    }

    /// Plugin `id`'s releases, newest first (empty when there is no such plugin).
    pub async fn releases(&self, id: &str) -> Result<Vec<ReleaseInfo>, StoreError> {
        let action = "reading releases";
        let current = self.current_version(id).await?;
        let rows = sqlx::query(&format!(
            "SELECT {RELEASE_COLUMNS} FROM releases WHERE plugin_id = $1 ORDER BY seq DESC"
        ))
        .bind(id)
        .fetch_all(&self.reads)
        .await
        .map_err(query_error(action))?;
        rows.iter()
            .map(|row| decode_release(row, current.as_deref()).map(|stored| stored.info))
            .collect()
    }

    /// The version plugin `id` offers now, if it exists and has a release left.
    async fn current_version(&self, id: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT version, withdrawn FROM plugins WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.reads)
            .await
            .map_err(query_error("reading releases"))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let withdrawn: i64 = row
            .try_get("withdrawn")
            .map_err(query_error("reading releases"))?;
        if withdrawn != 0 {
            return Ok(None);
        }
        row.try_get("version")
            .map(Some)
            .map_err(query_error("reading releases"))
    }

    /// The accounts that may see plugin `id`'s analytics as its publishers: its owner and every
    /// account that published a release of it.
    pub async fn publishers(&self, id: &str) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT DISTINCT published_by AS account FROM releases \
               WHERE plugin_id = $1 AND published_by IS NOT NULL \
             UNION SELECT owner_account_id AS account FROM plugins \
               WHERE id = $1 AND owner_account_id IS NOT NULL \
             ORDER BY account",
        )
        .bind(id)
        .fetch_all(&self.reads)
        .await
        .map_err(query_error("reading publishers"))?;
        rows.iter()
            .map(|row| {
                row.try_get("account")
                    .map_err(query_error("reading publishers"))
            })
            .collect()
    }

    /// Withdraws release `version` of plugin `id`: clients stop being offered it; when it was
    /// current, the newest release left becomes current, or the plugin is no longer offered.
    pub async fn withdraw_release(
        &self,
        id: &str,
        version: &str,
    ) -> Result<Result<WithdrawOutcome, ReleaseChangeError>, StoreError> {
        let action = "withdrawing a release";
        let mut tx = self.begin_write(action).await?;
        let releases = load_releases(&mut tx, action, id).await?;
        let Some(target) = releases.iter().find(|r| r.info.version == version) else {
            return Ok(Err(ReleaseChangeError::UnknownRelease {
                id: id.to_owned(),
                version: version.to_owned(),
            }));
        };
        if target.info.withdrawn_at.is_some() {
            return Ok(Ok(WithdrawOutcome::AlreadyWithdrawn));
        }
        let was_current = target.info.current;
        sqlx::query("UPDATE releases SET withdrawn_at = $1 WHERE plugin_id = $2 AND version = $3")
            .bind(now_unix())
            .bind(id)
            .bind(version)
            .execute(tx.conn())
            .await
            .map_err(query_error(action))?;
        let current = releases
            .iter()
            .find(|r| r.info.current && r.info.version != version)
            .or_else(|| {
                releases
                    .iter()
                    .find(|r| r.info.withdrawn_at.is_none() && r.info.version != version)
            });
        let outcome = match (was_current, current) {
            (false, Some(current)) => WithdrawOutcome::Current(current.info.version.clone()),
            (_, None) => {
                let revision = bump_revision(tx.conn(), action).await?;
                sqlx::query("UPDATE plugins SET withdrawn = 1, revision = $1 WHERE id = $2")
                    .bind(revision)
                    .bind(id)
                    .execute(tx.conn())
                    .await
                    .map_err(query_error(action))?;
                WithdrawOutcome::NoneLeft
            }
            (true, Some(fallback)) => {
                make_current(&mut tx, action, id, fallback).await?;
                WithdrawOutcome::Current(fallback.info.version.clone())
            }
        };
        tx.commit().await?;
        Ok(Ok(outcome))
    }

    /// Makes release `version` of plugin `id` current again (an explicit roll back).
    pub async fn set_current_release(
        &self,
        id: &str,
        version: &str,
    ) -> Result<Result<(), ReleaseChangeError>, StoreError> {
        let action = "rolling back a release";
        let mut tx = self.begin_write(action).await?;
        let releases = load_releases(&mut tx, action, id).await?;
        let Some(target) = releases.iter().find(|r| r.info.version == version) else {
            return Ok(Err(ReleaseChangeError::UnknownRelease {
                id: id.to_owned(),
                version: version.to_owned(),
            }));
        };
        if target.info.withdrawn_at.is_some() {
            return Ok(Err(ReleaseChangeError::Withdrawn {
                id: id.to_owned(),
                version: version.to_owned(),
            }));
        }
        if !target.info.current {
            make_current(&mut tx, action, id, target).await?;
        }
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// Every bundle digest a release references (withdrawn releases included), for garbage
    /// collection.
    pub async fn referenced_bundles(&self) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT bundle_sha256 FROM releases UNION SELECT bundle_sha256 FROM plugins \
             ORDER BY bundle_sha256",
        )
        .fetch_all(&self.reads)
        .await
        .map_err(query_error("listing referenced bundles"))?;
        rows.iter()
            .map(|row| {
                row.try_get("bundle_sha256")
                    .map_err(query_error("listing referenced bundles"))
            })
            .collect()
    }
}

/// Plugin `id`'s releases inside `tx`, newest first, with `current` set.
async fn load_releases(
    tx: &mut WriteTx,
    action: &'static str,
    id: &str,
) -> Result<Vec<StoredRelease>, StoreError> {
    let current: Option<String> =
        sqlx::query("SELECT version FROM plugins WHERE id = $1 AND withdrawn = 0")
            .bind(id)
            .fetch_optional(tx.conn())
            .await
            .and_then(|row| row.map(|row| row.try_get("version")).transpose())
            .map_err(query_error(action))?;
    let rows = sqlx::query(&format!(
        "SELECT {RELEASE_COLUMNS} FROM releases WHERE plugin_id = $1 ORDER BY seq DESC"
    ))
    .bind(id)
    .fetch_all(tx.conn())
    .await
    .map_err(query_error(action))?;
    rows.iter()
        .map(|row| decode_release(row, current.as_deref()))
        .collect()
}

/// Points plugin `id`'s row at `release` (its version, bundle, metadata and skills), with a new
/// catalog revision, inside `tx`.
async fn make_current(
    tx: &mut WriteTx,
    action: &'static str,
    id: &str,
    release: &StoredRelease,
) -> Result<(), StoreError> {
    let revision = bump_revision(tx.conn(), action).await?;
    let release_json =
        serde_json::to_string(&release.release).map_err(|source| StoreError::Corrupt {
            id: id.to_owned(),
            what: "release",
            source,
        })?;
    sqlx::query(
        "UPDATE plugins SET version = $1, bundle_sha256 = $2, release_json = $3, revision = $4, \
           withdrawn = 0, updated_at = $5 WHERE id = $6",
    )
    .bind(release.info.version.as_str())
    .bind(release.info.bundle_sha256.as_str())
    .bind(release_json)
    .bind(revision)
    .bind(now_unix())
    .bind(id)
    .execute(tx.conn())
    .await
    .map_err(query_error(action))?;
    write_skills(tx, action, id, &release.skills).await
}
