//! Installing a plugin source into the cache: validate the manifest, stage a copy next to the
//! target, then make it visible with renames only (upgrade, same-version swap, fresh install),
//! keeping the previous version active when any step fails.

use std::io;
use std::path::{Path, PathBuf};

use berth_plugin::manifest::{ManifestHeaderError, find_manifest, read_manifest_header};
use berth_plugin::{
    DEFAULT_PLUGIN_VERSION, PluginId, validate_plugin_segment, validate_plugin_version_segment,
};
use tempfile::TempDir;

use crate::error::StoreError;
use crate::lock::PluginLock;
use crate::sidecar::remove_sidecar;
use crate::store::version_dirs;
use crate::sweep::{BACKUP_PREFIX, INSTALL_PREFIX, TRASH_PREFIX, sweep_leftovers, temp_prefix};
use crate::version::old_version_would_stay_active;

/// Where a fallback manifest is written inside the staged copy.
const FALLBACK_MANIFEST_PATH: [&str; 2] = [".codex-plugin", "plugin.json"];

/// The outcome of an install.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginInstallResult {
    /// The installed plugin.
    pub plugin_id: PluginId,
    /// The version directory name.
    pub plugin_version: String,
    /// `cache/<marketplace>/<plugin>/<version>`, absolute.
    pub installed_path: PathBuf,
}

/// Points where tests inject a failure into an install.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FailPoint {
    /// The final rename of a fresh install or upgrade.
    Activate,
    /// Moving an old version out of the base root during an upgrade.
    PruneOldVersion,
    /// Report `RENAME_EXCHANGE` as unsupported so the two-step swap runs.
    NoExchange,
    /// The second rename of the two-step swap.
    SwapInstall,
    /// The second rename and the rollback of the two-step swap.
    SwapInstallAndRollback,
}

/// Test hook run before each activation attempt (with the attempt number), to act as another
/// program changing the cache at the worst moment.
#[cfg(test)]
#[derive(Clone)]
pub(crate) struct ActivateHook(pub(crate) std::sync::Arc<dyn Fn(usize) + Send + Sync>);

#[cfg(test)]
impl std::fmt::Debug for ActivateHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ActivateHook")
    }
}

/// Why an activation attempt failed.
enum Activation {
    /// The cache entry changed under berth; nothing was moved, so a retry is safe.
    Raced(io::Error),
    /// Anything else.
    Failed(StoreError),
}

impl Activation {
    /// A rename that found its source gone (`NotFound`) or its target taken
    /// (`DirectoryNotEmpty`, `AlreadyExists`) lost a race with another writer.
    fn classify(err: StoreError) -> Self {
        match err {
            StoreError::Io { source, .. }
                if matches!(
                    source.kind(),
                    io::ErrorKind::NotFound
                        | io::ErrorKind::DirectoryNotEmpty
                        | io::ErrorKind::AlreadyExists
                ) =>
            {
                Self::Raced(source)
            }
            other => Self::Failed(other),
        }
    }
}

/// Where the manifest of an install comes from.
enum ManifestSource<'a> {
    OnDisk,
    Fallback(&'a str),
    Missing,
}

