//! Wire types of the plugin service (`/backend-api/ps/plugins/...`), shared by `berth serve` and
//! the remote client. Main types: [`DirectoryItem`], [`InstalledItem`], [`Release`],
//! [`ListResponse`], [`InstalledListResponse`], [`InstallResponse`], [`UninstallResponse`],
//! [`SkillResponse`] and [`ErrorBody`]; berth's own API under `/berth/v1` (publishing, releases,
//! accounts, tokens): [`PublishResponse`], [`ReleasesResponse`], [`TokenInfo`], [`WhoAmIResponse`].
//!
//! Field names are `snake_case` exactly as Codex sends and reads them; unknown fields are tolerated
//! on decode so newer servers stay readable.

mod admin;
mod enums;
mod item;
mod responses;

pub use admin::{
    AccountInfo, AccountRequest, AccountResponse, AccountsResponse, AdminPlugin,
    AdminPluginsResponse, ChangedResponse, CurrentReleaseRequest, MintedTokenResponse,
    PublishQuery, PublishResponse, ReleaseInfo, ReleasesResponse, StatusRequest, TokenInfo,
    TokenRequest, TokenScope, TokensResponse, WhoAmIResponse, admin_paths,
};
pub use enums::{AuthenticationPolicy, Discoverability, InstallationPolicy, Scope, Status};
pub use item::{
    AppTemplate, DirectoryItem, InstalledItem, McpServerRef, Release, ReleaseInterface,
    SharePrincipal, SkillInterface, SkillSummary,
};
pub use responses::{
    AnalyticsEvent, AnalyticsEventsRequest, AnalyticsEventsResponse, ErrorBody, ErrorDetail,
    InstallResponse, InstalledListResponse, ListResponse, Pagination, SkillResponse,
    UninstallResponse, paths, query,
};

#[cfg(test)]
#[path = "lib_tests.rs"]
mod tests;
