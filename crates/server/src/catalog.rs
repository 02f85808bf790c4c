//! Catalog and per-account install queries: visibility by scope, discoverability and shares,
//! keyset pagination by plugin id, `INSTALLED_BY_DEFAULT`, and publishing a release.

use berth_service_protocol::{
    AuthenticationPolicy, DirectoryItem, Discoverability, InstallationPolicy, Release, Scope,
    SharePrincipal, Status,
};
use sqlx::Row as _;
use sqlx::any::AnyRow;

use crate::db::{Db, now_unix, query_error};
use crate::error::StoreError;

/// Columns of `plugins` every catalog query selects (prefixed with `p.`).
const COLUMNS: &str = "p.id, p.name, p.scope, p.discoverability, p.owner_account_id, \
    p.creator_name, p.share_url, p.share_principals, p.installation_policy, \
    p.authentication_policy, p.status, p.release_json";

/// SQL condition: plugin `p` is visible to account `$1`.
const VISIBLE: &str = "(p.scope = 'GLOBAL' \
    OR (p.scope = 'WORKSPACE' AND p.discoverability IN ('LISTED', 'UNLISTED')) \
    OR p.owner_account_id = $1 \
    OR EXISTS (SELECT 1 FROM plugin_shares s WHERE s.plugin_id = p.id AND s.account_id = $1))";

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

/// An installed plugin of an account.
#[derive(Debug, Clone, PartialEq)]
pub struct InstalledRecord {
    /// The plugin.
    pub record: PluginRecord,
    /// Whether it is enabled.
    pub enabled: bool,
    /// Skills turned off.
    pub disabled_skill_names: Vec<String>,
}

