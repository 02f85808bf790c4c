//! `plugin outdated` and `plugin update` for plugins of local and Git marketplaces and Git
//! plugin sources (the plugin service's are in `remote_ops`). The available version is the one
//! the marketplace offers now: a local folder as it is; a Git marketplace at the remote's
//! current revision of its ref (fetched into staging when the snapshot is behind); a Git plugin
//! source at the current revision of its ref or its pinned `sha`. Each repository is fetched at
//! most once per run. An update installs that version like any install (the previous one stays
//! active if it fails), keeps the enabled state, and reports `codex_plugin_installed`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use berth_git::GitProgress;
use berth_marketplace::{
    GitMarketplaceSource, Marketplace, MarketplacePlugin, PluginSource, StagedCheckout,
    StagedMarketplace, contained_local_source, load_marketplace,
};
use berth_plugin::{PluginId, is_remote_marketplace};
use berth_store::source_version;

use crate::marketplaces::ScopedMarketplaces;
use crate::parallel::map_parallel;
use crate::upgrade::{PluginUpdate, error_chain, stays_at};
use crate::{ManagerError, PluginsManager};

/// Where an update comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateKind {
    /// A local marketplace folder.
    Local,
    /// A Git marketplace (the plugin's files are in the marketplace repository).
    GitMarketplace,
    /// A Git plugin source (`url` or `git-subdir`).
    GitSource,
    /// The plugin service.
    Remote,
}

impl UpdateKind {
    /// `local`, `git-marketplace`, `git` or `remote`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Local => "local",
            Self::GitMarketplace => "git-marketplace",
            Self::GitSource => "git",
            Self::Remote => "remote",
        }
    }
}

/// An installed plugin whose marketplace offers another version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutdatedPlugin {
    /// The plugin.
    pub plugin_id: PluginId,
    /// The active cache version.
    pub installed_version: String,
    /// The version offered now.
    pub available_version: String,
    /// Where it comes from.
    pub kind: UpdateKind,
    /// The backend id of a remote plugin.
    pub remote_plugin_id: Option<String>,
}

/// A plugin (or marketplace) whose available version could not be determined or installed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateFailure {
    /// The plugin id, or the marketplace name when a whole marketplace failed.
    pub subject: String,
    /// The error and its causes on one line.
    pub message: String,
}

/// What `plugin outdated` found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutdatedReport {
    /// Installed plugins with another version available, by id.
    pub outdated: Vec<OutdatedPlugin>,
    /// Installed plugins that are current.
    pub up_to_date: Vec<PluginId>,
    /// Plugins that could not be checked.
    pub errors: Vec<UpdateFailure>,
}

/// What `plugin update` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpdateReport {
    /// Plugins now at the available version.
    pub updated: Vec<PluginUpdate>,
    /// Plugins that were already current.
    pub up_to_date: Vec<PluginId>,
    /// Plugins that could not be checked or updated (each keeps its previous version).
    pub errors: Vec<UpdateFailure>,
}

/// Which installed plugins to look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpdateSelection {
    /// Every installed plugin of a local or Git marketplace.
    All,
    /// One plugin.
    One(PluginId),
}

/// One installed plugin and what its marketplace offers now.
struct Candidate {
    entry: MarketplacePlugin,
    /// The folder holding the available files (in a snapshot, a source folder or staging).
    dir: PathBuf,
    installed_version: String,
    available_version: String,
    kind: UpdateKind,
}

/// A marketplace as it is now: its snapshot, or a newer checkout in staging.
struct MarketplaceView {
    marketplace: Marketplace,
    kind: UpdateKind,
    staged: Option<StagedMarketplace>,
}

/// Everything an outdated check found, keeping the staging folders it fetched.
struct Plan {
    candidates: Vec<Candidate>,
    staged_marketplaces: Vec<StagedMarketplace>,
    /// Git plugin sources fetched; candidates' folders point into them.
    checkouts: Vec<StagedCheckout>,
    errors: Vec<UpdateFailure>,
}

