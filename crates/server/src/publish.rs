//! Publishing: validates a plugin folder's manifest, packs a deterministic bundle with
//! `berth-bundle`, stores it by SHA-256 and registers the release in the database. `berth
//! publish` calls this directly against the server's database and bundle folder.

use std::path::{Path, PathBuf};

use berth_plugin::{
    PluginIdError, is_valid_remote_plugin_id, load_manifest, validate_plugin_segment,
    validate_plugin_version_segment,
};
use berth_service_protocol::{
    AuthenticationPolicy, DirectoryItem, Discoverability, InstallationPolicy, McpServerRef,
    Release, ReleaseInterface, Scope, SharePrincipal, SkillSummary, Status,
};

use crate::bundles::BundleStore;
use crate::catalog::{PluginRecord, SkillContents};
use crate::db::Db;
use crate::error::StoreError;

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
    release: Release,
    name: String,
    skills: Vec<SkillContents>,
    bytes: Vec<u8>,
    sha256_hex: String,
}

#[expect(
    clippy::too_many_lines,
    reason = "one linear mapping from manifest to release"
)]
fn pack(dir: &Path) -> Result<Packed, PublishError> {
    let loaded = load_manifest(dir).map_err(|source| PublishError::Manifest {
        dir: dir.to_path_buf(),
        source,
    })?;
    let manifest = &loaded.manifest;
    let name = manifest.name.clone();
    validate_plugin_segment(&name, "plugin name").map_err(|source| {
        PublishError::InvalidManifestField {
            dir: dir.to_path_buf(),
            name: name.clone(),
            source,
        }
    })?;
    let version = manifest
        .version
        .as_deref()
        .map(str::trim)
        .filter(|version| !version.is_empty())
        .ok_or_else(|| PublishError::MissingVersion {
            dir: dir.to_path_buf(),
            name: name.clone(),
        })?
        .to_owned();
    validate_plugin_version_segment(&version).map_err(|source| {
        PublishError::InvalidManifestField {
            dir: dir.to_path_buf(),
            name: name.clone(),
            source,
        }
    })?;
    let mut skills = Vec::new();
    let mut summaries = Vec::new();
    for skill in loaded.skills().value {
        let skill_md =
            std::fs::read_to_string(&skill.path).map_err(|source| PublishError::Skill {
                path: skill.path.clone(),
                source,
            })?;
        summaries.push(SkillSummary {
            name: skill.name.clone(),
            description: skill.description.clone(),
            interface: None,
        });
        skills.push(SkillContents {
            name: skill.name,
            skill_md,
        });
    }
    let mcp_servers = loaded
        .mcp_servers()
        .value
        .into_keys()
        .map(|key| McpServerRef { key })
        .collect();
    let app_ids = loaded
        .app_connector_ids()
        .value
        .into_iter()
        .map(|id| id.as_str().to_owned())
        .collect();
    let interface = manifest
        .interface
        .as_ref()
        .map(|interface| {
            let prompts = interface.default_prompt.clone().unwrap_or_default();
            ReleaseInterface {
                short_description: interface.short_description.clone(),
                long_description: interface.long_description.clone(),
                developer_name: interface.developer_name.clone(),
                category: interface.category.clone(),
                capabilities: interface.capabilities.clone(),
                website_url: interface.website_url.clone(),
                privacy_policy_url: interface.privacy_policy_url.clone(),
                terms_of_service_url: interface.terms_of_service_url.clone(),
                brand_color: interface.brand_color.clone(),
                default_prompt: prompts.first().cloned(),
                default_prompts: prompts,
                ..ReleaseInterface::default()
            }
        })
        .unwrap_or_default();
    let packed = berth_bundle::pack_plugin_dir(dir).map_err(|source| PublishError::Pack {
        dir: dir.to_path_buf(),
        source,
    })?;
    let release = Release {
        version: Some(version),
        display_name: manifest.display_name().to_owned(),
        description: manifest.description.clone(),
        bundle_download_url: None,
        bundle_sha256: Some(packed.sha256_hex.clone()),
        app_ids,
        app_manifest: None,
        app_templates: Vec::new(),
        keywords: manifest.keywords.clone(),
        interface,
        skills: summaries,
        mcp_servers,
    };
    Ok(Packed {
        release,
        name,
        skills,
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
    if options.scope == Scope::User && options.owner_account_id.is_none() {
        return Err(PublishError::MissingOwner);
    }
    let id = match (&options.id, options.scope, &options.owner_account_id) {
        (Some(id), _, _) => id.clone(),
        (None, Scope::Global, _) => format!("plugins~Plugin_{}", packed.name),
        (None, Scope::Workspace, _) => format!("plugins~Plugin_ws_{}", packed.name),
        (None, Scope::User, owner) => {
            format!(
                "plugins~Plugin_{}_{}",
                owner.as_deref().unwrap_or_default(),
                packed.name
            )
        }
    };
    if !is_valid_remote_plugin_id(&id) {
        return Err(PublishError::InvalidId { id });
    }
    let discoverability = match options.scope {
        Scope::Workspace => Some(options.discoverability.unwrap_or(Discoverability::Listed)),
        Scope::Global | Scope::User => None,
    };
    let item = DirectoryItem {
        id,
        name: packed.name,
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
        release: packed.release,
    };
    let record = PluginRecord {
        item,
        owner_account_id: options.owner_account_id,
    };
    let outcome = db
        .publish_release(&crate::releases::NewRelease {
            record: &record,
            skills: &packed.skills,
            bundle_bytes: u64::try_from(packed.bytes.len()).unwrap_or(u64::MAX),
            published_by: options.published_by.as_deref(),
        })
        .await?;
    Ok(PublishedRelease {
        item: record.item,
        bundle_bytes: packed.bytes.len(),
        created: outcome == crate::releases::PublishOutcome::Created,
    })
}
