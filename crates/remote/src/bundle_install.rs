//! Materialising a downloaded bundle in the cache: extract into
//! `plugins/.remote-plugin-install-staging/remote-plugin-bundle-berth-*`, check the manifest
//! name, stamp global bundles with the release version and app manifest, install with the
//! release version, then write the remote identity sidecar. Synchronous; run it in
//! `spawn_blocking`.
//!
//! Every install holds a shared lock on the staging folder while it works there, so
//! [`sweep_remote_install_staging`] (exclusive, never waiting) removes what killed installs
//! left and never a running install's files. Codex names its staging folders
//! `remote-plugin-bundle-*` too and takes no lock, so only berth's own are swept.

use std::io;
use std::path::{Component, Path, PathBuf};

use berth_bundle::{ExtractLimits, extract_bundle};
use berth_plugin::REMOTE_GLOBAL_MARKETPLACE;
use berth_plugin::manifest::{DEFAULT_APP_CONFIG_FILE, find_manifest, read_manifest_header};
use berth_store::{PluginInstallResult, PluginStore};
use serde_json::Value;

use crate::download::ValidatedRemotePluginBundle;
use crate::error::RemoteError;

/// Where bundles are extracted before install, relative to `$CODEX_HOME`.
pub const REMOTE_PLUGIN_INSTALL_STAGING_DIR: &str = "plugins/.remote-plugin-install-staging";

/// Prefix of berth's staging folders (Codex uses `remote-plugin-bundle-` alone).
const STAGING_PREFIX: &str = "remote-plugin-bundle-berth-";

/// The lock file inside the staging folder: shared by installs, exclusive for the sweep.
const STAGING_LOCK_FILE: &str = ".berth-staging.lock";

/// What the staging lock protects, in logs and errors.
const STAGING_LOCK_RESOURCE: &str = "remote plugin install staging";

/// Removes the staging folders that killed berth installs left under
/// `$CODEX_HOME/plugins/.remote-plugin-install-staging`, unless an install is running (then
/// nothing is removed; a later command sweeps). Returns how many were removed.
pub fn sweep_remote_install_staging(codex_home: &Path) -> usize {
    let staging_root = codex_home.join(REMOTE_PLUGIN_INSTALL_STAGING_DIR);
    let Ok(entries) = std::fs::read_dir(&staging_root) else {
        return 0;
    };
    let leftovers: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|entry| {
            entry
                .file_name()
                .to_str()
                .is_some_and(|name| name.starts_with(STAGING_PREFIX))
        })
        .map(|entry| entry.path())
        .collect();
    if leftovers.is_empty() {
        return 0;
    }
    let lock_path = staging_root.join(STAGING_LOCK_FILE);
    let _lock = match berth_fs::LockedFile::try_acquire(&lock_path, STAGING_LOCK_RESOURCE) {
        Ok(Some(lock)) => lock,
        Ok(None) => {
            tracing::debug!("not sweeping remote install staging: an install is running");
            return 0;
        }
        Err(err) => {
            tracing::warn!("not sweeping remote install staging: {err}");
            return 0;
        }
    };
    let mut removed = 0;
    for leftover in leftovers {
        match berth_fs::remove_tree_within(&staging_root, &leftover) {
            Ok(true) => removed += 1,
            Ok(false) => {}
            Err(err) => tracing::warn!(
                "failed to remove stale remote install staging `{}`: {err}",
                leftover.display()
            ),
        }
    }
    removed
}

