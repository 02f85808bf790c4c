//! Catalog and install storage: publishing a release and setting a status (each stamps the
//! plugin with a new catalog revision), reading the changes since a revision for the in-memory
//! catalog (`catalog_view.rs`), per-account installs, and keyset pagination by plugin id.

use berth_service_protocol::{
    AdminPlugin, AuthenticationPolicy, DirectoryItem, Discoverability, InstallationPolicy, Release,
    Scope, SharePrincipal, Status,
};
use std::sync::Arc;

use sqlx::Row as _;
use sqlx::any::AnyRow;

use crate::db::{Db, WriteTx, now_unix, query_error};
use crate::error::StoreError;

/// Columns of `plugins` every catalog query selects (prefixed with `p.`).
const COLUMNS: &str = "p.id, p.name, p.scope, p.discoverability, p.owner_account_id, \
    p.creator_name, p.share_url, p.share_principals, p.installation_policy, \
    p.authentication_policy, p.status, p.release_json";

/// A catalog entry as stored: the directory item without download URL, plus the bundle digest.
#[derive(Debug, Clone, PartialEq)]
pub struct PluginRecord {
    /// The item (its `release.bundle_sha256` names the bundle).
    pub item: DirectoryItem,
    /// Account that owns a `USER` or private plugin.
    pub owner_account_id: Option<String>,
}

/// A page of results plus the token of the next page.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items, in id order.
    pub items: Vec<T>,
    /// The id to continue after, if there are more.
    pub next_page_token: Option<String>,
}

/// Catalog changes since a revision: see [`Db::catalog_changes`].
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogChanges {
    /// The catalog revision read.
    pub revision: i64,
    /// Plugins changed after the revision asked for, by id.
    pub plugins: Vec<PluginRecord>,
    /// Plugins no longer offered since then (every release withdrawn), by id.
    pub removed: Vec<String>,
}

/// One explicit install of an account, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountInstall {
    /// Backend plugin id.
    pub plugin_id: String,
    /// Whether it is enabled.
    pub enabled: bool,
    /// Skills turned off.
    pub disabled_skill_names: Vec<String>,
}

/// An installed plugin of an account.
#[derive(Debug, Clone, PartialEq)]
pub struct InstalledRecord {
    /// The plugin.
    pub record: Arc<PluginRecord>,
    /// Whether it is enabled.
    pub enabled: bool,
    /// Skills turned off.
    pub disabled_skill_names: Vec<String>,
}

/// A skill's `SKILL.md` to store with a release.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SkillContents {
    /// Skill name.
    pub name: String,
    /// The `SKILL.md` text.
    pub skill_md: String,
}

/// A plugin named by id or name, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// Its backend id.
    Found(String),
    /// No plugin has that id or name.
    Missing,
    /// Several plugins have that name (their ids).
    Ambiguous(Vec<String>),
}

/// Which catalog listing to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    /// `GET /ps/plugins/list?scope=…`.
    Scope(Scope),
    /// `GET /ps/plugins/workspace/shared`.
    SharedWithMe,
}

/// A stored enum column waiting to be decoded into the type the caller names.
struct ParsedEnum<F> {
    value: serde_json::Value,
    error: F,
}

impl<F: FnOnce(serde_json::Error) -> StoreError> ParsedEnum<F> {
    fn parse<T: serde::de::DeserializeOwned>(self) -> Result<T, StoreError> {
        serde_json::from_value(self.value).map_err(self.error)
    }
}

fn decode_record(row: &AnyRow) -> Result<PluginRecord, StoreError> {
    let action = "reading a plugin";
    let get = |column: &str| -> Result<String, StoreError> {
        row.try_get(column).map_err(query_error(action))
    };
    let get_opt = |column: &str| -> Result<Option<String>, StoreError> {
        row.try_get(column).map_err(query_error(action))
    };
    let id = get("id")?;
    let corrupt = |what: &'static str| {
        let id = id.clone();
        move |source| StoreError::Corrupt { id, what, source }
    };
    let parse_enum = |what: &'static str, value: String| ParsedEnum {
        value: serde_json::Value::String(value),
        error: corrupt(what),
    };
    let scope: Scope = parse_enum("scope", get("scope")?).parse()?;
    let discoverability: Option<Discoverability> = get_opt("discoverability")?
        .map(|value| parse_enum("discoverability", value).parse())
        .transpose()?;
    let installation_policy: InstallationPolicy =
        parse_enum("installation_policy", get("installation_policy")?).parse()?;
    let authentication_policy: AuthenticationPolicy =
        parse_enum("authentication_policy", get("authentication_policy")?).parse()?;
    let status: Status = parse_enum("status", get("status")?).parse()?;
    let share_principals: Vec<SharePrincipal> =
        serde_json::from_str(&get("share_principals")?).map_err(corrupt("share_principals"))?;
    let release: Release =
        serde_json::from_str(&get("release_json")?).map_err(corrupt("release"))?;
    let owner_account_id = get_opt("owner_account_id")?;
    Ok(PluginRecord {
        item: DirectoryItem {
            name: get("name")?,
            scope,
            discoverability,
            creator_account_user_id: owner_account_id.clone(),
            creator_name: get_opt("creator_name")?,
            share_url: get_opt("share_url")?,
            share_principals,
            installation_policy,
            authentication_policy,
            status,
            release,
            id,
        },
        owner_account_id,
    })
}

