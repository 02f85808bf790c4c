//! [`PluginLock`]: the cross-process lock of one plugin, held for every mutation of its cache
//! entry, and the [`PluginStore`] mutators that take it for a single step.

use std::path::Path;
use std::time::Duration;

use berth_fs::LockedFile;
use berth_plugin::PluginId;

use crate::error::StoreError;
use crate::install::PluginInstallResult;
use crate::store::PluginStore;

/// Exclusive hold on one plugin's cache entry (`cache/.berth-locks/<marketplace>/<plugin>.lock`)
/// until dropped. Its methods mutate that plugin without taking the lock again.
#[derive(Debug)]
pub struct PluginLock<'a> {
    pub(crate) store: &'a PluginStore,
    pub(crate) id: PluginId,
    _file: LockedFile,
}

impl<'a> PluginLock<'a> {
    pub(crate) fn acquire(
        store: &'a PluginStore,
        id: &PluginId,
        timeout: Option<Duration>,
    ) -> Result<Self, StoreError> {
        let path = store.lock_path(id);
        let resource = format!("plugin {id}");
        let file = match timeout {
            Some(timeout) => LockedFile::acquire_with_timeout(&path, &resource, timeout)?,
            None => LockedFile::acquire(&path, &resource)?,
        };
        Ok(Self {
            store,
            id: id.clone(),
            _file: file,
        })
    }

    /// The locked plugin.
    pub fn id(&self) -> &PluginId {
        &self.id
    }
}

impl PluginStore {
    /// Installs `source` with the version from its manifest (`local` when absent).
    pub fn install(&self, source: &Path, id: &PluginId) -> Result<PluginInstallResult, StoreError> {
        self.lock_plugin(id)?.install(source)
    }

    /// Installs `source` as `version`.
    pub fn install_with_version(
        &self,
        source: &Path,
        id: &PluginId,
        version: &str,
    ) -> Result<PluginInstallResult, StoreError> {
        self.lock_plugin(id)?.install_with_version(source, version)
    }

    /// Installs `source`, using `fallback_manifest` (JSON text) when the source has no
    /// manifest; see [`PluginLock::install_with_fallback_manifest`].
    pub fn install_with_fallback_manifest(
        &self,
        source: &Path,
        id: &PluginId,
        version: Option<&str>,
        fallback_manifest: Option<&str>,
    ) -> Result<PluginInstallResult, StoreError> {
        self.lock_plugin(id)?
            .install_with_fallback_manifest(source, version, fallback_manifest)
    }

    /// Removes the plugin's whole cache entry; true if something was removed.
    pub fn uninstall(&self, id: &PluginId) -> Result<bool, StoreError> {
        self.lock_plugin(id)?.uninstall()
    }

    /// Records the backend id of an installed plugin in its sidecar.
    pub fn write_remote_plugin_id(&self, id: &PluginId, remote_id: &str) -> Result<(), StoreError> {
        self.lock_plugin(id)?.write_remote_plugin_id(remote_id)
    }
}
