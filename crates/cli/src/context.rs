//! What every command needs: the Codex home, the user's home folder, the plugins manager, and
//! for commands that change plugins the analytics pipeline, flushed when the context drops.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use berth_analytics::{AnalyticsClient, AnalyticsHandle, AnalyticsSettings};
use berth_config::ConfigStore;
use berth_core::{ManagerOptions, PluginsManager};

use crate::cli::HomeArgs;

/// Environment variable naming the Codex home.
pub(crate) const CODEX_HOME_ENV: &str = "CODEX_HOME";

/// `originator` and `product_client_id` of events the CLI reports.
pub(crate) const CLI_ORIGINATOR: &str = "berth_cli";

/// How long a command waits at exit for its analytics (its own batch and what earlier
/// commands left in the outbox) to be delivered. What is not answered by then stays in the
/// outbox for the next command, so an unreachable endpoint costs at most this (plus ~20 ms
/// for the analytics thread to report back).
const ANALYTICS_FLUSH_DEADLINE: Duration = Duration::from_millis(130);

/// Resolved command context.
pub(crate) struct Context {
    pub(crate) manager: PluginsManager,
    analytics: Option<AnalyticsHandle>,
}

impl Drop for Context {
    fn drop(&mut self) {
        if let Some(handle) = self.analytics.take() {
            // Undelivered batches wait in the outbox; real losses are logged by the handle.
            let report = handle.shutdown_blocking(ANALYTICS_FLUSH_DEADLINE);
            tracing::debug!(?report, "analytics stopped");
        }
        // The process exits next; the operating system frees the parsed config faster.
        self.manager.config().leak_last_load();
    }
}

impl Context {
    /// The context of a command run with `home` options: the Codex home they name and the
    /// `-c`/`--enable`/`--disable` overrides applied to every config load.
    pub(crate) fn new(home: &HomeArgs) -> anyhow::Result<Self> {
        let codex_home = resolve_codex_home(home.codex_home.as_deref())?;
        let overrides = berth_config::parse_overrides(&home.overrides())?;
        Self::for_home(codex_home, std::env::home_dir(), overrides)
    }

    /// A context for an explicit Codex home, user home folder and config overrides.
    pub(crate) fn for_home(
        codex_home: PathBuf,
        home_dir: Option<PathBuf>,
        overrides: Vec<berth_config::ConfigOverride>,
    ) -> anyhow::Result<Self> {
        let config = ConfigStore::new(&codex_home).with_overrides(overrides);
        let manager = PluginsManager::new(ManagerOptions {
            codex_home,
            home_dir,
        })?
        .with_user_config(config);
        Ok(Self {
            manager,
            analytics: None,
        })
    }

    /// Starts the analytics pipeline (unless opted out) and makes it the manager's event sink.
    /// A config.toml that does not parse disables analytics; the command itself reports it.
    pub(crate) fn with_analytics(mut self) -> Self {
        let codex_home = self.manager.codex_home().to_path_buf();
        let Ok(config) = self.manager.config().load() else {
            return self;
        };
        let mut settings = AnalyticsSettings::new(
            codex_home,
            CLI_ORIGINATOR,
            berth_analytics::user_agent(CLI_ORIGINATOR, env!("CARGO_PKG_VERSION")),
        );
        settings.enabled = config.analytics_enabled();
        settings.do_not_track = berth_analytics::do_not_track_from_env();
        settings.capture_file = berth_analytics::capture_file_from_env();
        if let Some(base_url) = config.chatgpt_base_url() {
            settings.base_url = base_url;
        }
        // One try per batch: a command never sleeps on a retry; the outbox retries later.
        settings.retry.max_attempts = 1;
        if !settings.is_collection_enabled() {
            return self;
        }
        let (client, handle): (AnalyticsClient, AnalyticsHandle) =
            AnalyticsClient::start(&settings);
        self.manager.set_event_sink(Arc::new(client));
        self.analytics = Some(handle);
        self
    }
}

/// `--codex-home`, else `$CODEX_HOME`, else `~/.codex`; made absolute against the working
/// directory.
pub(crate) fn resolve_codex_home(flag: Option<&Path>) -> anyhow::Result<PathBuf> {
    let chosen = match flag {
        Some(path) => path.to_path_buf(),
        None => match std::env::var_os(CODEX_HOME_ENV).filter(|value| !value.is_empty()) {
            Some(value) => PathBuf::from(value),
            None => std::env::home_dir()
                .context("cannot find the home folder to locate `~/.codex`; set CODEX_HOME or pass --codex-home")?
                .join(".codex"),
        },
    };
    std::path::absolute(&chosen)
        .with_context(|| format!("failed to resolve the Codex home `{}`", chosen.display()))
}