impl Db {
    /// The catalog's current revision and every plugin stamped after revision `since` (none
    /// when the revision is still `since`). The revision is read first, so every plugin it
    /// covers is among the rows read next; a later change read too is read again next time.
    pub async fn catalog_changes(&self, since: i64) -> Result<CatalogChanges, StoreError> {
        let action = "reading catalog changes";
        let revision: i64 = sqlx::query("SELECT revision FROM catalog_state WHERE id = 1")
            .fetch_one(&self.reads)
            .await
            .and_then(|row| row.try_get("revision"))
            .map_err(query_error(action))?;
        if revision == since {
            return Ok(CatalogChanges {
                revision,
                plugins: Vec::new(),
                removed: Vec::new(),
            });
        }
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS}, p.withdrawn FROM plugins p WHERE p.revision > $1 ORDER BY p.id"
        ))
        .bind(since)
        .fetch_all(&self.reads)
        .await
        .map_err(query_error(action))?;
        let mut plugins = Vec::new();
        let mut removed = Vec::new();
        for row in &rows {
            let withdrawn: i64 = row.try_get("withdrawn").map_err(query_error(action))?;
            if withdrawn == 0 {
                plugins.push(decode_record(row)?);
            } else {
                removed.push(row.try_get("id").map_err(query_error(action))?);
            }
        }
        Ok(CatalogChanges {
            revision,
            plugins,
            removed,
        })
    }

    /// Every explicit install of `account_id`: plugin id, enabled, disabled skill names.
    pub async fn installs_of(&self, account_id: &str) -> Result<Vec<AccountInstall>, StoreError> {
        let action = "listing installed plugins";
        let rows = sqlx::query(
            "SELECT plugin_id, enabled, disabled_skill_names FROM installs WHERE account_id = $1",
        )
        .bind(account_id)
        .fetch_all(&self.reads)
        .await
        .map_err(query_error(action))?;
        rows.iter()
            .map(|row| {
                let plugin_id: String = row.try_get("plugin_id").map_err(query_error(action))?;
                let enabled: i64 = row.try_get("enabled").map_err(query_error(action))?;
                let disabled: String = row
                    .try_get("disabled_skill_names")
                    .map_err(query_error(action))?;
                let disabled_skill_names =
                    serde_json::from_str(&disabled).map_err(|source| StoreError::Corrupt {
                        id: plugin_id.clone(),
                        what: "disabled_skill_names",
                        source,
                    })?;
                Ok(AccountInstall {
                    plugin_id,
                    enabled: enabled != 0,
                    disabled_skill_names,
                })
            })
            .collect()
    }

    /// Records that `account_id` installed `plugin_id` (enabled). Idempotent.
    pub async fn install(&self, account_id: &str, plugin_id: &str) -> Result<(), StoreError> {
        self.execute_write(
            "installing a plugin",
            sqlx::query(
                "INSERT INTO installs \
                   (account_id, plugin_id, enabled, disabled_skill_names, installed_at) \
                 VALUES ($1, $2, 1, '[]', $3) \
                 ON CONFLICT (account_id, plugin_id) DO UPDATE SET enabled = 1",
            )
            .bind(account_id)
            .bind(plugin_id)
            .bind(now_unix()),
        )
        .await?;
        Ok(())
    }

    /// Removes the install of `plugin_id` for `account_id`. Idempotent.
    pub async fn uninstall(&self, account_id: &str, plugin_id: &str) -> Result<(), StoreError> {
        self.execute_write(
            "uninstalling a plugin",
            sqlx::query("DELETE FROM installs WHERE account_id = $1 AND plugin_id = $2")
                .bind(account_id)
                .bind(plugin_id),
        )
        .await?;
        Ok(())
    }

    /// The `SKILL.md` text of skill `name` of plugin `plugin_id`.
    pub async fn skill_md(
        &self,
        plugin_id: &str,
        name: &str,
    ) -> Result<Option<String>, StoreError> {
        let row =
            sqlx::query("SELECT skill_md FROM plugin_skills WHERE plugin_id = $1 AND name = $2")
                .bind(plugin_id)
                .bind(name)
                .fetch_optional(&self.reads)
                .await
                .map_err(query_error("reading a skill"))?;
        row.map(|row| {
            row.try_get("skill_md")
                .map_err(query_error("reading a skill"))
        })
        .transpose()
    }

    /// Writes a plugin row as given, with its release recorded (replacing a release of the same
    /// version), bypassing the immutability of versions that publishing enforces. For tests,
    /// benchmarks and tools that seed a catalog; publishing goes through
    /// [`Db::publish_release`].
    #[doc(hidden)]
    pub async fn upsert_plugin(
        &self,
        record: &PluginRecord,
        skills: &[SkillContents],
    ) -> Result<(), StoreError> {
        let action = "publishing a plugin";
        let mut tx = self.begin_write(action).await?;
        let revision = bump_revision(tx.conn(), action).await?;
        crate::releases::insert_release(
            &mut tx,
            action,
            &crate::releases::NewRelease {
                record,
                skills,
                bundle_bytes: 0,
                published_by: record.owner_account_id.as_deref(),
            },
            revision,
            true,
        )
        .await?;
        write_plugin(&mut tx, action, record, skills, revision).await?;
        tx.commit().await
    }

    /// The backend id of the plugin whose id, or else whose name, is `name_or_id`.
    pub async fn resolve_plugin(&self, name_or_id: &str) -> Result<Resolved, StoreError> {
        let action = "finding a plugin";
        let rows = sqlx::query("SELECT id FROM plugins WHERE id = $1 OR name = $1 ORDER BY id")
            .bind(name_or_id)
            .fetch_all(&self.reads)
            .await
            .map_err(query_error(action))?;
        let ids = rows
            .iter()
            .map(|row| row.try_get("id").map_err(query_error(action)))
            .collect::<Result<Vec<String>, _>>()?;
        Ok(if ids.iter().any(|id| id == name_or_id) {
            Resolved::Found(name_or_id.to_owned())
        } else {
            match <[String; 1]>::try_from(ids) {
                Ok([id]) => Resolved::Found(id),
                Err(ids) if ids.is_empty() => Resolved::Missing,
                Err(ids) => Resolved::Ambiguous(ids),
            }
        })
    }

    /// Every plugin, by id, as admins list them (withdrawn ones included).
    pub async fn admin_plugins(&self) -> Result<Vec<AdminPlugin>, StoreError> {
        let action = "listing plugins";
        let rows = sqlx::query(
            "SELECT p.id, p.name, p.scope, p.status, p.version, p.withdrawn, p.owner_account_id, \
               (SELECT COUNT(*) FROM releases r WHERE r.plugin_id = p.id) AS releases \
             FROM plugins p ORDER BY p.id",
        )
        .fetch_all(&self.reads)
        .await
        .map_err(query_error(action))?;
        rows.iter()
            .map(|row| {
                let get = |column: &str| -> Result<String, StoreError> {
                    row.try_get(column).map_err(query_error(action))
                };
                let id = get("id")?;
                let status: Status = serde_json::from_value(serde_json::Value::String(get(
                    "status",
                )?))
                .map_err(|source| StoreError::Corrupt {
                    id: id.clone(),
                    what: "status",
                    source,
                })?;
                let withdrawn: i64 = row.try_get("withdrawn").map_err(query_error(action))?;
                let releases: i64 = row.try_get("releases").map_err(query_error(action))?;
                Ok(AdminPlugin {
                    name: get("name")?,
                    scope: get("scope")?,
                    status,
                    current_version: (withdrawn == 0).then(|| get("version")).transpose()?,
                    releases: u64::try_from(releases).unwrap_or(0),
                    owner: row
                        .try_get("owner_account_id")
                        .map_err(query_error(action))?,
                    id,
                })
            })
            .collect()
    }

    /// Sets the admin status of a plugin; `false` if there is no such plugin.
    pub async fn set_plugin_status(&self, id: &str, status: Status) -> Result<bool, StoreError> {
        let action = "setting a plugin status";
        let mut tx = self.begin_write(action).await?;
        let revision = bump_revision(tx.conn(), action).await?;
        let result = sqlx::query("UPDATE plugins SET status = $1, revision = $2 WHERE id = $3")
            .bind(status.as_str())
            .bind(revision)
            .bind(id)
            .execute(tx.conn())
            .await
            .map_err(query_error(action))?;
        if result.rows_affected() == 0 {
            // Nothing changed: dropping the transaction rolls the revision bump back.
            return Ok(false);
        }
        tx.commit().await?;
        Ok(true)
    }
}

