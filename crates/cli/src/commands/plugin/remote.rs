//! What the plugin commands share for remote plugins: a connection to the plugin service
//! (`chatgpt_base_url` from config.toml, the `ChatGPT` login from `auth.json`) on a
//! current-thread tokio runtime, and resolving a selector to a backend plugin id.

use anyhow::Context as _;
use berth_plugin::{
    PluginId, REMOTE_CREATED_BY_ME_MARKETPLACE, REMOTE_GLOBAL_MARKETPLACE, REMOTE_MARKETPLACES,
    REMOTE_SHARED_WITH_ME_MARKETPLACE, REMOTE_WORKSPACE_DIRECTORY_MARKETPLACE,
};
use berth_remote::{
    BundleUrlPolicy, DownloadProgress, NoProgress, RemoteAuth, RemoteClientOptions, RemoteError,
    RemotePluginClient, canonical_marketplace,
};
use berth_service_protocol::{DirectoryItem, Scope};

use crate::cli::SelectorArgs;
use crate::commands::UserError;
use crate::context::{CLI_ORIGINATOR, Context};
use crate::progress::StderrProgress;

/// A client for the plugin service and the runtime its async calls run on.
pub(crate) struct RemoteSession {
    pub(crate) runtime: tokio::runtime::Runtime,
    pub(crate) client: RemotePluginClient,
    pub(crate) policy: BundleUrlPolicy,
}

impl RemoteSession {
    /// Connects with the home's `ChatGPT` login; `Ok(None)` when `auth.json` holds no
    /// `ChatGPT` login (remote plugins are then out of scope, as in Codex).
    pub(crate) fn connect_if_logged_in(context: &Context) -> anyhow::Result<Option<Self>> {
        let codex_home = context.manager.codex_home();
        let auth = berth_auth::load_auth(codex_home)?;
        match RemoteAuth::from_codex_auth(auth.as_ref()) {
            Ok(auth) => Self::with_auth(context, &auth).map(Some),
            Err(_) => Ok(None),
        }
    }

    /// Connects, failing with the spec's auth errors when there is no `ChatGPT` login.
    pub(crate) fn connect(context: &Context) -> anyhow::Result<Self> {
        let auth = berth_auth::load_auth(context.manager.codex_home())?;
        let auth = RemoteAuth::from_codex_auth(auth.as_ref())?;
        Self::with_auth(context, &auth)
    }

    fn with_auth(context: &Context, auth: &RemoteAuth) -> anyhow::Result<Self> {
        let config = context.manager.config().load()?;
        let mut options = RemoteClientOptions::new(config.chatgpt_base_url().as_deref());
        CLI_ORIGINATOR.clone_into(&mut options.originator);
        options.user_agent = format!("{CLI_ORIGINATOR}/{}", env!("CARGO_PKG_VERSION"));
        let client = RemotePluginClient::new(&options, auth)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("could not start the async runtime")?;
        Ok(Self {
            runtime,
            client,
            policy: BundleUrlPolicy::from_env(),
        })
    }

    /// Finds the backend id of `name` in the remote marketplace `marketplace` through the
    /// catalog that feeds it.
    pub(crate) fn resolve_in_catalog(
        &self,
        name: &str,
        marketplace: &str,
    ) -> anyhow::Result<String> {
        let items = self.runtime.block_on(self.catalog_for(marketplace))?;
        items
            .into_iter()
            .find(|item| {
                item.name == name
                    && canonical_marketplace(item).is_ok_and(|found| found == marketplace)
            })
            .map(|item| item.id)
            .ok_or_else(|| {
                UserError(format!(
                    "plugin `{name}` is not in the remote marketplace `{marketplace}` of {}; check the name with `berth plugin list --marketplace {marketplace}`",
                    self.client.base_url()
                ))
                .into()
            })
    }

    async fn catalog_for(&self, marketplace: &str) -> Result<Vec<DirectoryItem>, RemoteError> {
        match marketplace {
            REMOTE_GLOBAL_MARKETPLACE => self.client.list_catalog(Scope::Global).await,
            REMOTE_WORKSPACE_DIRECTORY_MARKETPLACE => {
                self.client.list_catalog(Scope::Workspace).await
            }
            REMOTE_CREATED_BY_ME_MARKETPLACE => self.client.list_catalog(Scope::User).await,
            REMOTE_SHARED_WITH_ME_MARKETPLACE => self.client.list_shared().await,
            // The legacy shared marketplaces are only reachable through the installed list.
            _ => Ok(self
                .client
                .list_installed(false)
                .await?
                .into_iter()
                .map(|installed| installed.item)
                .collect()),
        }
    }
}

/// What a plugin selector names.
pub(crate) enum Selected {
    /// A plugin of a local marketplace.
    Local(PluginId),
    /// A plugin of a remote marketplace, by local id.
    RemoteByName(PluginId),
    /// A remote plugin by backend id (`plugins~Plugin_linear`).
    RemoteById(String),
}

/// Whether `marketplace` is one of the remote marketplaces.
pub(crate) fn is_remote_marketplace(marketplace: &str) -> bool {
    REMOTE_MARKETPLACES.contains(&marketplace)
}

/// `NAME@MARKETPLACE` (or `NAME --marketplace`) is local or remote by its marketplace; a bare
/// argument with a `~` is a backend id (plugin names cannot contain `~`, backend ids such as
/// `plugins~Plugin_linear` do).
pub(crate) fn select(args: &SelectorArgs) -> anyhow::Result<Selected> {
    if !args.plugin.contains('@')
        && args.marketplace.is_none()
        && args.plugin.contains('~')
        && berth_plugin::is_valid_remote_plugin_id(&args.plugin)
    {
        return Ok(Selected::RemoteById(args.plugin.clone()));
    }
    let id = super::selected_plugin_id(args)?;
    if is_remote_marketplace(id.marketplace_name()) {
        Ok(Selected::RemoteByName(id))
    } else {
        Ok(Selected::Local(id))
    }
}

/// The progress reporter for a command: stderr, or nothing with `--json`.
pub(crate) fn progress(json: bool) -> Box<dyn DownloadProgress> {
    match StderrProgress::for_command(json) {
        Some(bar) => Box::new(bar),
        None => Box::new(NoProgress),
    }
}
