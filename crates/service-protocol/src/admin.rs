//! berth's own API under `/berth/v1` (not Codex's): who a token is, publishing a bundle, release
//! history, and the admin surface (accounts, tokens, plugin status, withdrawing and rolling back
//! releases). `snake_case` fields, like the rest of the service.

use serde::{Deserialize, Serialize};

use crate::enums::Status;

/// Route paths of the berth API, relative to the service origin.
pub mod admin_paths {
    /// `GET`: the calling token's account, scopes and expiry.
    pub const WHOAMI: &str = "/berth/v1/whoami";
    /// `POST` (body: a gzip tar bundle; query: [`super::PublishQuery`]): publish a release.
    /// `GET`: every plugin with its releases (admin).
    pub const PLUGINS: &str = "/berth/v1/plugins";
    /// `GET /berth/v1/plugins/{id}/releases`: a plugin's version history.
    pub const RELEASES_SUFFIX: &str = "/releases";
    /// `GET`: accounts; `POST` ([`super::AccountRequest`]): add one (admin).
    pub const ACCOUNTS: &str = "/berth/v1/accounts";
    /// `GET` (`?account=`): tokens; `POST` ([`super::TokenRequest`]): mint one (admin).
    pub const TOKENS: &str = "/berth/v1/tokens";
}

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenScope {
    /// Read the catalog, install and uninstall, send analytics: what Codex and berth clients do.
    Read,
    /// Publish releases (of the plugins the token allows, if it names any).
    Publish,
    /// Everything, including accounts, tokens and plugin status.
    Admin,
}

impl TokenScope {
    /// Every scope, in order.
    pub const ALL: [TokenScope; 3] = [TokenScope::Read, TokenScope::Publish, TokenScope::Admin];

    /// The wire name (`read`, `publish`, `admin`).
    pub fn as_str(self) -> &'static str {
        match self {
            TokenScope::Read => "read",
            TokenScope::Publish => "publish",
            TokenScope::Admin => "admin",
        }
    }

    /// Parses a wire name; `None` for anything else.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|scope| scope.as_str().eq_ignore_ascii_case(value))
    }
}

/// `GET /berth/v1/whoami`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhoAmIResponse {
    /// The token's account.
    pub account_id: String,
    /// The token's id (for `berth serve token revoke`), when it is a registered token.
    #[serde(default)]
    pub token_id: Option<String>,
    /// Its scopes.
    pub scopes: Vec<TokenScope>,
    /// Plugin ids a publish token is limited to (`None`: not limited).
    #[serde(default)]
    pub plugin_ids: Option<Vec<String>>,
    /// Unix seconds after which the token is refused, if it expires.
    #[serde(default)]
    pub expires_at: Option<i64>,
}

/// Query of `POST /berth/v1/plugins`: how to publish the uploaded bundle. Unset fields keep
/// today's value for a new release of an existing plugin, or the defaults for a new one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishQuery {
    /// Backend id (default: derived from the scope and the manifest name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `GLOBAL`, `WORKSPACE` or `USER`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// WORKSPACE only: `LISTED`, `UNLISTED` or `PRIVATE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discoverability: Option<String>,
    /// `AVAILABLE`, `NOT_AVAILABLE` or `INSTALLED_BY_DEFAULT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub installation_policy: Option<String>,
    /// `ON_INSTALL` or `ON_USE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_policy: Option<String>,
    /// Owner account of a `USER` or private plugin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Accounts to share with, comma-separated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_with: Option<String>,
}

/// `POST /berth/v1/plugins`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishResponse {
    /// Backend id.
    pub id: String,
    /// Plugin name (from the manifest).
    pub name: String,
    /// The release's version.
    pub version: String,
    /// Lowercase hex SHA-256 of the bundle.
    pub bundle_sha256: String,
    /// Bundle size in bytes.
    pub bundle_bytes: u64,
    /// `false` when this exact release was already published (nothing changed).
    pub created: bool,
}

