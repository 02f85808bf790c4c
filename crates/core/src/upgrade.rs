//! `marketplace upgrade`: fetch each Git marketplace whose ref moved (one `git ls-remote` per
//! marketplace when nothing changed, several marketplaces at once), move the new snapshot into
//! place atomically with Codex's install metadata, and refresh the installed plugins of every
//! upgraded marketplace, keeping their enabled state.

use std::path::PathBuf;

use berth_config::MarketplaceConfig;
use berth_git::{GitProgress, Resolution, Target};
use berth_marketplace::{GitMarketplaceSource, StagedMarketplace, load_marketplace};
use berth_plugin::{PluginEvent, PluginId, PluginState, validate_plugin_segment};

use crate::parallel::map_parallel;
use crate::{ManagerError, PluginsManager};

/// What `marketplace upgrade` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MarketplaceUpgradeOutcome {
    /// The Git marketplaces looked at.
    pub selected: Vec<String>,
    /// The ones moved to a new snapshot.
    pub upgraded: Vec<UpgradedMarketplace>,
    /// Marketplaces (or their plugins) that could not be upgraded.
    pub errors: Vec<MarketplaceUpgradeError>,
}

/// A marketplace moved to a new snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpgradedMarketplace {
    /// Its name.
    pub name: String,
    /// The snapshot root.
    pub root: PathBuf,
    /// The revision before, when known.
    pub previous_revision: Option<String>,
    /// The revision now.
    pub revision: String,
    /// Its installed plugins, reinstalled from the new snapshot.
    pub refreshed: Vec<PluginUpdate>,
}

/// An installed plugin replaced by the version a marketplace offers now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginUpdate {
    /// The plugin.
    pub plugin_id: PluginId,
    /// The version active before.
    pub previous_version: Option<String>,
    /// The version active now.
    pub version: String,
}

/// Why one marketplace, or one of its plugins, was not upgraded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarketplaceUpgradeError {
    /// The marketplace.
    pub marketplace_name: String,
    /// The error and its causes on one line.
    pub message: String,
}

impl PluginsManager {
    /// Upgrades every Git marketplace in config.toml, or only `name`. Per-marketplace failures
    /// are returned as data; an unknown `name` is an error.
    pub fn upgrade_marketplaces(
        &self,
        name: Option<&str>,
        progress: &dyn GitProgress,
    ) -> Result<MarketplaceUpgradeOutcome, ManagerError> {
        self.sweep_stale_leftovers();
        let config = self.config.load()?;
        let git_entries = config
            .marketplaces()
            .value
            .into_iter()
            .filter(|entry| entry.source_type != "local");
        let selected: Vec<MarketplaceConfig> = match name {
            Some(name) => vec![
                git_entries
                    .into_iter()
                    .find(|entry| entry.name == name)
                    .ok_or_else(|| ManagerError::NotGitMarketplace {
                        name: name.to_owned(),
                    })?,
            ],
            None => git_entries.collect(),
        };
        self.snapshots.clean_abandoned_staging();
        let results = map_parallel(&selected, |entry| self.upgrade_one(entry, progress));
        let mut outcome = MarketplaceUpgradeOutcome {
            selected: selected.iter().map(|entry| entry.name.clone()).collect(),
            ..MarketplaceUpgradeOutcome::default()
        };
        for (entry, result) in selected.iter().zip(results) {
            match result {
                Ok(None) => {}
                Ok(Some((upgraded, refresh_errors))) => {
                    outcome.upgraded.push(upgraded);
                    outcome.errors.extend(refresh_errors);
                }
                Err(err) => outcome.errors.push(MarketplaceUpgradeError {
                    marketplace_name: entry.name.clone(),
                    message: error_chain(&err),
                }),
            }
        }
        Ok(outcome)
    }

    fn upgrade_one(
        &self,
        entry: &MarketplaceConfig,
        progress: &dyn GitProgress,
    ) -> Result<Option<(UpgradedMarketplace, Vec<MarketplaceUpgradeError>)>, ManagerError> {
        let name = entry.name.as_str();
        validate_plugin_segment(name, "marketplace name")?;
        let _lock = self.snapshots.lock(name)?;
        let source = GitMarketplaceSource {
            url: entry.source.clone(),
            ref_name: entry.ref_name.clone(),
            sparse_paths: entry.sparse_paths.clone(),
        };
        let current = self.current_revision(name, &source);
        let resolution = self.git.resolve(&source.url, source.ref_name.as_deref())?;
        if self.snapshots.has_snapshot(name)
            && current
                .as_deref()
                .is_some_and(|current| stays_at(&resolution, current, name))
        {
            tracing::debug!(marketplace = name, "git marketplace is up to date");
            return Ok(None);
        }
        let staged = self.fetch_configured_marketplace(name, &source, resolution, progress)?;
        let revision = staged.checkout.revision().to_owned();
        let root = self.snapshots.install(staged, true)?;
        let (refreshed, errors) = self.refresh_installed_plugins(name, progress);
        Ok(Some((
            UpgradedMarketplace {
                name: name.to_owned(),
                root,
                previous_revision: current,
                revision,
                refreshed,
            },
            errors,
        )))
    }

