//! Wire types of the plugin service (`/backend-api/ps/plugins/...`), shared by `berth serve` and
//! the remote client. Main types: [`DirectoryItem`], [`InstalledItem`], [`Release`],
//! [`ListResponse`], [`InstalledListResponse`], [`InstallResponse`], [`UninstallResponse`],
//! [`SkillResponse`] and [`ErrorBody`].
//!
//! Field names are `snake_case` exactly as Codex sends and reads them; unknown fields are tolerated
//! on decode so newer servers stay readable.

mod enums;
mod item;
mod responses;

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