impl PluginsManager {
    /// The installed plugins of local and Git marketplaces whose marketplace offers another
    /// version. Nothing is changed; fetched repositories are thrown away.
    pub fn outdated_plugins(
        &self,
        selection: &UpdateSelection,
        progress: &dyn GitProgress,
    ) -> Result<OutdatedReport, ManagerError> {
        let Plan {
            candidates, errors, ..
        } = self.plan_updates(selection, progress)?;
        let mut report = OutdatedReport {
            errors,
            ..OutdatedReport::default()
        };
        for candidate in candidates {
            if candidate.available_version == candidate.installed_version {
                report.up_to_date.push(candidate.entry.id);
            } else {
                report.outdated.push(OutdatedPlugin {
                    plugin_id: candidate.entry.id,
                    installed_version: candidate.installed_version,
                    available_version: candidate.available_version,
                    kind: candidate.kind,
                    remote_plugin_id: None,
                });
            }
        }
        report.errors.sort_by(|a, b| a.subject.cmp(&b.subject));
        Ok(report)
    }

    /// Installs the available version of each selected plugin that has another one. A Git
    /// marketplace that is behind is upgraded first (its snapshot only; other plugins are left
    /// as they are). Failures are returned per plugin.
    pub fn update_plugins(
        &self,
        selection: &UpdateSelection,
        progress: &dyn GitProgress,
    ) -> Result<UpdateReport, ManagerError> {
        self.sweep_stale_leftovers();
        let Plan {
            candidates,
            staged_marketplaces,
            checkouts,
            errors,
        } = self.plan_updates(selection, progress)?;
        let mut report = UpdateReport {
            errors,
            ..UpdateReport::default()
        };
        let (current, mut outdated): (Vec<Candidate>, Vec<Candidate>) = candidates
            .into_iter()
            .partition(|candidate| candidate.available_version == candidate.installed_version);
        report.up_to_date = current
            .into_iter()
            .map(|candidate| candidate.entry.id)
            .collect();
        for staged in staged_marketplaces {
            let name = staged.marketplace.name.clone();
            let needed = outdated
                .iter()
                .any(|candidate| candidate.entry.id.marketplace_name() == name);
            if !needed {
                continue;
            }
            if let Err(err) = self.activate_for_update(&name, staged, &mut outdated) {
                let message = error_chain(&err);
                outdated.retain(|candidate| {
                    let failed = candidate.entry.id.marketplace_name() == name;
                    if failed {
                        report.errors.push(UpdateFailure {
                            subject: candidate.entry.id.as_key(),
                            message: message.clone(),
                        });
                    }
                    !failed
                });
            }
        }
        for candidate in outdated {
            match self.install_entry_from(&candidate.entry, &candidate.dir) {
                Ok(result) => {
                    self.report_installed(&candidate.entry.id);
                    report.updated.push(PluginUpdate {
                        plugin_id: candidate.entry.id,
                        previous_version: Some(candidate.installed_version),
                        version: result.plugin_version,
                    });
                }
                Err(err) => report.errors.push(UpdateFailure {
                    subject: candidate.entry.id.as_key(),
                    message: error_chain(&err),
                }),
            }
        }
        // The fetched plugin sources were installed from; now they can go.
        drop(checkouts);
        report.errors.sort_by(|a, b| a.subject.cmp(&b.subject));
        Ok(report)
    }

    /// Moves a staged marketplace into place for an update and points its candidates at the
    /// snapshot.
    fn activate_for_update(
        &self,
        name: &str,
        staged: StagedMarketplace,
        candidates: &mut [Candidate],
    ) -> Result<(), ManagerError> {
        let _lock = self.snapshots.lock(name)?;
        // Candidate folders are resolved paths: compare with the resolved checkout.
        let checkout = std::fs::canonicalize(staged.checkout.root())
            .unwrap_or_else(|_| staged.checkout.root());
        let root = self.snapshots.install(staged, true)?;
        let marketplace = load_marketplace(&root)?;
        for candidate in candidates
            .iter_mut()
            .filter(|candidate| candidate.entry.id.marketplace_name() == name)
        {
            if let Ok(relative) = candidate.dir.strip_prefix(&checkout) {
                candidate.dir = root.join(relative);
            }
            if let Some(entry) = marketplace.plugin(candidate.entry.id.plugin_name()) {
                candidate.entry = entry.clone();
            }
        }
        Ok(())
    }

