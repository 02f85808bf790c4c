//! Publishing: validates a plugin folder's manifest, packs a deterministic bundle with
//! `berth-bundle`, stores it by SHA-256 and registers the release in the database. `berth
//! publish` calls this directly against the server's database and bundle folder.

use std::path::{Path, PathBuf};

use berth_plugin::{PluginIdError, is_valid_remote_plugin_id};
use berth_service_protocol::{
    AuthenticationPolicy, DirectoryItem, Discoverability, InstallationPolicy, Scope,
    SharePrincipal, Status,
};

use crate::bundles::BundleStore;
use crate::catalog::PluginRecord;
use crate::db::Db;
use crate::error::StoreError;
use crate::releases::{NewRelease, PublishOutcome};
use crate::validate::{ValidatedPlugin, validate_plugin_dir};

/// Why a plugin could not be published.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The manifest is missing or invalid.
    #[error("`{}` is not a valid plugin folder; fix its `.codex-plugin/plugin.json`", dir.display())]
    Manifest {
        /// The plugin folder.
        dir: PathBuf,
        /// The manifest error.
        #[source]
        source: berth_plugin::ManifestError,
    },
    /// The manifest name or version is not a valid segment.
    #[error("plugin `{name}` in `{}` cannot be published", dir.display())]
    InvalidManifestField {
        /// The plugin folder.
        dir: PathBuf,
        /// The manifest name.
        name: String,
        /// The validation error.
        #[source]
        source: PluginIdError,
    },
    /// The manifest has no version.
    #[error("plugin `{name}` in `{}` has no `version`; set one in `.codex-plugin/plugin.json`", dir.display())]
    MissingVersion {
        /// The plugin folder.
        dir: PathBuf,
        /// The manifest name.
        name: String,
    },
    /// The backend id is not valid.
    #[error(
        "plugin id `{id}` is invalid: only ASCII letters, digits, `_`, `-`, and `~` are allowed; pass another with `--id`"
    )]
    InvalidId {
        /// The id.
        id: String,
    },
    /// A USER-scoped plugin needs an owner.
    #[error("a USER-scoped plugin needs an owner account; pass `--owner ACCOUNT`")]
    MissingOwner,
    /// The plugin would load with problems a client reports (a skill, MCP server, app or hook
    /// it would drop).
    #[error("`{}` has problems a client would report; fix them before publishing:\n  - {}", dir.display(), problems.join("\n  - "))]
    Invalid {
        /// The plugin folder (or the upload).
        dir: PathBuf,
        /// Each problem.
        problems: Vec<String>,
    },
    /// The bundle could not be extracted safely.
    #[error("the bundle is not a safe plugin bundle")]
    Unsafe(#[source] berth_bundle::BundleError),
    /// The bundle archive is larger than clients download.
    #[error(
        "the bundle is {bytes} bytes; clients download at most {max} bytes, so make the plugin smaller"
    )]
    TooLarge {
        /// Its size.
        bytes: u64,
        /// The largest accepted.
        max: u64,
    },
    /// A scratch file or folder for validating an upload could not be used.
    #[error("could not validate the upload at `{}`", path.display())]
    Scratch {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A skill file could not be read.
    #[error("could not read skill `{}`", path.display())]
    Skill {
        /// The `SKILL.md` path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Packing failed.
    #[error("could not pack `{}` into a bundle", dir.display())]
    Pack {
        /// The plugin folder.
        dir: PathBuf,
        /// The packing error.
        #[source]
        source: berth_bundle::BundleError,
    },
    /// The packing task failed to run.
    #[error("the packing task for `{}` did not finish", dir.display())]
    Join {
        /// The plugin folder.
        dir: PathBuf,
        /// The join error.
        #[source]
        source: tokio::task::JoinError,
    },
    /// Storing the bundle or the release failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Catalog settings of a published plugin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishOptions {
    /// Backend id; default `plugins~Plugin_<name>` (GLOBAL), `plugins~Plugin_ws_<name>`
    /// (WORKSPACE) or `plugins~Plugin_<owner>_<name>` (USER).
    pub id: Option<String>,
    /// Scope.
    pub scope: Scope,
    /// Discoverability of a WORKSPACE plugin (default LISTED; ignored for other scopes).
    pub discoverability: Option<Discoverability>,
    /// Installation policy.
    pub installation_policy: InstallationPolicy,
    /// Authentication policy.
    pub authentication_policy: AuthenticationPolicy,
    /// Admin status.
    pub status: Status,
    /// Owner account (required for USER; private WORKSPACE plugins are visible to it).
    pub owner_account_id: Option<String>,
    /// Accounts the plugin is shared with.
    pub share_with: Vec<String>,
    /// The account publishing it (recorded with the release).
    pub published_by: Option<String>,
}

impl Default for PublishOptions {
    fn default() -> Self {
        Self {
            id: None,
            scope: Scope::Global,
            discoverability: None,
            installation_policy: InstallationPolicy::Available,
            authentication_policy: AuthenticationPolicy::OnUse,
            status: Status::Available,
            owner_account_id: None,
            share_with: Vec::new(),
            published_by: None,
        }
    }
}

/// What was published.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedRelease {
    /// The catalog item as stored.
    pub item: DirectoryItem,
    /// Size of the bundle in bytes.
    pub bundle_bytes: usize,
    /// `false` when this version was already published with these bytes (nothing changed).
    pub created: bool,
}