    /// Fetches the configured Git marketplace `name` at `resolution` into staging; the
    /// repository's marketplace must still be called `name`.
    pub(crate) fn fetch_configured_marketplace(
        &self,
        name: &str,
        source: &GitMarketplaceSource,
        resolution: Resolution,
        progress: &dyn GitProgress,
    ) -> Result<StagedMarketplace, ManagerError> {
        let staged =
            self.snapshots
                .fetch_marketplace(&self.git, source, Some(resolution), progress)?;
        if staged.marketplace.name != name {
            return Err(ManagerError::MarketplaceRenamed {
                url: source.url.clone(),
                configured: name.to_owned(),
                found: staged.marketplace.name,
            });
        }
        Ok(staged)
    }

    /// The revision of `name`'s snapshot of `source`, from its install metadata. A snapshot
    /// without metadata (fresh from an add) or of another source counts as unknown, as in
    /// Codex, so the first upgrade re-fetches it.
    pub(crate) fn current_revision(
        &self,
        name: &str,
        source: &GitMarketplaceSource,
    ) -> Option<String> {
        match self.snapshots.install_metadata(name) {
            Ok(metadata) => metadata
                .filter(|metadata| metadata.is_from(source))
                .map(|metadata| metadata.revision),
            Err(err) => {
                tracing::warn!(
                    marketplace = name,
                    "ignoring unreadable install metadata: {err}"
                );
                None
            }
        }
    }

    /// Reinstalls the installed plugins of marketplace `name` from its snapshot (Codex's
    /// forced refresh after an upgrade). config.toml is not touched, so enabled state stays;
    /// a version change reports `codex_plugin_installed`.
    fn refresh_installed_plugins(
        &self,
        name: &str,
        progress: &dyn GitProgress,
    ) -> (Vec<PluginUpdate>, Vec<MarketplaceUpgradeError>) {
        let mut refreshed = Vec::new();
        let mut errors = Vec::new();
        let fail = |message: String| MarketplaceUpgradeError {
            marketplace_name: name.to_owned(),
            message,
        };
        let installed = match self.installed_plugins_of(name) {
            Ok(installed) => installed,
            Err(err) => return (refreshed, vec![fail(error_chain(&err))]),
        };
        if installed.is_empty() {
            return (refreshed, errors);
        }
        let marketplace = match load_marketplace(&self.snapshots.snapshot_root(name)) {
            Ok(marketplace) => marketplace,
            Err(err) => return (refreshed, vec![fail(error_chain(&err))]),
        };
        for id in installed {
            let Some(plugin) = marketplace.plugin(id.plugin_name()) else {
                tracing::warn!(plugin_id = %id, "the upgraded marketplace no longer offers this installed plugin; keeping it");
                continue;
            };
            let previous_version = self.store.active_plugin_version(&id);
            match self.install_entry_files(&marketplace.root, plugin, progress) {
                Ok(result) => {
                    if previous_version.as_deref() != Some(result.plugin_version.as_str()) {
                        self.report_installed(&id);
                    }
                    refreshed.push(PluginUpdate {
                        plugin_id: id,
                        previous_version,
                        version: result.plugin_version,
                    });
                }
                Err(err) => errors.push(fail(format!(
                    "failed to refresh installed plugin `{id}`: {}",
                    error_chain(&err)
                ))),
            }
        }
        (refreshed, errors)
    }

    /// Plugins of `marketplace` recorded in config.toml and present in the cache.
    pub(crate) fn installed_plugins_of(
        &self,
        marketplace: &str,
    ) -> Result<Vec<PluginId>, ManagerError> {
        let config = self.config.load()?;
        Ok(config
            .plugins()
            .value
            .into_keys()
            .filter_map(|key| PluginId::parse(&key).ok())
            .filter(|id| id.marketplace_name() == marketplace && self.store.is_installed(id))
            .collect())
    }

    /// Reports `codex_plugin_installed` for the active version of `id`.
    pub(crate) fn report_installed(&self, id: &PluginId) {
        self.emit(PluginEvent::StateChanged {
            state: PluginState::Installed,
            metadata: self.telemetry_metadata_for_installed_plugin(id),
        });
    }
}

/// Whether a snapshot at `current` is what `resolution` names: the same commit, or a commit
/// pin (possibly abbreviated) it starts with.
pub(crate) fn is_at(resolution: &Resolution, current: &str) -> bool {
    match (&resolution.revision, &resolution.target) {
        (Some(revision), _) => revision == current,
        (None, Target::Commit(prefix)) => current.starts_with(prefix.as_str()),
        (None, _) => false,
    }
}

/// Whether a snapshot at `current` stays where it is: it is at what `resolution` names, or
/// `resolution` is a tag, and a tag pin never moves, even when someone re-tags upstream
/// (Codex follows a moved tag).
pub(crate) fn stays_at(resolution: &Resolution, current: &str, marketplace: &str) -> bool {
    if is_at(resolution, current) {
        return true;
    }
    if let Target::Tag(tag) = &resolution.target {
        tracing::warn!(
            "tag `{tag}` of marketplace `{marketplace}` now points at another commit; keeping {current} (remove and add the marketplace again to follow it)"
        );
        return true;
    }
    false
}

/// An error and its causes on one line.
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}