    fn plan_updates(
        &self,
        selection: &UpdateSelection,
        progress: &dyn GitProgress,
    ) -> Result<Plan, ManagerError> {
        let config = self.config.load()?;
        let mut installed: Vec<PluginId> = config
            .plugins()
            .value
            .into_keys()
            .filter_map(|key| PluginId::parse(&key).ok())
            .filter(|id| {
                !is_remote_marketplace(id.marketplace_name()) && self.store.is_installed(id)
            })
            .collect();
        if let UpdateSelection::One(wanted) = selection {
            if !installed.contains(wanted) {
                return Err(ManagerError::NotInstalled {
                    plugin_id: wanted.as_key(),
                });
            }
            installed.retain(|id| id == wanted);
        }
        let scoped = self.marketplaces_in_scope(&config, &[]);
        let mut groups: BTreeMap<String, Vec<PluginId>> = BTreeMap::new();
        for id in installed {
            groups
                .entry(id.marketplace_name().to_owned())
                .or_default()
                .push(id);
        }
        let groups: Vec<(String, Vec<PluginId>)> = groups.into_iter().collect();
        let views = map_parallel(&groups, |(name, _)| {
            self.marketplace_view(&scoped, name, progress)
        });
        let mut plan = Plan {
            candidates: Vec::new(),
            staged_marketplaces: Vec::new(),
            checkouts: Vec::new(),
            errors: Vec::new(),
        };
        let mut git_sources: Vec<(MarketplacePlugin, String)> = Vec::new();
        for ((name, ids), view) in groups.into_iter().zip(views) {
            let view = match view {
                Ok(view) => view,
                Err(err) => {
                    let message = error_chain(&err);
                    plan.errors.extend(ids.iter().map(|id| UpdateFailure {
                        subject: id.as_key(),
                        message: message.clone(),
                    }));
                    continue;
                }
            };
            for id in ids {
                let installed_version = self.store.active_plugin_version(&id).unwrap_or_default();
                let Some(entry) = view.marketplace.plugin(id.plugin_name()) else {
                    plan.errors.push(UpdateFailure {
                        subject: id.as_key(),
                        message: format!(
                            "marketplace `{name}` no longer offers `{}`; remove it with `berth plugin remove {id}`",
                            id.plugin_name()
                        ),
                    });
                    continue;
                };
                match &entry.source {
                    PluginSource::Local { path } => {
                        let available = contained_local_source(&view.marketplace.root, path)
                            .map_err(ManagerError::from)
                            .and_then(|dir| {
                                let version =
                                    source_version(&dir, &id, entry.fallback_manifest.as_deref())?;
                                Ok((dir, version))
                            });
                        match available {
                            Ok((dir, available_version)) => plan.candidates.push(Candidate {
                                entry: entry.clone(),
                                dir,
                                installed_version,
                                available_version,
                                kind: view.kind,
                            }),
                            Err(err) => plan.errors.push(UpdateFailure {
                                subject: id.as_key(),
                                message: error_chain(&err),
                            }),
                        }
                    }
                    PluginSource::Git { .. } => {
                        git_sources.push((entry.clone(), installed_version));
                    }
                }
            }
            plan.staged_marketplaces.extend(view.staged);
        }
        self.plan_git_sources(git_sources, &mut plan, progress);
        plan.candidates.sort_by(|a, b| a.entry.id.cmp(&b.entry.id));
        Ok(plan)
    }

