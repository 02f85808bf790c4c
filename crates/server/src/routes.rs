//! The HTTP API under `/backend-api`: catalog, installed state, skills, install/uninstall,
//! bundles by content hash, analytics ingest, and the startup calls Codex makes. Every error is
//! a JSON [`berth_service_protocol::ErrorBody`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use berth_plugin::is_valid_remote_plugin_id;
use berth_service_protocol::{
    AnalyticsEventsRequest, AnalyticsEventsResponse, DirectoryItem, InstallResponse,
    InstallationPolicy, InstalledItem, InstalledListResponse, ListResponse, Pagination, Scope,
    SkillResponse, Status, UninstallResponse,
};
use serde::Deserialize;

use crate::auth::Caller;
use crate::bundles::{BundleStore, is_sha256_hex};
use crate::catalog::{Listing, PluginRecord};
use crate::catalog_cache::CatalogCache;
use crate::db::{Db, hash_token};
use crate::error::{ApiError, StoreError};
use crate::events::{IngestBatch, Ingested};
use crate::ingest_rate::IngestRate;
use crate::limits::Limits;
use crate::tokens::{Grant, SigningKey};

/// Largest request body accepted (analytics batches included).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// Most events accepted in one analytics request.
pub const MAX_EVENTS_PER_REQUEST: usize = 1000;
/// Default and largest page size.
pub const DEFAULT_PAGE_LIMIT: u32 = 200;
/// Largest page size a client may ask for.
pub const MAX_PAGE_LIMIT: u32 = 1000;
/// Header naming a client batch, so a resent batch is stored once.
pub const IDEMPOTENCY_KEY_HEADER: &str = "idempotency-key";
/// Longest idempotency key accepted.
const MAX_IDEMPOTENCY_KEY_LEN: usize = 128;
/// How long a verified token stays cached in memory: a token revoked through another instance
/// or the database directly is refused here within this time.
pub const TOKEN_CACHE_TTL: Duration = Duration::from_secs(5);

/// Shared state of the handlers.
#[derive(Debug, Clone)]
pub struct AppState {
    pub(crate) db: Db,
    pub(crate) bundles: Arc<dyn BundleStore>,
    /// Origin used for absolute bundle URLs, without a trailing slash.
    pub(crate) public_url: Arc<str>,
    pub(crate) dev_mode: bool,
    /// The catalog in memory, checked against the database at every request.
    pub(crate) catalog: Arc<CatalogCache>,
    pub(crate) limits: Arc<Limits>,
    ingest_rate: Arc<IngestRate>,
    token_cache: Arc<Mutex<HashMap<String, (Grant, Instant)>>>,
    signing_key: Arc<tokio::sync::OnceCell<SigningKey>>,
    /// Accounts known to exist, named by development tokens (dev mode only).
    dev_accounts: Arc<Mutex<std::collections::HashSet<String>>>,
}

impl AppState {
    /// State over `db` and `bundles`, building bundle URLs from `public_url`.
    pub fn new(db: Db, bundles: Arc<dyn BundleStore>, public_url: &str, dev_mode: bool) -> Self {
        Self {
            catalog: Arc::new(CatalogCache::new(db.clone())),
            db,
            bundles,
            public_url: Arc::from(public_url.trim_end_matches('/')),
            dev_mode,
            limits: Arc::default(),
            ingest_rate: Arc::new(IngestRate::new(
                crate::limits::DEFAULT_EVENTS_BYTES_PER_SECOND,
                crate::limits::DEFAULT_EVENTS_BURST_BYTES,
            )),
            token_cache: Arc::default(),
            signing_key: Arc::default(),
            dev_accounts: Arc::default(),
        }
    }

