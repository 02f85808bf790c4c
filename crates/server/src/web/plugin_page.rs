//! `GET /plugins/{id}`: a plugin's page (descriptions, skills with their `SKILL.md` rendered and
//! sanitised, MCP servers and apps, version history, bundle size and digest, install commands
//! with copy buttons, and installs and weekly uses for those who may see its analytics), and
//! `POST /plugins/{id}/status`, the admin's status toggle.

use std::sync::Arc;

use askama::Template;
use axum::extract::rejection::{FormRejection, PathRejection};
use axum::extract::{Form, OriginalUri, Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use berth_plugin::{
    REMOTE_CREATED_BY_ME_MARKETPLACE, REMOTE_GLOBAL_MARKETPLACE, REMOTE_SHARED_WITH_ME_MARKETPLACE,
    REMOTE_WORKSPACE_DIRECTORY_MARKETPLACE, is_valid_remote_plugin_id,
};
use berth_service_protocol::{DirectoryItem, Discoverability, ReleaseInfo, Scope, Status};
use serde::Deserialize;
use sqlx::Row as _;

use crate::catalog::PluginRecord;
use crate::db::{Db, now_unix, query_error};
use crate::error::StoreError;
use crate::rollups::{KeyScope, SECONDS_PER_DAY, USED_EVENT};
use crate::routes::{AppState, clip};
use crate::web::access::{Viewer, publishers_of, version_history};
use crate::web::catalog_page::{brand_color, clip_chars};
use crate::web::insights_data::date_of;
use crate::web::markdown;
use crate::web::page::{Layout, PageError, html};
use crate::web::session::{check_form, sign_in_redirect};

/// Characters of a long description shown (the rest is cut, marked with an ellipsis).
const MAX_DESCRIPTION_CHARS: usize = 20_000;

/// A skill as its section shows it.
#[derive(Debug)]
struct SkillView {
    name: String,
    description: Option<String>,
    /// Sanitised HTML of its `SKILL.md`.
    html: String,
}

/// A release in the version history.
#[derive(Debug)]
struct VersionView {
    version: String,
    published_by: Option<String>,
    published_at: String,
    size: String,
    state: &'static str,
}

/// Installs and uses shown to those who may see a plugin's analytics.
#[derive(Debug)]
struct UsageView {
    active_installs: i64,
    weekly_uses: i64,
    insights_url: String,
}

#[derive(Template)]
#[template(path = "plugin.html")]
struct PluginTemplate {
    layout: Layout,
    id: String,
    name: String,
    display_name: String,
    short_description: Option<String>,
    long_description: Option<String>,
    developer: Option<String>,
    category: Option<String>,
    version: Option<String>,
    scope: &'static str,
    status: &'static str,
    brand_color: Option<String>,
    keywords: Vec<String>,
    skills: Vec<SkillView>,
    mcp_servers: Vec<String>,
    apps: Vec<String>,
    versions: Vec<VersionView>,
    bundle_sha256: Option<String>,
    bundle_size: Option<String>,
    berth_command: String,
    codex_command: String,
    usage: Option<UsageView>,
    is_admin: bool,
    csrf_token: String,
}

/// The marketplace a client lists a plugin of this scope in (as the remote client maps it).
fn marketplace_of(item: &DirectoryItem) -> &'static str {
    match (item.scope, item.discoverability) {
        (Scope::Global, _) => REMOTE_GLOBAL_MARKETPLACE,
        (Scope::User, _) => REMOTE_CREATED_BY_ME_MARKETPLACE,
        (Scope::Workspace, Some(Discoverability::Listed)) => REMOTE_WORKSPACE_DIRECTORY_MARKETPLACE,
        (Scope::Workspace, _) => REMOTE_SHARED_WITH_ME_MARKETPLACE,
    }
}

/// `1,234,567 bytes (1.2 MiB)`-style sizes.
pub(crate) fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    #[expect(clippy::cast_precision_loss, reason = "a rounded display value")]
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {} ({bytes} bytes)", UNITS[unit])
}

