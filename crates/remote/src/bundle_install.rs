//! Materialising a downloaded bundle in the cache: extract into
//! `plugins/.remote-plugin-install-staging/remote-plugin-bundle-*`, check the manifest name,
//! stamp global bundles with the release version and app manifest, install with the release
//! version, then write the remote identity sidecar. Synchronous; run it in `spawn_blocking`.

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
    let staging = tempfile::Builder::new()
        .prefix("remote-plugin-bundle-")
        .tempdir_in(&staging_root)
        .map_err(staging_err)?;
    let extracted =
        extract_bundle(bytes, staging.path(), ExtractLimits::default()).map_err(|source| {
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
    let installed = lock
        .install_with_version(&root, &bundle.plugin_version)
        .map_err(store_err)?;
    lock.write_remote_plugin_id(&bundle.remote_plugin_id)
        .map_err(store_err)?;
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
