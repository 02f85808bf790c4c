//! Validating a plugin as a client will load it, before it is published: the manifest (name and
//! version valid segments), every skill's `SKILL.md` and frontmatter, `.mcp.json`, `.app.json`
//! and hooks; an uploaded bundle is first extracted under the limits clients apply (size, entry
//! count, depth, no links or special files). [`ValidatedPlugin`] is what a release records.

use std::path::{Path, PathBuf};

use berth_bundle::{ExtractLimits, MAX_BUNDLE_BYTES};
use berth_plugin::{load_manifest, validate_plugin_segment, validate_plugin_version_segment};
use berth_service_protocol::{McpServerRef, Release, ReleaseInterface, SkillSummary};

use crate::catalog::SkillContents;
use crate::publish::PublishError;

/// A plugin that loads cleanly: what a release of it records.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidatedPlugin {
    /// Manifest name.
    pub name: String,
    /// Manifest version.
    pub version: String,
    /// The release metadata (its `bundle_sha256` is set when registered).
    pub release: Release,
    /// Skills with their `SKILL.md` text.
    pub skills: Vec<SkillContents>,
    /// Manifest fields a client ignores (reported, not refused).
    pub notes: Vec<String>,
}

/// Validates the plugin folder `dir`: an error for anything a client refuses or would drop.
#[expect(
    clippy::too_many_lines,
    reason = "one linear mapping from manifest to release"
)]
pub fn validate_plugin_dir(dir: &Path) -> Result<ValidatedPlugin, PublishError> {
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
    let found_skills = loaded.skills();
    let mcp = loaded.mcp_servers();
    let apps = loaded.app_connector_ids();
    let hooks = loaded.hooks();
    let mut problems: Vec<String> = found_skills
        .warnings
        .iter()
        .chain(&mcp.warnings)
        .chain(&apps.warnings)
        .chain(&hooks.warnings)
        .cloned()
        .collect();
    for skill in &found_skills.value {
        if skill
            .description
            .as_deref()
            .is_none_or(|text| text.trim().is_empty())
        {
            problems.push(format!(
                "skill `{}` at `{}` has no `description` in its frontmatter; Codex skips such skills",
                skill.name,
                skill.path.strip_prefix(dir).unwrap_or(&skill.path).display()
            ));
        }
    }
    if !problems.is_empty() {
        return Err(PublishError::Invalid {
            dir: dir.to_path_buf(),
            problems,
        });
    }
    let mut skills = Vec::new();
    let mut summaries = Vec::new();
    for skill in found_skills.value {
        let skill_md = berth_fs::read_bounded_to_string(&skill.path, berth_fs::FileKind::Skill)
            .map_err(|source| PublishError::Skill {
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
    let mcp_servers = mcp
        .value
        .into_keys()
        .map(|key| McpServerRef { key })
        .collect();
    let app_ids = apps
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
    let release = Release {
        version: Some(version.clone()),
        display_name: manifest.display_name().to_owned(),
        description: manifest.description.clone(),
        bundle_download_url: None,
        bundle_sha256: None,
        app_ids,
        app_manifest: None,
        app_templates: Vec::new(),
        keywords: manifest.keywords.clone(),
        interface,
        skills: summaries,
        mcp_servers,
    };
    Ok(ValidatedPlugin {
        name,
        version,
        release,
        skills,
        notes: loaded.warnings.clone(),
    })
}

/// Validates the bundle archive at `archive` as a client would install it: no larger than
/// clients download, extracted into a scratch folder under `scratch_parent` with the clients'
/// limits (removed afterwards), then the plugin in it validated.
pub fn validate_bundle_file(
    archive: &Path,
    scratch_parent: &Path,
) -> Result<ValidatedPlugin, PublishError> {
    let io_error = |source| PublishError::Scratch {
        path: archive.to_path_buf(),
        source,
    };
    let bytes = std::fs::metadata(archive).map_err(io_error)?.len();
    if bytes > MAX_BUNDLE_BYTES {
        return Err(PublishError::TooLarge {
            bytes,
            max: MAX_BUNDLE_BYTES,
        });
    }
    let scratch = tempfile::Builder::new()
        .prefix(".berth-validate-")
        .tempdir_in(scratch_parent)
        .map_err(io_error)?;
    let file = std::fs::File::open(archive).map_err(io_error)?;
    let extracted = berth_bundle::extract_bundle(
        std::io::BufReader::new(file),
        &scratch.path().join("plugin"),
        ExtractLimits::default(),
    )
    .map_err(PublishError::Unsafe)?;
    let root: PathBuf = extracted.plugin_root;
    validate_plugin_dir(&root).map_err(|err| match err {
        PublishError::Invalid { problems, .. } => PublishError::Invalid {
            dir: PathBuf::from("the uploaded bundle"),
            problems,
        },
        other => other,
    })
}
