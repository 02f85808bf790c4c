//! The remote identity sidecar `.codex-remote-plugin-install.json` in a plugin's base root:
//! the backend id of a plugin installed from the plugin service.

use std::io;
use std::path::{Path, PathBuf};

use berth_plugin::PluginId;
use serde::{Deserialize, Serialize};

use crate::error::StoreError;
use crate::lock::PluginLock;
use crate::store::PluginStore;

/// Sidecar file name, beside the version dirs.
pub const REMOTE_PLUGIN_INSTALL_METADATA_FILE: &str = ".codex-remote-plugin-install.json";
/// The only sidecar schema this build reads or writes.
pub const REMOTE_PLUGIN_INSTALL_METADATA_SCHEMA_VERSION: u8 = 1;

/// Mode of the sidecar file; it is private to the user, as Codex writes it.
const SIDECAR_MODE: u32 = 0o600;

#[derive(Debug, Serialize, Deserialize)]
struct RemotePluginInstallMetadata {
    schema_version: u8,
    remote_plugin_id: String,
}

/// Read first, so an unknown schema is reported as such rather than as a shape mismatch.
#[derive(Debug, Deserialize)]
struct SchemaVersion {
    schema_version: u8,
}

fn sidecar_path(base_root: &Path) -> PathBuf {
    base_root.join(REMOTE_PLUGIN_INSTALL_METADATA_FILE)
}

impl PluginStore {
    /// The backend id recorded for an installed plugin. `None` when the plugin is not
    /// installed (even if a stray sidecar exists) or has no sidecar.
    pub fn remote_plugin_id(&self, id: &PluginId) -> Result<Option<String>, StoreError> {
        if !self.is_installed(id) {
            return Ok(None);
        }
        let path = sidecar_path(&self.plugin_base_root(id));
        let text = match berth_fs::read_bounded_to_string(&path, berth_fs::FileKind::Sidecar) {
            Ok(text) => text,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(err) => {
                return Err(StoreError::io(
                    "failed to read remote plugin install metadata",
                    path,
                    err,
                ));
            }
        };
        let parse_error = |source| StoreError::RemoteMetadataParse {
            path: path.clone(),
            source,
        };
        let SchemaVersion { schema_version } = serde_json::from_str(&text).map_err(parse_error)?;
        if schema_version != REMOTE_PLUGIN_INSTALL_METADATA_SCHEMA_VERSION {
            return Err(StoreError::UnsupportedRemoteMetadataSchema {
                version: schema_version,
                path,
            });
        }
        let metadata: RemotePluginInstallMetadata =
            serde_json::from_str(&text).map_err(parse_error)?;
        let remote_id = metadata.remote_plugin_id.trim();
        if remote_id.is_empty() {
            return Err(StoreError::BlankStoredRemotePluginId { path });
        }
        Ok(Some(remote_id.to_owned()))
    }
}

impl PluginLock<'_> {
    /// Records `remote_id` (trimmed) as the plugin's backend id, replacing any previous one.
    /// The plugin must be installed.
    pub fn write_remote_plugin_id(&self, remote_id: &str) -> Result<(), StoreError> {
        let store = self.store;
        crate::sweep::sweep_leftovers(store, &self.id)?;
        if !store.is_installed(&self.id) {
            return Err(StoreError::RemoteIdentityForUninstalledPlugin {
                key: self.id.as_key(),
            });
        }
        let remote_id = remote_id.trim();
        if remote_id.is_empty() {
            return Err(StoreError::BlankRemotePluginId);
        }
        let metadata = RemotePluginInstallMetadata {
            schema_version: REMOTE_PLUGIN_INSTALL_METADATA_SCHEMA_VERSION,
            remote_plugin_id: remote_id.to_owned(),
        };
        let path = sidecar_path(&store.plugin_base_root(&self.id));
        let mut bytes = serde_json::to_vec_pretty(&metadata).map_err(|source| {
            StoreError::io(
                "failed to serialize remote plugin install metadata",
                &path,
                io::Error::other(source),
            )
        })?;
        bytes.push(b'\n');
        berth_fs::write_atomic_with_mode(&path, &bytes, SIDECAR_MODE).map_err(|source| {
            StoreError::io(
                "failed to write remote plugin install metadata",
                &path,
                source,
            )
        })
    }
}

/// Deletes the sidecar of a base root; a missing file is fine.
pub(crate) fn remove_sidecar(base_root: &Path) -> Result<(), StoreError> {
    let path = sidecar_path(base_root);
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(StoreError::io(
            "failed to remove remote plugin install metadata",
            path,
            err,
        )),
    }
}