/// One release in a plugin's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseInfo {
    /// Version.
    pub version: String,
    /// Lowercase hex SHA-256 of the bundle.
    pub bundle_sha256: String,
    /// Bundle size in bytes (0 for releases published before sizes were recorded).
    pub bundle_bytes: u64,
    /// Account that published it, when known.
    #[serde(default)]
    pub published_by: Option<String>,
    /// Unix seconds.
    pub published_at: i64,
    /// Unix seconds when an admin withdrew it.
    #[serde(default)]
    pub withdrawn_at: Option<i64>,
    /// Whether clients are offered this release now.
    pub current: bool,
}

/// `GET /berth/v1/plugins/{id}/releases`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleasesResponse {
    /// Backend id.
    pub id: String,
    /// Newest first.
    pub releases: Vec<ReleaseInfo>,
}

/// One plugin as the admin listing shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminPlugin {
    /// Backend id.
    pub id: String,
    /// Name.
    pub name: String,
    /// `GLOBAL`, `WORKSPACE` or `USER`.
    pub scope: String,
    /// Admin status.
    pub status: Status,
    /// The version offered now, if any release is not withdrawn.
    #[serde(default)]
    pub current_version: Option<String>,
    /// How many releases exist (withdrawn ones included).
    pub releases: u64,
    /// Owner account, for `USER` and private plugins.
    #[serde(default)]
    pub owner: Option<String>,
}

/// `GET /berth/v1/plugins`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminPluginsResponse {
    /// Every plugin, by id.
    pub plugins: Vec<AdminPlugin>,
}

/// `PUT /berth/v1/plugins/{id}/status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusRequest {
    /// The new status.
    pub status: Status,
}

/// `POST /berth/v1/plugins/{id}/current`: offer this release again (an explicit roll back).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentReleaseRequest {
    /// A version of the plugin that is not withdrawn.
    pub version: String,
}

/// An account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountInfo {
    /// The id clients send in `chatgpt-account-id`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// E-mail put in the account's tokens, if set.
    #[serde(default)]
    pub email: Option<String>,
}

/// `POST /berth/v1/accounts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRequest {
    /// Account id.
    pub id: String,
    /// Display name (default: the id).
    #[serde(default)]
    pub name: Option<String>,
    /// E-mail for its tokens.
    #[serde(default)]
    pub email: Option<String>,
}

/// Answer of `POST /berth/v1/accounts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountResponse {
    /// The account as stored.
    pub account: AccountInfo,
    /// `false` when it existed already (nothing changed).
    pub created: bool,
}

/// `GET /berth/v1/accounts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountsResponse {
    /// By id.
    pub accounts: Vec<AccountInfo>,
}

/// `POST /berth/v1/tokens`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRequest {
    /// The account the token acts as.
    pub account_id: String,
    /// Scopes (default: `read`).
    #[serde(default)]
    pub scopes: Vec<TokenScope>,
    /// Limit a publish token to these plugin ids.
    #[serde(default)]
    pub plugin_ids: Option<Vec<String>>,
    /// Days until it expires (default: the service's default).
    #[serde(default)]
    pub expires_in_days: Option<u32>,
    /// A label to recognise it by.
    #[serde(default)]
    pub label: String,
}

/// A token as listed (never the secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInfo {
    /// Id, for `revoke`.
    pub id: String,
    /// Account.
    pub account_id: String,
    /// Label.
    pub label: String,
    /// Scopes.
    pub scopes: Vec<TokenScope>,
    /// Plugin ids a publish token is limited to.
    #[serde(default)]
    pub plugin_ids: Option<Vec<String>>,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds, if it expires.
    #[serde(default)]
    pub expires_at: Option<i64>,
    /// Unix seconds, if revoked.
    #[serde(default)]
    pub revoked_at: Option<i64>,
}

/// Answer of `POST /berth/v1/tokens`: the secret, shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MintedTokenResponse {
    /// The token to send as `Authorization: Bearer <token>`.
    pub token: String,
    /// What it is.
    pub info: TokenInfo,
}

/// `GET /berth/v1/tokens`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokensResponse {
    /// Newest first.
    pub tokens: Vec<TokenInfo>,
}

/// Answer of the `DELETE`s and other admin changes that return nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangedResponse {
    /// Whether anything changed (`false`: it was already so).
    pub changed: bool,
}