/// Extracts `bytes` and installs them as `bundle.plugin_id` at the release version, then
/// records the backend id in the sidecar. The staging folder is removed on every path.
pub fn install_downloaded_bundle(
    store: &PluginStore,
    bundle: &ValidatedRemotePluginBundle,
    bytes: &[u8],
) -> Result<PluginInstallResult, RemoteError> {
    let staging_root = store.codex_home().join(REMOTE_PLUGIN_INSTALL_STAGING_DIR);
    let staging_err = |source| RemoteError::Staging {
        path: staging_root.clone(),
        source,
    };
    std::fs::create_dir_all(&staging_root).map_err(staging_err)?;
    // Taken before the folder exists, so a sweep never sees it unprotected.
    let _staging_lock = berth_fs::LockedFile::acquire_shared_with_timeout(
        &staging_root.join(STAGING_LOCK_FILE),
        STAGING_LOCK_RESOURCE,
        berth_fs::lock_timeout_from_env_value(
            std::env::var(berth_fs::LOCK_TIMEOUT_ENV).ok().as_deref(),
        ),
    )
    .map_err(|source| RemoteError::StagingLock { source })?;
    let staging = tempfile::Builder::new()
        .prefix(STAGING_PREFIX)
        .tempdir_in(&staging_root)
        .map_err(staging_err)?;
    let extracted =
        extract_bundle(bytes, staging.path(), ExtractLimits::from_env()).map_err(|source| {
            RemoteError::Extract {
                id: bundle.remote_plugin_id.clone(),
                source,
            }
        })?;
    let root = extracted.plugin_root;
    let expected_name = bundle.plugin_id.plugin_name();
    let actual_name = read_manifest_header(&root)
        .ok()
        .and_then(|header| header.name)
        .unwrap_or_default();
    if actual_name != expected_name {
        return Err(RemoteError::ManifestNameMismatch {
            id: bundle.remote_plugin_id.clone(),
            expected: expected_name.to_owned(),
            actual: actual_name,
        });
    }
    if bundle.plugin_id.marketplace_name() == REMOTE_GLOBAL_MARKETPLACE {
        stamp_global_bundle(&root, bundle)?;
    }
    let store_err = |source| RemoteError::Store {
        id: bundle.plugin_id.as_key(),
        source,
    };
    let lock = store.lock_plugin(&bundle.plugin_id).map_err(store_err)?;
    let was_cached = store.is_installed(&bundle.plugin_id);
    let installed = lock
        .install_with_version(&root, &bundle.plugin_version)
        .map_err(store_err)?;
    if let Err(err) = lock.write_remote_plugin_id(&bundle.remote_plugin_id) {
        // Without its identity the entry would look like a local plugin: take back what this
        // install created (an update keeps its new version, which is complete).
        if !was_cached && let Err(undo) = lock.uninstall() {
            tracing::warn!(
                plugin = %bundle.plugin_id,
                "failed to remove the cache entry of a failed remote install: {undo}"
            );
        }
        return Err(store_err(err));
    }
    drop(lock);
    // `staging` is removed here; failures to clean only leave a folder the next run reuses.
    if let Err(err) = staging.close() {
        tracing::warn!(error = %err, "failed to remove remote plugin install staging folder");
    }
    Ok(installed)
}

/// Sets the manifest `version` to the release version and writes the backend app manifest
/// to the manifest's `apps` path (or `.app.json`).
fn stamp_global_bundle(
    root: &Path,
    bundle: &ValidatedRemotePluginBundle,
) -> Result<(), RemoteError> {
    let Some(manifest_path) = find_manifest(root) else {
        return Ok(());
    };
    let rewrite_err = |path: &Path, source| RemoteError::ManifestRewrite {
        path: path.to_path_buf(),
        source,
    };
    let text = berth_fs::read_bounded(&manifest_path, berth_fs::FileKind::Manifest)
        .map_err(|err| rewrite_err(&manifest_path, err))?;
    let mut manifest: Value = serde_json::from_slice(&text).map_err(|err| {
        rewrite_err(
            &manifest_path,
            io::Error::new(io::ErrorKind::InvalidData, err),
        )
    })?;
    let apps_path = manifest
        .get("apps")
        .and_then(Value::as_str)
        .and_then(contained_relative)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_APP_CONFIG_FILE));
    if let Some(object) = manifest.as_object_mut() {
        object.insert(
            "version".to_owned(),
            Value::String(bundle.plugin_version.clone()),
        );
    }
    write_pretty_json(&manifest_path, &manifest).map_err(|err| rewrite_err(&manifest_path, err))?;
    if let Some(app_manifest) = &bundle.app_manifest {
        let path = root.join(apps_path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|err| rewrite_err(&path, err))?;
        }
        write_pretty_json(&path, app_manifest).map_err(|err| rewrite_err(&path, err))?;
    }
    Ok(())
}

/// A manifest-relative path (`./.app.json`) that stays inside the plugin root.
fn contained_relative(raw: &str) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for component in Path::new(raw).components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    (!out.as_os_str().is_empty()).then_some(out)
}

fn write_pretty_json(path: &Path, value: &Value) -> io::Result<()> {
    let mut text = serde_json::to_vec_pretty(value).map_err(io::Error::other)?;
    text.push(b'\n');
    berth_fs::write_atomic(path, &text)
}