impl PluginLock<'_> {
    /// Installs `source` with the version from its manifest (`local` when absent).
    pub fn install(&self, source: &Path) -> Result<PluginInstallResult, StoreError> {
        self.install_with_fallback_manifest(source, None, None)
    }

    /// Installs `source` as `version`.
    pub fn install_with_version(
        &self,
        source: &Path,
        version: &str,
    ) -> Result<PluginInstallResult, StoreError> {
        self.install_with_fallback_manifest(source, Some(version), None)
    }

    /// Installs `source` as `version` (or its manifest's version). When the source has no
    /// manifest, `fallback_manifest` (JSON text) stands in for it and is written to the
    /// installed copy's `.codex-plugin/plugin.json`; the source is never modified. Clears the
    /// remote identity sidecar.
    pub fn install_with_fallback_manifest(
        &self,
        source: &Path,
        version: Option<&str>,
        fallback_manifest: Option<&str>,
    ) -> Result<PluginInstallResult, StoreError> {
        let manifest = ManifestSource::of(source, fallback_manifest);
        let version = match version {
            Some(version) => version.to_owned(),
            None => manifest_version(source, &manifest, &self.id)?,
        };
        if !source.is_dir() {
            return Err(StoreError::SourceNotDirectory {
                path: source.to_path_buf(),
            });
        }
        let name = manifest_name(source, &manifest).ok_or_else(|| {
            StoreError::MissingOrInvalidManifest {
                source_path: source.to_path_buf(),
            }
        })?;
        validate_plugin_segment(&name, "plugin name").map_err(StoreError::InvalidManifestName)?;
        if name != self.id.plugin_name() {
            return Err(StoreError::ManifestNameMismatch {
                manifest_name: name,
                plugin_name: self.id.plugin_name().to_owned(),
            });
        }
        validate_plugin_version_segment(&version).map_err(StoreError::InvalidVersion)?;
        let fallback = match manifest {
            ManifestSource::Fallback(text) => Some(text),
            ManifestSource::OnDisk | ManifestSource::Missing => None,
        };
        self.install_validated(source, &version, fallback)
    }

    fn install_validated(
        &self,
        source: &Path,
        version: &str,
        fallback: Option<&str>,
    ) -> Result<PluginInstallResult, StoreError> {
        let store = self.store;
        let id = &self.id;
        sweep_leftovers(store, id)?;
        let marketplace_root = store.marketplace_root(id);
        let base_root = store.plugin_base_root(id);
        crate::sweep::ensure_not_symlink(&base_root)?;
        std::fs::create_dir_all(&marketplace_root).map_err(|source| {
            StoreError::io(
                "failed to create plugin cache directory",
                &marketplace_root,
                source,
            )
        })?;
        let staging = self.temp_dir(
            INSTALL_PREFIX,
            "failed to create temporary plugin cache directory",
        )?;
        let staged_base = staging.path().join(id.plugin_name());
        let staged_version = staged_base.join(version);
        std::fs::create_dir(&staged_base).map_err(|source| {
            StoreError::io(
                "failed to create plugin target directory",
                &staged_base,
                source,
            )
        })?;
        let report = berth_fs::copy_dir_regular(source, &staged_version).map_err(|err| {
            StoreError::Copy {
                source_path: source.to_path_buf(),
                source: err,
            }
        })?;
        for skipped in &report.skipped {
            tracing::warn!(
                "skipped `{}` while installing {id}: only regular files and directories are copied",
                skipped.display()
            );
        }
        if let Some(text) = fallback {
            write_fallback_manifest(&staged_version, text)?;
        }

        let installed_path = base_root.join(version);
        let mut attempt = 0;
        loop {
            match self.activate(&staged_base, &staged_version, version, attempt) {
                Ok(()) => break,
                Err(Activation::Raced(source)) if attempt == 0 => {
                    tracing::info!(
                        "plugin cache entry `{}` changed while installing {id} ({source}); retrying once",
                        base_root.display()
                    );
                    attempt += 1;
                }
                Err(Activation::Raced(source)) => {
                    return Err(StoreError::ConcurrentChange {
                        path: base_root,
                        source,
                    });
                }
                Err(Activation::Failed(err)) => return Err(err),
            }
        }
        remove_sidecar(&base_root)?;
        drop(staging);
        tracing::debug!(
            "installed {id} version {version} at `{}`",
            installed_path.display()
        );
        Ok(PluginInstallResult {
            plugin_id: id.clone(),
            plugin_version: version.to_owned(),
            installed_path,
        })
    }

    /// Makes the staged copy visible: a fresh install, a same-version swap or an upgrade,
    /// whichever the cache holds now. A rename that fails because the entry appeared,
    /// vanished or changed since it was inspected (another program, such as `codex plugin
    /// add`, that takes no berth lock) is [`Activation::Raced`] and leaves the staged copy
    /// and the cache as they were, so the caller may try again.
    fn activate(
        &self,
        staged_base: &Path,
        staged_version: &Path,
        version: &str,
        attempt: usize,
    ) -> Result<(), Activation> {
        let base_root = self.store.plugin_base_root(&self.id);
        let installed_path = base_root.join(version);
        let inspected = std::fs::symlink_metadata(&base_root);
        let has_version = std::fs::symlink_metadata(&installed_path).is_ok();
        self.before_activate(attempt);
        let result = match inspected {
            Err(err) if err.kind() == io::ErrorKind::NotFound => self
                .fail_point_io(FailPoint::Activate)
                .and_then(|()| berth_fs::rename(staged_base, &base_root))
                .map_err(|source| {
                    StoreError::io("failed to activate plugin cache entry", &base_root, source)
                }),
            Err(err) => Err(StoreError::io(
                "failed to inspect plugin cache entry",
                &base_root,
                err,
            )),
            Ok(_) if has_version => self.swap_base_root(staged_base, &base_root),
            Ok(_) => self.activate_new_version(staged_version, version),
        };
        result.map_err(Activation::classify)
    }

    /// Case A: the base root exists without this version. Rename the version in, then move the
    /// other versions out (to a trash dir, so readers never see a half-deleted version).
    fn activate_new_version(&self, staged_version: &Path, version: &str) -> Result<(), StoreError> {
        let base_root = self.store.plugin_base_root(&self.id);
        let installed_path = base_root.join(version);
        self.fail_point_io(FailPoint::Activate)
            .and_then(|()| berth_fs::rename(staged_version, &installed_path))
            .map_err(|source| {
                StoreError::io(
                    "failed to activate updated plugin cache version",
                    &installed_path,
                    source,
                )
            })?;
        let old_versions: Vec<String> = version_dirs(&base_root)
            .into_iter()
            .filter(|old| old != version)
            .collect();
        if old_versions.is_empty() {
            return Ok(());
        }
        let trash = self.temp_dir(
            TRASH_PREFIX,
            "failed to create plugin cache backup directory",
        )?;
        for old in old_versions {
            let moved = self
                .fail_point_io(FailPoint::PruneOldVersion)
                .and_then(|()| berth_fs::rename(&base_root.join(&old), &trash.path().join(&old)));
            match moved {
                Ok(()) => {}
                Err(source) if old_version_would_stay_active(&old, version) => {
                    // Take the new version back out so the cache looks as before the install.
                    if let Err(err) = berth_fs::rename(&installed_path, staged_version) {
                        tracing::warn!(
                            "failed to withdraw `{}` after a failed upgrade: {err}",
                            installed_path.display()
                        );
                    }
                    return Err(StoreError::OldVersionRemainsActive {
                        new: version.to_owned(),
                        old,
                        source,
                    });
                }
                Err(err) => tracing::warn!(
                    "failed to prune old plugin cache version `{}`: {err}",
                    base_root.join(&old).display()
                ),
            }
        }
        self.discard(trash);
        Ok(())
    }

    /// Case B: the same version is installed. Swap the staged base root with the current one,
    /// atomically where the platform allows, else through a backup dir with rollback.
    fn swap_base_root(&self, staged_base: &Path, base_root: &Path) -> Result<(), StoreError> {
        let activate_error = |source| {
            StoreError::io(
                "failed to activate updated plugin cache entry",
                base_root,
                source,
            )
        };
        let exchanged = if self.fail_point_io(FailPoint::NoExchange).is_err() {
            false
        } else {
            // The old entry lands in the staging dir and is deleted with it.
            berth_fs::rename_exchange(staged_base, base_root).map_err(activate_error)?
        };
        if exchanged {
            return Ok(());
        }
        let backup = self.temp_dir(
            BACKUP_PREFIX,
            "failed to create plugin cache backup directory",
        )?;
        let backup_base = backup.path().join(self.id.plugin_name());
        berth_fs::rename(base_root, &backup_base).map_err(|source| {
            StoreError::io("failed to back up plugin cache entry", base_root, source)
        })?;
        let installed = self
            .fail_point_io(FailPoint::SwapInstall)
            .and_then(|()| berth_fs::rename(staged_base, base_root));
        let Err(source) = installed else {
            self.discard(backup);
            return Ok(());
        };
        let restored = self
            .fail_point_io(FailPoint::SwapInstallAndRollback)
            .and_then(|()| berth_fs::rename(&backup_base, base_root));
        match restored {
            Ok(()) => Err(activate_error(source)),
            Err(rollback_error) => {
                // Keep the backup: it is the only complete copy. The next operation on this
                // plugin restores it.
                let kept = backup.keep();
                Err(StoreError::RollbackFailed {
                    path: base_root.to_path_buf(),
                    backup: kept.join(self.id.plugin_name()),
                    source,
                    rollback_error,
                })
            }
        }
    }

    pub(crate) fn temp_dir(
        &self,
        kind: &str,
        context: &'static str,
    ) -> Result<TempDir, StoreError> {
        let marketplace_root = self.store.marketplace_root(&self.id);
        tempfile::Builder::new()
            .prefix(&temp_prefix(kind, &self.id))
            .tempdir_in(&marketplace_root)
            .map_err(|source| StoreError::io(context, &marketplace_root, source))
    }

    /// Deletes a temp dir whose content is no longer needed; failures are left to the sweep.
    pub(crate) fn discard(&self, dir: TempDir) {
        let path = dir.keep();
        if let Err(err) = berth_fs::remove_tree_within(self.store.cache_root(), &path) {
            tracing::warn!("failed to remove `{}`: {err}", path.display());
        }
    }

    #[cfg(test)]
    fn fail_point_io(&self, point: FailPoint) -> io::Result<()> {
        let Some(configured) = self.store.fail_point else {
            return Ok(());
        };
        // Failing the two-step swap implies taking it, and failing its rollback implies
        // failing the swap first.
        let triggered = configured == point
            || (point == FailPoint::NoExchange
                && matches!(
                    configured,
                    FailPoint::SwapInstall | FailPoint::SwapInstallAndRollback
                ))
            || (point == FailPoint::SwapInstall && configured == FailPoint::SwapInstallAndRollback);
        if triggered {
            return Err(io::Error::other(format!("injected failure at {point:?}")));
        }
        Ok(())
    }

    #[cfg(not(test))]
    #[expect(clippy::unused_self, clippy::unnecessary_wraps, reason = "test hook")]
    fn fail_point_io(&self, _point: FailPoint) -> io::Result<()> {
        Ok(())
    }

    #[cfg(test)]
    fn before_activate(&self, attempt: usize) {
        if let Some(hook) = &self.store.before_activate {
            (hook.0)(attempt);
        }
    }

    #[cfg(not(test))]
    #[expect(clippy::unused_self, reason = "test hook")]
    fn before_activate(&self, _attempt: usize) {}
}

