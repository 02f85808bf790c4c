//! Response bodies, the error body, the analytics ingest body, and route/query names.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::item::{DirectoryItem, InstalledItem};

/// Page cursor of list responses; `next_page_token: null` ends the listing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pagination {
    /// Token for the next page (query `pageToken`), or `None` on the last page.
    #[serde(default)]
    pub next_page_token: Option<String>,
}

/// `GET /ps/plugins/list` and `GET /ps/plugins/workspace/shared`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListResponse {
    /// One page of plugins.
    #[serde(default)]
    pub plugins: Vec<DirectoryItem>,
    /// Cursor to the next page.
    #[serde(default)]
    pub pagination: Pagination,
}

/// `GET /ps/plugins/installed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstalledListResponse {
    /// One page of installed plugins.
    #[serde(default)]
    pub plugins: Vec<InstalledItem>,
    /// Cursor to the next page.
    #[serde(default)]
    pub pagination: Pagination,
}

/// `POST /ps/plugins/{id}/install`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstallResponse {
    /// Echo of the requested id.
    pub id: String,
    /// Always `true` after a successful install.
    pub enabled: bool,
    /// App ids the user still has to authenticate.
    #[serde(default)]
    pub app_ids_needing_auth: Vec<String>,
}

/// `POST /plugins/{id}/uninstall`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UninstallResponse {
    /// Echo of the requested id.
    pub id: String,
    /// Always `false` after a successful uninstall.
    pub enabled: bool,
}

/// `GET /ps/plugins/{id}/skills/{name}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkillResponse {
    /// Echo of the plugin id.
    pub plugin_id: String,
    /// Echo of the skill name.
    pub name: String,
    /// The skill's `SKILL.md` text.
    pub skill_md_contents: String,
}

/// JSON body of every non-2xx answer: `{"error": {"code", "message"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// The inside of an [`ErrorBody`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `not_found`, `unauthorized`, `not_available`.
    pub code: String,
    /// Human-readable message naming the id and what to do.
    pub message: String,
}

impl ErrorBody {
    /// Builds an error body from a code and a message.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            error: ErrorDetail {
                code: code.into(),
                message: message.into(),
            },
        }
    }
}

/// `POST /codex/analytics-events/events` request body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalyticsEventsRequest {
    /// The events of the batch.
    pub events: Vec<AnalyticsEvent>,
}

/// One analytics event as clients send it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalyticsEvent {
    /// Event type, e.g. `codex_plugin_installed`.
    pub event_type: String,
    /// Event parameters (an object).
    #[serde(default)]
    pub event_params: Value,
}

/// `POST /codex/analytics-events/events` response body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalyticsEventsResponse {
    /// How many events were stored.
    pub accepted: u64,
}

/// Route paths relative to the base URL (`.../backend-api`).
pub mod paths {
    /// Catalog listing.
    pub const LIST: &str = "/ps/plugins/list";
    /// Installed listing.
    pub const INSTALLED: &str = "/ps/plugins/installed";
    /// Workspace plugins shared with the caller.
    pub const WORKSPACE_SHARED: &str = "/ps/plugins/workspace/shared";
    /// Analytics ingest.
    pub const ANALYTICS_EVENTS: &str = "/codex/analytics-events/events";

    /// `GET /ps/plugins/{id}`.
    pub fn plugin(id: &str) -> String {
        format!("/ps/plugins/{id}")
    }

    /// `GET /ps/plugins/{id}/skills/{name}`.
    pub fn skill(id: &str, name: &str) -> String {
        format!("/ps/plugins/{id}/skills/{name}")
    }

    /// `POST /ps/plugins/{id}/install`.
    pub fn install(id: &str) -> String {
        format!("/ps/plugins/{id}/install")
    }

    /// `POST /plugins/{id}/uninstall` (no `/ps` prefix, as Codex calls it).
    pub fn uninstall(id: &str) -> String {
        format!("/plugins/{id}/uninstall")
    }
}

/// Query parameter names.
pub mod query {
    /// `GLOBAL`, `WORKSPACE` or `USER`.
    pub const SCOPE: &str = "scope";
    /// Page size.
    pub const LIMIT: &str = "limit";
    /// Cursor from `pagination.next_page_token`.
    pub const PAGE_TOKEN: &str = "pageToken";
    /// `true` to include `release.bundle_download_url`.
    pub const INCLUDE_DOWNLOAD_URLS: &str = "includeDownloadUrls";
    /// `true` to include `app_ids_needing_auth` in install responses.
    pub const INCLUDE_APPS_NEEDING_AUTH: &str = "includeAppsNeedingAuth";
    /// Header carrying the `ChatGPT` account id.
    pub const ACCOUNT_HEADER: &str = "chatgpt-account-id";
}