    /// The same state with `limits` in effect.
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.ingest_rate = Arc::new(IngestRate::new(
            limits.events_bytes_per_second,
            limits.events_burst_bytes,
        ));
        self.limits = Arc::new(limits);
        self
    }

    /// What a token allows, if the service minted or registered it and it is still valid;
    /// hits are cached for [`TOKEN_CACHE_TTL`]. A JWT must carry this service's signature
    /// (development tokens are checked apart).
    pub(crate) async fn token_grant(&self, token: &str) -> Result<Option<Grant>, StoreError> {
        let hash = hash_token(token);
        let now = crate::db::now_unix();
        if let Ok(cache) = self.token_cache.lock()
            && let Some((grant, at)) = cache.get(&hash)
            && at.elapsed() < TOKEN_CACHE_TTL
            && grant.expires_at.is_none_or(|expires| expires > now)
        {
            return Ok(Some(grant.clone()));
        }
        if token.split('.').count() == 3 {
            let key = self
                .signing_key
                .get_or_try_init(|| self.db.signing_key())
                .await?;
            if !key.verifies(token) {
                return Ok(None);
            }
        }
        let grant = self.db.token_grant(token).await?;
        if let (Some(grant), Ok(mut cache)) = (&grant, self.token_cache.lock()) {
            if cache.len() > 10_000 {
                cache.clear();
            }
            cache.insert(hash, (grant.clone(), Instant::now()));
        }
        Ok(grant)
    }

    /// Forgets cached grants (after a revocation on this instance).
    pub(crate) fn forget_tokens(&self) {
        if let Ok(mut cache) = self.token_cache.lock() {
            cache.clear();
        }
    }

    /// Creates the account a valid development token names, the first time it is used, so the
    /// quickstart and the smokes need no setup.
    pub(crate) async fn ensure_dev_account(&self, account_id: &str) -> Result<(), StoreError> {
        if self
            .dev_accounts
            .lock()
            .is_ok_and(|known| known.contains(account_id))
        {
            return Ok(());
        }
        if self.db.account(account_id).await?.is_none() {
            self.db.add_account(account_id, account_id).await?;
            tracing::info!(
                account = account_id,
                "created account named by a development token on its first use"
            );
        }
        if let Ok(mut known) = self.dev_accounts.lock() {
            if known.len() > 10_000 {
                known.clear();
            }
            known.insert(account_id.to_owned());
        }
        Ok(())
    }

    fn bundle_url(&self, sha256_hex: &str) -> String {
        format!(
            "{}/backend-api/bundles/{sha256_hex}.tar.gz",
            self.public_url
        )
    }

    fn render(&self, record: &PluginRecord, include_urls: bool) -> DirectoryItem {
        let mut item = record.item.clone();
        item.release.bundle_download_url = match (&item.release.bundle_sha256, include_urls) {
            (Some(sha), true) => Some(self.bundle_url(sha)),
            _ => None,
        };
        item
    }
}

/// Builds the router with every route under `/backend-api`.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/ps/plugins/list", get(list))
        .route("/ps/plugins/installed", get(installed))
        .route("/ps/plugins/workspace/shared", get(shared))
        .route("/ps/plugins/suggested/codex", get(suggested))
        .route("/ps/plugins/{id}", get(read))
        .route("/ps/plugins/{id}/skills/{name}", get(skill))
        .route("/ps/plugins/{id}/install", post(install))
        .route("/plugins/{id}/uninstall", post(uninstall))
        .route("/ps/plugins/{id}/uninstall", post(uninstall))
        .route("/plugins/featured", get(featured))
        .route("/codex/analytics-events/events", post(analytics))
        .route("/bundles/{file}", get(bundle));
    Router::new()
        .nest("/backend-api", api)
        .nest("/berth/v1", crate::admin::router())
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            deadline,
        ))
        .with_state(state)
}

/// Answers 503 when a request (its body upload and handler) takes longer than the request
/// timeout, and stops working on it; a write in progress is rolled back, never half-done.
async fn deadline(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let limit = state.limits.request_timeout;
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::Overloaded(format!(
            "the request took longer than {}s; retry later",
            limit.as_secs()
        ))
        .into_response(),
    }
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    scope: Option<String>,
    limit: Option<String>,
    #[serde(rename = "pageToken")]
    page_token: Option<String>,
    #[serde(rename = "includeDownloadUrls")]
    include_download_urls: Option<String>,
    #[serde(rename = "includeAppsNeedingAuth")]
    include_apps_needing_auth: Option<String>,
}

struct Paging {
    after: String,
    limit: u32,
}