/// Bumps the catalog revision inside `tx` and returns the new value. Taking the row's write
/// lock first makes concurrent publishers commit in revision order.
pub(crate) async fn bump_revision(
    conn: &mut sqlx::AnyConnection,
    action: &'static str,
) -> Result<i64, StoreError> {
    sqlx::query("UPDATE catalog_state SET revision = revision + 1 WHERE id = 1 RETURNING revision")
        .fetch_one(conn)
        .await
        .and_then(|row| row.try_get("revision"))
        .map_err(query_error(action))
}

/// Writes plugin `record` (with `skills` and shares) as the plugin's current release, stamped
/// with catalog `revision`, inside `tx`.
pub(crate) async fn write_plugin(
    tx: &mut WriteTx,
    action: &'static str,
    record: &PluginRecord,
    skills: &[SkillContents],
    revision: i64,
) -> Result<(), StoreError> {
    let item = &record.item;
    let mut release = item.release.clone();
    release.bundle_download_url = None;
    let release_json = serde_json::to_string(&release).map_err(|source| StoreError::Corrupt {
        id: item.id.clone(),
        what: "release",
        source,
    })?;
    let principals =
        serde_json::to_string(&item.share_principals).map_err(|source| StoreError::Corrupt {
            id: item.id.clone(),
            what: "share_principals",
            source,
        })?;
    sqlx::query(
        "INSERT INTO plugins (id, name, scope, discoverability, owner_account_id, creator_name, \
           share_url, share_principals, installation_policy, authentication_policy, status, \
           version, bundle_sha256, release_json, updated_at, revision, withdrawn) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 0) \
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, scope = excluded.scope, \
           discoverability = excluded.discoverability, \
           owner_account_id = excluded.owner_account_id, creator_name = excluded.creator_name, \
           share_url = excluded.share_url, share_principals = excluded.share_principals, \
           installation_policy = excluded.installation_policy, \
           authentication_policy = excluded.authentication_policy, status = excluded.status, \
           version = excluded.version, bundle_sha256 = excluded.bundle_sha256, \
           release_json = excluded.release_json, updated_at = excluded.updated_at, \
           revision = excluded.revision, withdrawn = 0",
    )
    .bind(item.id.as_str())
    .bind(item.name.as_str())
    .bind(item.scope.as_str())
    .bind(item.discoverability.map(Discoverability::as_str))
    .bind(record.owner_account_id.as_deref())
    .bind(item.creator_name.as_deref())
    .bind(item.share_url.as_deref())
    .bind(principals)
    .bind(item.installation_policy.as_str())
    .bind(item.authentication_policy.as_str())
    .bind(item.status.as_str())
    .bind(item.release.version.as_deref().unwrap_or_default())
    .bind(item.release.bundle_sha256.as_deref().unwrap_or_default())
    .bind(release_json)
    .bind(now_unix())
    .bind(revision)
    .execute(tx.conn())
    .await
    .map_err(query_error(action))?;
    write_skills(tx, action, &item.id, skills).await?;
    sqlx::query("DELETE FROM plugin_shares WHERE plugin_id = $1")
        .bind(item.id.as_str())
        .execute(tx.conn())
        .await
        .map_err(query_error(action))?;
    for principal in &item.share_principals {
        if principal.principal_type == "user" {
            sqlx::query(
                "INSERT INTO plugin_shares (plugin_id, account_id) VALUES ($1, $2) \
                 ON CONFLICT (plugin_id, account_id) DO NOTHING",
            )
            .bind(item.id.as_str())
            .bind(principal.principal_id.as_str())
            .execute(tx.conn())
            .await
            .map_err(query_error(action))?;
        }
    }
    Ok(())
}

/// Replaces the stored skills of plugin `id` with `skills`, inside `tx`.
pub(crate) async fn write_skills(
    tx: &mut WriteTx,
    action: &'static str,
    id: &str,
    skills: &[SkillContents],
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM plugin_skills WHERE plugin_id = $1")
        .bind(id)
        .execute(tx.conn())
        .await
        .map_err(query_error(action))?;
    for skill in skills {
        sqlx::query("INSERT INTO plugin_skills (plugin_id, name, skill_md) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(skill.name.as_str())
            .bind(skill.skill_md.as_str())
            .execute(tx.conn())
            .await
            .map_err(query_error(action))?;
    }
    Ok(())
}
