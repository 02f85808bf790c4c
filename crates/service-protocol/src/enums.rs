//! Enumerations of the plugin service: scope, discoverability, policies and status.

use serde::{Deserialize, Serialize};

/// Where a plugin is published: the global catalog, a workspace, or a single user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Scope {
    /// The global catalog (Codex maps it to `openai-curated-remote`).
    Global,
    /// A workspace catalog (`workspace-directory` or `workspace-shared-with-me`).
    Workspace,
    /// Created by the user (`created-by-me-remote`).
    User,
}

impl Scope {
    /// Every scope, in wire order.
    pub const ALL: [Scope; 3] = [Scope::Global, Scope::Workspace, Scope::User];

    /// The wire name (`GLOBAL`, `WORKSPACE`, `USER`).
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Global => "GLOBAL",
            Scope::Workspace => "WORKSPACE",
            Scope::User => "USER",
        }
    }

    /// Parses a wire name; `None` for anything else.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|scope| scope.as_str() == value)
    }
}

/// Who can find a workspace plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Discoverability {
    /// Listed in the workspace directory.
    Listed,
    /// Reachable by id or share, not listed.
    Unlisted,
    /// Only for the principals it is shared with.
    Private,
}

impl Discoverability {
    /// Every value, in wire order.
    pub const ALL: [Discoverability; 3] = [
        Discoverability::Listed,
        Discoverability::Unlisted,
        Discoverability::Private,
    ];

    /// The wire name (`LISTED`, `UNLISTED`, `PRIVATE`).
    pub fn as_str(self) -> &'static str {
        match self {
            Discoverability::Listed => "LISTED",
            Discoverability::Unlisted => "UNLISTED",
            Discoverability::Private => "PRIVATE",
        }
    }

    /// Parses a wire name; `None` for anything else.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|item| item.as_str() == value)
    }
}

/// Whether and how a plugin can be installed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum InstallationPolicy {
    /// Install is refused.
    NotAvailable,
    /// Users may install it.
    Available,
    /// Installed for every account without asking.
    InstalledByDefault,
}

impl InstallationPolicy {
    /// Every value, in wire order.
    pub const ALL: [InstallationPolicy; 3] = [
        InstallationPolicy::NotAvailable,
        InstallationPolicy::Available,
        InstallationPolicy::InstalledByDefault,
    ];

    /// The wire name (`NOT_AVAILABLE`, `AVAILABLE`, `INSTALLED_BY_DEFAULT`).
    pub fn as_str(self) -> &'static str {
        match self {
            InstallationPolicy::NotAvailable => "NOT_AVAILABLE",
            InstallationPolicy::Available => "AVAILABLE",
            InstallationPolicy::InstalledByDefault => "INSTALLED_BY_DEFAULT",
        }
    }

    /// Parses a wire name; `None` for anything else.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|item| item.as_str() == value)
    }
}

/// When the plugin's apps ask the user to authenticate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AuthenticationPolicy {
    /// At install time.
    OnInstall,
    /// On first use.
    OnUse,
}

impl AuthenticationPolicy {
    /// Every value, in wire order.
    pub const ALL: [AuthenticationPolicy; 2] =
        [AuthenticationPolicy::OnInstall, AuthenticationPolicy::OnUse];

    /// The wire name (`ON_INSTALL`, `ON_USE`).
    pub fn as_str(self) -> &'static str {
        match self {
            AuthenticationPolicy::OnInstall => "ON_INSTALL",
            AuthenticationPolicy::OnUse => "ON_USE",
        }
    }

    /// Parses a wire name; `None` for anything else.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|item| item.as_str() == value)
    }
}

/// Availability set by an admin. `ENABLED` is accepted as a synonym of `AVAILABLE` on decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    /// The plugin may be used and installed.
    #[serde(alias = "ENABLED")]
    Available,
    /// An admin disabled it; install is refused.
    DisabledByAdmin,
}

impl Status {
    /// Every value, in wire order.
    pub const ALL: [Status; 2] = [Status::Available, Status::DisabledByAdmin];

    /// The wire name (`AVAILABLE`, `DISABLED_BY_ADMIN`).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Available => "AVAILABLE",
            Status::DisabledByAdmin => "DISABLED_BY_ADMIN",
        }
    }

    /// Parses a wire name, accepting `ENABLED` for [`Status::Available`]; `None` otherwise.
    pub fn parse(value: &str) -> Option<Self> {
        if value == "ENABLED" {
            return Some(Status::Available);
        }
        Self::ALL.into_iter().find(|item| item.as_str() == value)
    }
}