struct Packed {
    plugin: ValidatedPlugin,
    bytes: Vec<u8>,
    sha256_hex: String,
}

/// Validates the plugin in `dir` as a client will load it, then packs it deterministically.
fn pack(dir: &Path) -> Result<Packed, PublishError> {
    let plugin = validate_plugin_dir(dir)?;
    let packed = berth_bundle::pack_plugin_dir(dir).map_err(|source| PublishError::Pack {
        dir: dir.to_path_buf(),
        source,
    })?;
    Ok(Packed {
        plugin,
        bytes: packed.bytes,
        sha256_hex: packed.sha256_hex,
    })
}

/// Validates, packs and registers the plugin in `dir` as a new release. Versions are
/// immutable: the same version with the same bytes changes nothing, with other bytes it is
/// refused ([`StoreError::VersionConflict`]).
pub async fn publish_plugin(
    db: &Db,
    bundles: std::sync::Arc<dyn BundleStore>,
    dir: &Path,
    options: PublishOptions,
) -> Result<PublishedRelease, PublishError> {
    let owned_dir = dir.to_path_buf();
    let packed = tokio::task::spawn_blocking(move || -> Result<Packed, PublishError> {
        let packed = pack(&owned_dir)?;
        bundles.put(&packed.sha256_hex, &packed.bytes)?;
        Ok(packed)
    })
    .await
    .map_err(|source| PublishError::Join {
        dir: dir.to_path_buf(),
        source,
    })??;
    let bundle = ValidatedBundle {
        plugin: packed.plugin,
        sha256_hex: packed.sha256_hex,
        bytes: u64::try_from(packed.bytes.len()).unwrap_or(u64::MAX),
    };
    register_release(db, &bundle, &options).await
}

/// A bundle that passed validation: what it holds, its digest and size.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidatedBundle {
    /// What the bundle holds.
    pub plugin: ValidatedPlugin,
    /// Lowercase hex SHA-256 of the archive.
    pub sha256_hex: String,
    /// Archive size in bytes.
    pub bytes: u64,
}

/// The backend id a plugin named `name` gets under `options`.
pub fn plugin_id_for(options: &PublishOptions, name: &str) -> Result<String, PublishError> {
    if options.scope == Scope::User && options.owner_account_id.is_none() {
        return Err(PublishError::MissingOwner);
    }
    let id = match (&options.id, options.scope, &options.owner_account_id) {
        (Some(id), _, _) => id.clone(),
        (None, Scope::Global, _) => format!("plugins~Plugin_{name}"),
        (None, Scope::Workspace, _) => format!("plugins~Plugin_ws_{name}"),
        (None, Scope::User, owner) => {
            format!(
                "plugins~Plugin_{}_{name}",
                owner.as_deref().unwrap_or_default()
            )
        }
    };
    if is_valid_remote_plugin_id(&id) {
        Ok(id)
    } else {
        Err(PublishError::InvalidId { id })
    }
}

/// Registers a stored, validated bundle as a release of the plugin `options` name.
pub async fn register_release(
    db: &Db,
    bundle: &ValidatedBundle,
    options: &PublishOptions,
) -> Result<PublishedRelease, PublishError> {
    let plugin = &bundle.plugin;
    let id = plugin_id_for(options, &plugin.name)?;
    let discoverability = match options.scope {
        Scope::Workspace => Some(options.discoverability.unwrap_or(Discoverability::Listed)),
        Scope::Global | Scope::User => None,
    };
    let mut release = plugin.release.clone();
    release.bundle_sha256 = Some(bundle.sha256_hex.clone());
    let item = DirectoryItem {
        id,
        name: plugin.name.clone(),
        scope: options.scope,
        discoverability,
        creator_account_user_id: options.owner_account_id.clone(),
        creator_name: None,
        share_url: None,
        share_principals: options
            .share_with
            .iter()
            .map(|account| SharePrincipal {
                principal_type: "user".to_owned(),
                principal_id: account.clone(),
                role: "reader".to_owned(),
                name: None,
            })
            .collect(),
        installation_policy: options.installation_policy,
        authentication_policy: options.authentication_policy,
        status: options.status,
        release,
    };
    let record = PluginRecord {
        item,
        owner_account_id: options.owner_account_id.clone(),
    };
    let outcome = db
        .publish_release(&NewRelease {
            record: &record,
            skills: &plugin.skills,
            bundle_bytes: bundle.bytes,
            published_by: options.published_by.as_deref(),
        })
        .await?;
    Ok(PublishedRelease {
        item: record.item,
        bundle_bytes: usize::try_from(bundle.bytes).unwrap_or(usize::MAX),
        created: outcome == PublishOutcome::Created,
    })
}