impl Db {
    /// Every skill's `SKILL.md` of `plugin_id`, by name.
    pub(crate) async fn skill_documents(
        &self,
        plugin_id: &str,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let action = "reading skills";
        let rows = sqlx::query(
            "SELECT name, skill_md FROM plugin_skills WHERE plugin_id = $1 ORDER BY name",
        )
        .bind(plugin_id)
        .fetch_all(&self.reads)
        .await
        .map_err(query_error(action))?;
        rows.iter()
            .map(|row| {
                Ok((
                    row.try_get("name").map_err(query_error(action))?,
                    row.try_get("skill_md").map_err(query_error(action))?,
                ))
            })
            .collect()
    }
}

/// The plugin a page is about, if `viewer` may read it; unknown and invisible look the same.
async fn readable(
    state: &AppState,
    viewer: &Viewer,
    path: Result<Path<String>, PathRejection>,
) -> Result<Arc<PluginRecord>, PageError> {
    let not_found = |id: &str| {
        PageError::NotFound(format!(
            "plugin `{}` does not exist or is not visible to you",
            clip(id)
        ))
    };
    let Path(id) = path.map_err(|_| not_found(""))?;
    if !is_valid_remote_plugin_id(&id) {
        return Err(not_found(&id));
    }
    let catalog = state.catalog.current().await?;
    catalog
        .record(&id)
        .filter(|record| viewer.may_read(record))
        .ok_or_else(|| not_found(&id))
}

/// The bundle's size, read once per digest.
async fn bundle_size(state: &AppState, sha256: &str) -> Option<u64> {
    if let Some(size) = state.web.bundle_size(sha256) {
        return Some(size);
    }
    let size = state.bundles.open(sha256).await.ok()??.size();
    state.web.remember_bundle_size(sha256, size);
    Some(size)
}

async fn usage(state: &AppState, id: &str) -> Result<UsageView, StoreError> {
    let today = now_unix().div_euclid(SECONDS_PER_DAY);
    let ids = [id.to_owned()];
    let (counts, days) = tokio::join!(
        state.db.install_counts(&ids, today + 1),
        state
            .db
            .rollup_days(KeyScope::Only(&ids), today - 6, today + 1)
    );
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("plugin", id)
        .finish();
    Ok(UsageView {
        active_installs: counts?.last().map_or(0, |count| count.active),
        weekly_uses: days?
            .iter()
            .filter(|day| day.event_type == USED_EVENT)
            .map(|day| day.events)
            .sum(),
        insights_url: format!("/insights?{query}"),
    })
}

/// The version history as the page shows it.
fn version_views(history: Vec<ReleaseInfo>) -> Vec<VersionView> {
    history
        .into_iter()
        .map(|entry| VersionView {
            state: if entry.current {
                "current"
            } else if entry.withdrawn_at.is_some() {
                "withdrawn"
            } else {
                "earlier"
            },
            published_at: date_of(entry.published_at.div_euclid(SECONDS_PER_DAY)),
            size: if entry.bundle_bytes > 0 {
                human_size(entry.bundle_bytes)
            } else {
                "–".to_owned()
            },
            version: entry.version,
            published_by: entry.published_by,
        })
        .collect()
}