impl ListQuery {
    fn from_rejection(query: Result<Query<Self>, QueryRejection>) -> Result<Self, ApiError> {
        query.map(|Query(query)| query).map_err(|err| {
            ApiError::BadRequest(format!("malformed query string: {}", err.body_text()))
        })
    }

    fn scope(&self) -> Result<Option<Scope>, ApiError> {
        self.scope
            .as_deref()
            .map(|value| {
                Scope::parse(value).ok_or_else(|| {
                    ApiError::BadRequest(format!(
                        "unknown scope `{}`; use GLOBAL, WORKSPACE or USER",
                        clip(value)
                    ))
                })
            })
            .transpose()
    }

    fn paging(&self) -> Result<Paging, ApiError> {
        let limit = match self.limit.as_deref() {
            None => DEFAULT_PAGE_LIMIT,
            Some(value) => value
                .parse::<u32>()
                .ok()
                .filter(|limit| (1..=MAX_PAGE_LIMIT).contains(limit))
                .ok_or_else(|| {
                    ApiError::BadRequest(format!(
                        "invalid limit `{}`; use a number from 1 to {MAX_PAGE_LIMIT}",
                        clip(value)
                    ))
                })?,
        };
        let after = match self.page_token.as_deref() {
            None | Some("") => String::new(),
            Some(token) if is_valid_remote_plugin_id(token) => token.to_owned(),
            Some(token) => {
                return Err(ApiError::BadRequest(format!(
                    "invalid pageToken `{}`; pass `pagination.next_page_token` from the previous page",
                    clip(token)
                )));
            }
        };
        Ok(Paging { after, limit })
    }

    fn flag(value: Option<&String>) -> bool {
        value.is_some_and(|value| value == "true" || value == "1")
    }
}

fn plugin_id(path: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    let Path(id) = path.map_err(|err| ApiError::BadRequest(err.body_text()))?;
    if is_valid_remote_plugin_id(&id) {
        Ok(id)
    } else {
        Err(ApiError::BadRequest(format!(
            "invalid plugin id `{}`: only ASCII letters, digits, `_`, `-`, and `~` are allowed",
            clip(&id)
        )))
    }
}

fn not_found_plugin(id: &str) -> ApiError {
    ApiError::NotFound(format!(
        "plugin `{}` does not exist or is not visible to this account",
        clip(id)
    ))
}