    /// A marketplace as it is now. A Git marketplace's ref is resolved on the remote; when
    /// the snapshot is behind, the new revision is fetched into staging.
    fn marketplace_view(
        &self,
        scoped: &ScopedMarketplaces,
        name: &str,
        progress: &dyn GitProgress,
    ) -> Result<MarketplaceView, ManagerError> {
        let marketplace = scoped
            .listing
            .marketplaces
            .iter()
            .find(|marketplace| marketplace.name == name)
            .ok_or_else(|| ManagerError::MarketplaceNotFound {
                name: name.to_owned(),
            })?;
        let Some(configured) = scoped
            .source_for(marketplace)
            .filter(|source| source.is_git())
        else {
            return Ok(MarketplaceView {
                marketplace: marketplace.clone(),
                kind: UpdateKind::Local,
                staged: None,
            });
        };
        let source = GitMarketplaceSource {
            url: configured.source.clone(),
            ref_name: configured.ref_name.clone(),
            sparse_paths: configured.sparse_paths.clone(),
        };
        let resolution = self.git.resolve(&source.url, source.ref_name.as_deref())?;
        let current = self.current_revision(name, &source).or_else(|| {
            // A snapshot a plain add made has no metadata: its checkout says where it is.
            self.git
                .head_revision(&self.snapshots.snapshot_root(name))
                .ok()
        });
        if current
            .as_deref()
            .is_some_and(|current| stays_at(&resolution, current, name))
        {
            return Ok(MarketplaceView {
                marketplace: marketplace.clone(),
                kind: UpdateKind::GitMarketplace,
                staged: None,
            });
        }
        let staged = self.fetch_configured_marketplace(name, &source, resolution, progress)?;
        Ok(MarketplaceView {
            marketplace: staged.marketplace.clone(),
            kind: UpdateKind::GitMarketplace,
            staged: Some(staged),
        })
    }

    /// Fetches each repository of the Git-sourced plugins once (per URL, ref and sha) and
    /// reads the version each plugin's folder offers.
    fn plan_git_sources(
        &self,
        plugins: Vec<(MarketplacePlugin, String)>,
        plan: &mut Plan,
        progress: &dyn GitProgress,
    ) {
        type RepositoryKey = (String, Option<String>, Option<String>);
        let mut repositories: BTreeMap<RepositoryKey, Vec<(MarketplacePlugin, String)>> =
            BTreeMap::new();
        for (entry, installed_version) in plugins {
            if let PluginSource::Git {
                url, ref_name, sha, ..
            } = &entry.source
            {
                let key = (url.clone(), ref_name.clone(), sha.clone());
                repositories
                    .entry(key)
                    .or_default()
                    .push((entry, installed_version));
            }
        }
        let repositories: Vec<(RepositoryKey, Vec<(MarketplacePlugin, String)>)> =
            repositories.into_iter().collect();
        let checkouts = map_parallel(&repositories, |((url, ref_name, sha), plugins)| {
            // One checkout for all of a repository's plugins: exact paths, or everything when
            // one of them is the whole repository.
            let mut paths: Vec<String> = Vec::new();
            for (entry, _) in plugins {
                match &entry.source {
                    PluginSource::Git {
                        path: Some(path), ..
                    } => paths.push(path.clone()),
                    PluginSource::Git { path: None, .. } | PluginSource::Local { .. } => {
                        paths.clear();
                        break;
                    }
                }
            }
            self.snapshots.fetch_plugin_sources(
                &self.git,
                url,
                ref_name.as_deref(),
                sha.as_deref(),
                &paths,
                progress,
            )
        });
        for ((_, plugins), checkout) in repositories.into_iter().zip(checkouts) {
            let checkout = match checkout {
                Ok(checkout) => checkout,
                Err(err) => {
                    let message = error_chain(&err);
                    plan.errors
                        .extend(plugins.iter().map(|(entry, _)| UpdateFailure {
                            subject: entry.id.as_key(),
                            message: message.clone(),
                        }));
                    continue;
                }
            };
            for (entry, installed_version) in plugins {
                let path = match &entry.source {
                    PluginSource::Git { path, .. } => path.clone(),
                    PluginSource::Local { .. } => None,
                };
                let available = checkout
                    .subdir(path.as_deref())
                    .map_err(ManagerError::from)
                    .and_then(|dir| {
                        let version =
                            source_version(&dir, &entry.id, entry.fallback_manifest.as_deref())?;
                        Ok((dir, version))
                    });
                match available {
                    Ok((dir, available_version)) => plan.candidates.push(Candidate {
                        entry,
                        dir,
                        installed_version,
                        available_version,
                        kind: UpdateKind::GitSource,
                    }),
                    Err(err) => plan.errors.push(UpdateFailure {
                        subject: entry.id.as_key(),
                        message: error_chain(&err),
                    }),
                }
            }
            plan.checkouts.push(checkout);
        }
    }
}