/// A skill's `SKILL.md` to store with a release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkillContents {
    /// Skill name.
    pub name: String,
    /// The `SKILL.md` text.
    pub skill_md: String,
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
    /// One page of a catalog listing for `account_id`, after plugin id `after`.
    pub async fn list_plugins(
        &self,
        account_id: &str,
        listing: Listing,
        after: &str,
        limit: u32,
    ) -> Result<Page<PluginRecord>, StoreError> {
        let filter = match listing {
            Listing::Scope(Scope::Global) => "p.scope = 'GLOBAL' AND $1 = $1",
            Listing::Scope(Scope::Workspace) => {
                "p.scope = 'WORKSPACE' AND p.discoverability = 'LISTED' AND $1 = $1"
            }
            Listing::Scope(Scope::User) => "p.scope = 'USER' AND p.owner_account_id = $1",
            Listing::SharedWithMe => {
                "p.scope = 'WORKSPACE' AND EXISTS (SELECT 1 FROM plugin_shares s \
                 WHERE s.plugin_id = p.id AND s.account_id = $1)"
            }
        };
        let sql = format!(
            "SELECT {COLUMNS} FROM plugins p WHERE {filter} AND p.id > $2 ORDER BY p.id LIMIT $3"
        );
        let rows = sqlx::query(&sql)
            .bind(account_id)
            .bind(after)
            .bind(i64::from(limit) + 1)
            .fetch_all(&self.pool)
            .await
            .map_err(query_error("listing plugins"))?;
        let records = rows
            .iter()
            .map(decode_record)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(paginate(records, limit, |record| &record.item.id))
    }

    /// The plugin `id` if `account_id` may see it.
    pub async fn visible_plugin(
        &self,
        account_id: &str,
        id: &str,
    ) -> Result<Option<PluginRecord>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM plugins p WHERE p.id = $2 AND {VISIBLE}");
        let row = sqlx::query(&sql)
            .bind(account_id)
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(query_error("reading a plugin"))?;
        row.as_ref().map(decode_record).transpose()
    }

    /// One page of the plugins installed for `account_id` (explicit installs and visible
    /// `INSTALLED_BY_DEFAULT` plugins), optionally of one scope.
    pub async fn installed_plugins(
        &self,
        account_id: &str,
        scope: Option<Scope>,
        after: &str,
        limit: u32,
    ) -> Result<Page<InstalledRecord>, StoreError> {
        let scope_name = scope.map_or("", Scope::as_str);
        let sql = format!(
            "SELECT * FROM ( \
               SELECT {COLUMNS}, i.enabled AS enabled, i.disabled_skill_names AS disabled \
               FROM installs i JOIN plugins p ON p.id = i.plugin_id \
               WHERE i.account_id = $1 AND {VISIBLE} \
               UNION ALL \
               SELECT {COLUMNS}, CAST(1 AS BIGINT) AS enabled, '[]' AS disabled \
               FROM plugins p \
               WHERE p.installation_policy = 'INSTALLED_BY_DEFAULT' AND {VISIBLE} \
               AND NOT EXISTS (SELECT 1 FROM installs i \
                               WHERE i.account_id = $1 AND i.plugin_id = p.id) \
             ) AS u WHERE u.id > $2 AND ($3 = '' OR u.scope = $3) ORDER BY u.id LIMIT $4"
        );
        let rows = sqlx::query(&sql)
            .bind(account_id)
            .bind(after)
            .bind(scope_name)
            .bind(i64::from(limit) + 1)
            .fetch_all(&self.pool)
            .await
            .map_err(query_error("listing installed plugins"))?;
        let records = rows
            .iter()
            .map(|row| {
                let record = decode_record(row)?;
                let enabled: i64 = row
                    .try_get("enabled")
                    .map_err(query_error("listing installed plugins"))?;
                let disabled: String = row
                    .try_get("disabled")
                    .map_err(query_error("listing installed plugins"))?;
                let disabled_skill_names =
                    serde_json::from_str(&disabled).map_err(|source| StoreError::Corrupt {
                        id: record.item.id.clone(),
                        what: "disabled_skill_names",
                        source,
                    })?;
                Ok(InstalledRecord {
                    record,
                    enabled: enabled != 0,
                    disabled_skill_names,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(paginate(records, limit, |record| &record.record.item.id))
    }

    /// Records that `account_id` installed `plugin_id` (enabled). Idempotent.
    pub async fn install(&self, account_id: &str, plugin_id: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO installs (account_id, plugin_id, enabled, disabled_skill_names, installed_at) \
             VALUES ($1, $2, 1, '[]', $3) \
             ON CONFLICT (account_id, plugin_id) DO UPDATE SET enabled = 1",
        )
        .bind(account_id)
        .bind(plugin_id)
        .bind(now_unix())
        .execute(&self.pool)
        .await
        .map_err(query_error("installing a plugin"))?;
        Ok(())
    }

    /// Removes the install of `plugin_id` for `account_id`. Idempotent.
    pub async fn uninstall(&self, account_id: &str, plugin_id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM installs WHERE account_id = $1 AND plugin_id = $2")
            .bind(account_id)
            .bind(plugin_id)
            .execute(&self.pool)
            .await
            .map_err(query_error("uninstalling a plugin"))?;
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
                .fetch_optional(&self.pool)
                .await
                .map_err(query_error("reading a skill"))?;
        row.map(|row| {
            row.try_get("skill_md")
                .map_err(query_error("reading a skill"))
        })
        .transpose()
    }

    /// Inserts or replaces a plugin and its skills and shares, in one transaction.
    pub async fn upsert_plugin(
        &self,
        record: &PluginRecord,
        skills: &[SkillContents],
    ) -> Result<(), StoreError> {
        let action = "publishing a plugin";
        let item = &record.item;
        let mut release = item.release.clone();
        release.bundle_download_url = None;
        let release_json =
            serde_json::to_string(&release).map_err(|source| StoreError::Corrupt {
                id: item.id.clone(),
                what: "release",
                source,
            })?;
        let principals = serde_json::to_string(&item.share_principals).map_err(|source| {
            StoreError::Corrupt {
                id: item.id.clone(),
                what: "share_principals",
                source,
            }
        })?;
        let mut tx = self.pool.begin().await.map_err(query_error(action))?;
        sqlx::query(
            "INSERT INTO plugins (id, name, scope, discoverability, owner_account_id, creator_name, \
               share_url, share_principals, installation_policy, authentication_policy, status, \
               version, bundle_sha256, release_json, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, scope = excluded.scope, \
               discoverability = excluded.discoverability, \
               owner_account_id = excluded.owner_account_id, creator_name = excluded.creator_name, \
               share_url = excluded.share_url, share_principals = excluded.share_principals, \
               installation_policy = excluded.installation_policy, \
               authentication_policy = excluded.authentication_policy, status = excluded.status, \
               version = excluded.version, bundle_sha256 = excluded.bundle_sha256, \
               release_json = excluded.release_json, updated_at = excluded.updated_at",
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
        .execute(&mut *tx)
        .await
        .map_err(query_error(action))?;
        sqlx::query("DELETE FROM plugin_skills WHERE plugin_id = $1")
            .bind(item.id.as_str())
            .execute(&mut *tx)
            .await
            .map_err(query_error(action))?;
        for skill in skills {
            sqlx::query(
                "INSERT INTO plugin_skills (plugin_id, name, skill_md) VALUES ($1, $2, $3)",
            )
            .bind(item.id.as_str())
            .bind(skill.name.as_str())
            .bind(skill.skill_md.as_str())
            .execute(&mut *tx)
            .await
            .map_err(query_error(action))?;
        }
        sqlx::query("DELETE FROM plugin_shares WHERE plugin_id = $1")
            .bind(item.id.as_str())
            .execute(&mut *tx)
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
                .execute(&mut *tx)
                .await
                .map_err(query_error(action))?;
            }
        }
        tx.commit().await.map_err(query_error(action))
    }

    /// Sets the admin status of a plugin; `false` if there is no such plugin.
    pub async fn set_plugin_status(&self, id: &str, status: Status) -> Result<bool, StoreError> {
        let result = sqlx::query("UPDATE plugins SET status = $1 WHERE id = $2")
            .bind(status.as_str())
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(query_error("setting a plugin status"))?;
        Ok(result.rows_affected() > 0)
    }
}

/// Cuts `items` (fetched with `limit + 1`) to `limit` and derives the next page token.
fn paginate<T>(mut items: Vec<T>, limit: u32, id: impl Fn(&T) -> &String) -> Page<T> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let next_page_token = if items.len() > limit {
        items.truncate(limit);
        items.last().map(|item| id(item).clone())
    } else {
        None
    };
    Page {
        items,
        next_page_token,
    }
}