async fn visible(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<Arc<PluginRecord>, ApiError> {
    state
        .catalog
        .current()
        .await?
        .visible(&caller.account_id, id)
        .ok_or_else(|| not_found_plugin(id))
}

async fn list(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<ListResponse>, ApiError> {
    let query = ListQuery::from_rejection(query)?;
    let scope = query.scope()?.unwrap_or(Scope::Global);
    list_page(&state, &caller, &query, Listing::Scope(scope)).await
}

async fn shared(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<ListResponse>, ApiError> {
    let query = ListQuery::from_rejection(query)?;
    list_page(&state, &caller, &query, Listing::SharedWithMe).await
}

async fn list_page(
    state: &AppState,
    caller: &Caller,
    query: &ListQuery,
    listing: Listing,
) -> Result<Json<ListResponse>, ApiError> {
    let paging = query.paging()?;
    let include = ListQuery::flag(query.include_download_urls.as_ref());
    let page = state.catalog.current().await?.list(
        &caller.account_id,
        listing,
        &paging.after,
        paging.limit,
    );
    Ok(Json(ListResponse {
        plugins: page
            .items
            .iter()
            .map(|record| state.render(record, include))
            .collect(),
        pagination: Pagination {
            next_page_token: page.next_page_token,
        },
    }))
}

async fn installed(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<InstalledListResponse>, ApiError> {
    let query = ListQuery::from_rejection(query)?;
    let scope = query.scope()?;
    let paging = query.paging()?;
    let include = ListQuery::flag(query.include_download_urls.as_ref());
    let (catalog, installs) = tokio::join!(
        state.catalog.current(),
        state.db.installs_of(&caller.account_id)
    );
    let page = catalog?.installed(
        &caller.account_id,
        installs?,
        scope,
        &paging.after,
        paging.limit,
    );
    Ok(Json(InstalledListResponse {
        plugins: page
            .items
            .into_iter()
            .map(|installed| InstalledItem {
                item: state.render(&installed.record, include),
                enabled: installed.enabled,
                disabled_skill_names: installed.disabled_skill_names,
            })
            .collect(),
        pagination: Pagination {
            next_page_token: page.next_page_token,
        },
    }))
}

async fn read(
    State(state): State<AppState>,
    caller: Caller,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<DirectoryItem>, ApiError> {
    let id = plugin_id(path)?;
    let query = ListQuery::from_rejection(query)?;
    let record = visible(&state, &caller, &id).await?;
    Ok(Json(state.render(
        &record,
        ListQuery::flag(query.include_download_urls.as_ref()),
    )))
}

async fn skill(
    State(state): State<AppState>,
    caller: Caller,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Json<SkillResponse>, ApiError> {
    let Path((id, name)) = path.map_err(|err| ApiError::BadRequest(err.body_text()))?;
    let id = plugin_id(Ok(Path(id)))?;
    if name.is_empty()
        || name == "."
        || name == ".."
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'))
    {
        return Err(ApiError::BadRequest(format!(
            "invalid skill name `{}`",
            clip(&name)
        )));
    }
    visible(&state, &caller, &id).await?;
    let skill_md_contents = state
        .db
        .skill_md(&id, &name)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("plugin `{id}` has no skill `{name}`")))?;
    Ok(Json(SkillResponse {
        plugin_id: id,
        name,
        skill_md_contents,
    }))
}

async fn install(
    State(state): State<AppState>,
    caller: Caller,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<InstallResponse>, ApiError> {
    let id = plugin_id(path)?;
    let query = ListQuery::from_rejection(query)?;
    let record = visible(&state, &caller, &id).await?;
    if record.item.status == Status::DisabledByAdmin {
        return Err(ApiError::Forbidden {
            code: "disabled_by_admin",
            message: format!("remote plugin {id} is disabled by admin"),
        });
    }
    if record.item.installation_policy == InstallationPolicy::NotAvailable {
        return Err(ApiError::Forbidden {
            code: "not_available",
            message: format!("remote plugin {id} is not available for install"),
        });
    }
    state.db.install(&caller.account_id, &id).await?;
    let app_ids_needing_auth = if ListQuery::flag(query.include_apps_needing_auth.as_ref()) {
        record.item.release.app_ids.clone()
    } else {
        Vec::new()
    };
    Ok(Json(InstallResponse {
        id,
        enabled: true,
        app_ids_needing_auth,
    }))
}

async fn uninstall(
    State(state): State<AppState>,
    caller: Caller,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<UninstallResponse>, ApiError> {
    let id = plugin_id(path)?;
    let record = visible(&state, &caller, &id).await?;
    if record.item.installation_policy == InstallationPolicy::InstalledByDefault {
        return Err(ApiError::Conflict(format!(
            "plugin `{id}` is installed by default for every account and cannot be uninstalled; \
             an admin can republish it with another installation policy"
        )));
    }
    state.db.uninstall(&caller.account_id, &id).await?;
    Ok(Json(UninstallResponse { id, enabled: false }))
}

async fn suggested(_caller: Caller) -> Json<ListResponse> {
    Json(ListResponse {
        plugins: Vec::new(),
        pagination: Pagination::default(),
    })
}

async fn featured(_caller: Caller) -> Json<Vec<String>> {
    Json(Vec::new())
}

async fn analytics(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<AnalyticsEventsResponse>, ApiError> {
    let body = body.map_err(|err| match err {
        BytesRejection::FailedToBufferBody(_) if err.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::PayloadTooLarge(format!(
                "request body exceeds {MAX_BODY_BYTES} bytes; send fewer events per request"
            ))
        }
        other => ApiError::BadRequest(other.body_text()),
    })?;
    let bytes = u64::try_from(body.len()).unwrap_or(u64::MAX);
    state
        .ingest_rate
        .take(&caller.account_id, bytes)
        .map_err(|retry_after| ApiError::TooManyRequests {
            message: format!(
                "account `{}` is sending analytics faster than {} bytes/s; retry later",
                caller.account_id, state.limits.events_bytes_per_second
            ),
            retry_after,
        })?;
    let batch_key = idempotency_key(&headers)?;
    let request: AnalyticsEventsRequest = serde_json::from_slice(&body).map_err(|err| {
        ApiError::BadRequest(format!(
            "analytics body must be {{\"events\": [{{\"event_type\", \"event_params\"}}]}}: {err}"
        ))
    })?;
    if request.events.len() > MAX_EVENTS_PER_REQUEST {
        return Err(ApiError::PayloadTooLarge(format!(
            "{} events in one request; send at most {MAX_EVENTS_PER_REQUEST}",
            request.events.len()
        )));
    }
    let mut events = Vec::with_capacity(request.events.len());
    for (index, event) in request.events.into_iter().enumerate() {
        let valid_type = !event.event_type.is_empty()
            && event.event_type.len() <= 128
            && event
                .event_type
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid_type {
            return Err(ApiError::BadRequest(format!(
                "event {index} has invalid event_type `{}`; use lowercase letters, digits and `_`",
                clip(&event.event_type)
            )));
        }
        if !event.event_params.is_object() {
            return Err(ApiError::BadRequest(format!(
                "event {index} (`{}`) has event_params that are not a JSON object",
                event.event_type
            )));
        }
        events.push((event.event_type, event.event_params));
    }
    let batch = IngestBatch {
        account_id: &caller.account_id,
        batch_key,
        events: &events,
        bytes,
    };
    match state
        .db
        .ingest_events(batch, state.limits.events_daily_bytes)
        .await?
    {
        Ingested::Stored | Ingested::Duplicate => Ok(Json(AnalyticsEventsResponse {
            accepted: u64::try_from(events.len()).unwrap_or(u64::MAX),
        })),
        Ingested::OverDailyVolume(retry_after) => Err(ApiError::TooManyRequests {
            message: format!(
                "account `{}` has sent its daily analytics volume ({} bytes); retry tomorrow (UTC)",
                caller.account_id, state.limits.events_daily_bytes
            ),
            retry_after,
        }),
    }
}

/// The request's `Idempotency-Key`, if it sent a valid one.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    let Some(value) = headers.get(IDEMPOTENCY_KEY_HEADER) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .filter(|key| {
            (1..=MAX_IDEMPOTENCY_KEY_LEN).contains(&key.len())
                && key.bytes().all(|b| b.is_ascii_graphic())
        })
        .map(Some)
        .ok_or_else(|| {
            ApiError::BadRequest(format!(
                "`Idempotency-Key` must be 1 to {MAX_IDEMPOTENCY_KEY_LEN} visible ASCII characters"
            ))
        })
}

/// Longest piece of client input echoed in an error message.
const MAX_ECHO_CHARS: usize = 80;

/// `text` cut to [`MAX_ECHO_CHARS`] characters, marked when cut, for error messages.
pub(crate) fn clip(text: &str) -> String {
    match text.char_indices().nth(MAX_ECHO_CHARS) {
        None => text.to_owned(),
        Some((end, _)) => format!("{}…", &text[..end]),
    }
}

async fn bundle(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some(sha) = file
        .strip_suffix(".tar.gz")
        .filter(|sha| is_sha256_hex(sha))
    else {
        return ApiError::NotFound(format!("no bundle `{}`", clip(&file))).into_response();
    };
    let sha = sha.to_owned();
    let store = Arc::clone(&state.bundles);
    let lookup = tokio::task::spawn_blocking(move || store.get(&sha)).await;
    match lookup {
        Ok(Ok(Some(bytes))) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/gzip"),
                ),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=31536000, immutable"),
                ),
            ],
            bytes,
        )
            .into_response(),
        Ok(Ok(None)) => ApiError::NotFound(format!("no bundle `{}`", clip(&file))).into_response(),
        Ok(Err(err)) => ApiError::Internal(err).into_response(),
        Err(join) => ApiError::Internal(StoreError::Bundle {
            path: file.into(),
            source: std::io::Error::other(join),
        })
        .into_response(),
    }
}

async fn not_found() -> ApiError {
    ApiError::NotFound("no such endpoint".to_owned())
}
