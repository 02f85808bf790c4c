//! Putting a marketplace entry's files into the cache: a local folder as it is, a Git source
//! (`url` or `git-subdir`) checked out into staging first, at its `sha` or `ref`. Config and
//! events stay with the callers.

use std::path::Path;

use berth_git::GitProgress;
use berth_marketplace::{MarketplacePlugin, PluginSource, contained_local_source};
use berth_store::PluginInstallResult;

use crate::{ManagerError, PluginsManager};

impl PluginsManager {
    /// Installs the files of `plugin` of the marketplace at `marketplace_root` into the cache
    /// (the previous version stays active when anything fails). A local source must resolve
    /// inside the marketplace root.
    pub(crate) fn install_entry_files(
        &self,
        marketplace_root: &Path,
        plugin: &MarketplacePlugin,
        progress: &dyn GitProgress,
    ) -> Result<PluginInstallResult, ManagerError> {
        match &plugin.source {
            PluginSource::Local { path } => {
                let source = contained_local_source(marketplace_root, path)?;
                self.install_entry_from(plugin, &source)
            }
            PluginSource::Git {
                url,
                path,
                ref_name,
                sha,
            } => {
                let paths: Vec<String> = path.iter().cloned().collect();
                let checkout = self.snapshots.fetch_plugin_sources(
                    &self.git,
                    url,
                    ref_name.as_deref(),
                    sha.as_deref(),
                    &paths,
                    progress,
                )?;
                self.install_entry_from(plugin, &checkout.subdir(path.as_deref())?)
            }
        }
    }

    /// Installs `plugin` from the folder `dir` holding its files.
    pub(crate) fn install_entry_from(
        &self,
        plugin: &MarketplacePlugin,
        dir: &Path,
    ) -> Result<PluginInstallResult, ManagerError> {
        Ok(self.store.install_with_fallback_manifest(
            dir,
            &plugin.id,
            None,
            plugin.fallback_manifest.as_deref(),
        )?)
    }
}