impl<'a> ManifestSource<'a> {
    fn of(source: &Path, fallback_manifest: Option<&'a str>) -> Self {
        match (find_manifest(source), fallback_manifest) {
            (Some(_), _) => Self::OnDisk,
            (None, Some(text)) => Self::Fallback(text),
            (None, None) => Self::Missing,
        }
    }
}

/// The version folder an install of `source` as `id` gets: its manifest's `version` (the
/// fallback manifest's when the source has none), `local` when unversioned. Lets a caller
/// compare what a source offers with what is installed without installing it.
pub fn source_version(
    source: &Path,
    id: &PluginId,
    fallback_manifest: Option<&str>,
) -> Result<String, StoreError> {
    manifest_version(source, &ManifestSource::of(source, fallback_manifest), id)
}

fn manifest_version(
    source: &Path,
    manifest: &ManifestSource<'_>,
    id: &PluginId,
) -> Result<String, StoreError> {
    let version = match manifest {
        ManifestSource::OnDisk => read_manifest_header(source)?.version,
        ManifestSource::Fallback(text) => fallback_manifest_version(text, id)?,
        ManifestSource::Missing => {
            return Err(ManifestHeaderError::Missing {
                root: source.to_path_buf(),
            }
            .into());
        }
    };
    Ok(version.unwrap_or_else(|| DEFAULT_PLUGIN_VERSION.to_owned()))
}