/// `GET /plugins/{id}`.
pub(crate) async fn plugin(
    State(state): State<AppState>,
    viewer: Viewer,
    OriginalUri(uri): OriginalUri,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, PageError> {
    if viewer == Viewer::Anonymous && !state.web.public_catalog {
        return Ok(sign_in_redirect(&uri.to_string()));
    }
    let record = readable(&state, &viewer, path).await?;
    let item = &record.item;
    let release = &item.release;
    let interface = &release.interface;
    let documents = state.db.skill_documents(&item.id).await?;
    let skills = release
        .skills
        .iter()
        .map(|skill| SkillView {
            name: skill.name.clone(),
            description: skill.description.clone(),
            html: documents
                .iter()
                .find(|(name, _)| *name == skill.name)
                .map(|(_, text)| markdown::render(text))
                .unwrap_or_default(),
        })
        .collect();
    let (history, publishers) = tokio::join!(
        version_history(&state.db, &item.id),
        publishers_of(&state.db, &item.id)
    );
    let history = history?;
    let recorded_size = history
        .iter()
        .find(|entry| entry.current)
        .map(|entry| entry.bundle_bytes)
        .filter(|bytes| *bytes > 0);
    let size = match (&release.bundle_sha256, recorded_size) {
        (_, Some(bytes)) => Some(bytes),
        (Some(sha), None) => bundle_size(&state, sha).await,
        (None, None) => None,
    };
    let usage = if viewer.may_see_analytics(&record, &publishers?) {
        Some(usage(&state, &item.id).await?)
    } else {
        None
    };
    let local_id = format!("{}@{}", item.name, marketplace_of(item));
    let (is_admin, csrf_token) = match &viewer {
        Viewer::SignedIn(session) => (session.is_admin, session.csrf_token.clone()),
        Viewer::Anonymous => (false, String::new()),
    };
    let template = PluginTemplate {
        layout: Layout::new(clip_chars(&release.display_name, 80), &viewer, "catalog"),
        id: item.id.clone(),
        name: item.name.clone(),
        display_name: release.display_name.clone(),
        short_description: interface.short_description.clone(),
        long_description: interface
            .long_description
            .as_deref()
            .or(release.description.as_deref())
            .map(|text| clip_chars(text, MAX_DESCRIPTION_CHARS)),
        developer: interface.developer_name.clone(),
        category: interface.category.clone(),
        version: release.version.clone(),
        scope: item.scope.as_str(),
        status: item.status.as_str(),
        brand_color: brand_color(interface.brand_color.as_deref()),
        keywords: release.keywords.clone(),
        skills,
        mcp_servers: release
            .mcp_servers
            .iter()
            .map(|server| server.key.clone())
            .collect(),
        apps: release.app_ids.clone(),
        versions: version_views(history),
        bundle_sha256: release.bundle_sha256.clone(),
        bundle_size: size.map(human_size),
        berth_command: format!("berth plugin add {local_id}"),
        codex_command: format!("codex plugin add {local_id}"),
        usage,
        is_admin,
        csrf_token,
    };
    html(&template)
}

#[derive(Debug, Deserialize)]
pub(crate) struct StatusForm {
    csrf: String,
    status: String,
}

/// `POST /plugins/{id}/status`: an admin sets the plugin's status (CSRF-checked).
pub(crate) async fn set_status(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    form: Result<Form<StatusForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Viewer::SignedIn(session) = &viewer else {
        return Err(PageError::Forbidden(
            "sign in as an admin to change a plugin's status".to_owned(),
        ));
    };
    let Form(form) = form.map_err(|err| PageError::BadRequest(err.body_text()))?;
    check_form(&headers, session, &form.csrf)?;
    if !session.is_admin {
        return Err(PageError::Forbidden(
            "only admins change a plugin's status".to_owned(),
        ));
    }
    let record = readable(&state, &viewer, path).await?;
    let status = Status::parse(&form.status).ok_or_else(|| {
        PageError::BadRequest(format!(
            "unknown status `{}`; use AVAILABLE or DISABLED_BY_ADMIN",
            clip(&form.status)
        ))
    })?;
    state.db.set_plugin_status(&record.item.id, status).await?;
    tracing::info!(plugin = %record.item.id, status = status.as_str(), account = %session.account_id, "status changed from the web");
    Ok(Redirect::to(&crate::web::catalog_page::plugin_url(&record.item.id)).into_response())
}

#[cfg(test)]
#[path = "plugin_page_tests.rs"]
mod tests;