/// The manifest `name`, read leniently: other fields may be malformed.
fn manifest_name(source: &Path, manifest: &ManifestSource<'_>) -> Option<String> {
    let text = match manifest {
        ManifestSource::OnDisk => {
            berth_fs::read_bounded_to_string(&find_manifest(source)?, berth_fs::FileKind::Manifest)
                .ok()?
        }
        ManifestSource::Fallback(text) => (*text).to_owned(),
        ManifestSource::Missing => return None,
    };
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    let name = value.get("name")?.as_str()?.trim();
    (!name.is_empty()).then(|| name.to_owned())
}

/// The `version` of a fallback manifest, with the same rules as an on-disk one.
fn fallback_manifest_version(text: &str, id: &PluginId) -> Result<Option<String>, StoreError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|source| StoreError::InvalidFallbackManifest {
            key: id.as_key(),
            source,
        })?;
    match value.get("version") {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(version)) if version.trim().is_empty() => {
            Err(StoreError::InvalidFallbackManifestVersion {
                key: id.as_key(),
                problem: "must not be blank",
            })
        }
        Some(serde_json::Value::String(version)) => Ok(Some(version.trim().to_owned())),
        Some(_) => Err(StoreError::InvalidFallbackManifestVersion {
            key: id.as_key(),
            problem: "expected string",
        }),
    }
}

fn write_fallback_manifest(staged_version: &Path, text: &str) -> Result<(), StoreError> {
    let [dir, file] = FALLBACK_MANIFEST_PATH;
    let manifest_dir = staged_version.join(dir);
    std::fs::create_dir_all(&manifest_dir).map_err(|source| {
        StoreError::io(
            "failed to create plugin target directory",
            &manifest_dir,
            source,
        )
    })?;
    let path = manifest_dir.join(file);
    berth_fs::write_atomic(&path, text.as_bytes())
        .map_err(|source| StoreError::io("failed to write fallback plugin manifest", &path, source))
}

#[cfg(test)]
#[path = "install_tests.rs"]
mod tests;
