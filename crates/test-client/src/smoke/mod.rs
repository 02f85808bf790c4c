//! The smoke workflows and what they share: starting an app server with a loopback model
//! provider, analytics enabled and events routed to a capture file or the collector.

pub mod analytics;
pub mod identity;
pub mod mutation;
pub mod restore;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;

use crate::app_server::{AppServer, AppServerSpec};
use crate::collector::Collector;
use crate::events::EventSource;
use crate::responses_server::ResponsesServer;

/// Model slug of smoke turns.
pub const SMOKE_MODEL: &str = "plugin-analytics-smoke";
/// Provider id of smoke turns.
pub const SMOKE_PROVIDER: &str = "plugin_analytics_smoke";
/// Debug-build environment variable naming the analytics capture file.
pub const CAPTURE_FILE_ENV: &str = "CODEX_ANALYTICS_EVENTS_CAPTURE_FILE";
/// Debug-build hook replacing the user config layer, so writes stay out of the real profile.
pub const TEST_USER_CONFIG_ENV: &str = "CODEX_APP_SERVER_TEST_USER_CONFIG_FILE";
/// Client name the smokes initialize with (the `product_client_id` of their events).
pub const SMOKE_CLIENT_NAME: &str = "berth-test-client";
/// Remote marketplace a backend id is read through.
pub const REMOTE_MARKETPLACE_HINT: &str = "openai-curated-remote";

/// Time for one RPC.
pub const RPC_TIMEOUT: Duration = Duration::from_secs(60);
/// Time for the capture file to appear.
pub const CAPTURE_READY_TIMEOUT: Duration = Duration::from_secs(5);
/// Time for expected events to arrive.
pub const EVENT_WAIT: Duration = Duration::from_secs(10);
/// Time for an install or uninstall to become visible.
pub const STATE_POLL_TIMEOUT: Duration = Duration::from_secs(15);
/// Interval between state polls.
pub const STATE_POLL_INTERVAL: Duration = Duration::from_millis(100);

/// Options every smoke takes.
#[derive(Debug, Clone)]
pub struct SmokeOptions {
    /// The app server binary (`berth` or `codex`).
    pub server_bin: PathBuf,
    /// `key=value` overrides forwarded as `--config` before `app-server`.
    pub config_overrides: Vec<String>,
    /// The Codex home the server uses (for on-disk checks); `$CODEX_HOME` or `~/.codex`.
    pub codex_home: PathBuf,
    /// Read events from this debug-build capture file instead of the collector.
    pub capture_file: Option<PathBuf>,
    /// The real plugin service the collector forwards to (default: `chatgpt_base_url` from
    /// the overrides, else from the home's config.toml).
    pub service_url: Option<String>,
    /// Extra CA certificate to trust for the service (also passed to the server as
    /// `CODEX_CA_CERTIFICATE`).
    pub ca_certificate: Option<PathBuf>,
    /// Also print the server's identity, where events are read from, and every validated
    /// event as JSON (the standalone smokes do; the quickstart only with `--verbose`).
    pub verbose: bool,
}

impl SmokeOptions {
    /// The value of a `key=value` override, with TOML string quotes removed.
    pub fn override_value(&self, key: &str) -> Option<String> {
        self.config_overrides.iter().rev().find_map(|entry| {
            let (name, value) = entry.split_once('=')?;
            (name.trim() == key).then(|| value.trim().trim_matches('"').to_owned())
        })
    }
}

/// A started app server with its helpers.
pub struct SmokeServer {
    /// The server.
    pub server: AppServer,
    /// Where events are read.
    pub events: EventSource,
    /// The loopback model; kept alive for the server's turns.
    pub responses: Option<ResponsesServer>,
}

/// Starts the server for a smoke: `extra` overrides after the user's, the capture file or
/// collector wired in, and optionally a loopback model provider.
pub fn start_server(
    options: &SmokeOptions,
    extra_overrides: &[String],
    extra_env: Vec<(OsString, OsString)>,
    with_model: bool,
) -> anyhow::Result<SmokeServer> {
    let mut overrides = options.config_overrides.clone();
    overrides.extend_from_slice(extra_overrides);
    let mut env = extra_env;
    // The server must use the home the smoke checks on disk.
    env.push((
        "CODEX_HOME".into(),
        options.codex_home.clone().into_os_string(),
    ));
    let responses = if with_model {
        let responses = ResponsesServer::start()
            .context("failed to start the loopback Responses API server")?;
        overrides.extend(model_overrides(&responses.base_url()));
        Some(responses)
    } else {
        None
    };
    if let Some(ca) = &options.ca_certificate {
        env.push(("CODEX_CA_CERTIFICATE".into(), ca.clone().into_os_string()));
    }
    let upstream = options
        .service_url
        .clone()
        .or_else(|| options.override_value("chatgpt_base_url"))
        .or_else(|| {
            berth_config::ConfigStore::new(&options.codex_home)
                .load()
                .ok()
                .and_then(|config| config.chatgpt_base_url())
        });
    let events = if let Some(path) = &options.capture_file {
        prepare_capture_file(path)?;
        env.push((CAPTURE_FILE_ENV.into(), path.clone().into_os_string()));
        // With the isolated user config (TEST_USER_CONFIG_ENV) the server no longer reads the
        // home's config.toml, so the service it names is passed explicitly.
        if let Some(upstream) = &upstream {
            overrides.push(format!("chatgpt_base_url=\"{upstream}\""));
        }
        EventSource::CaptureFile(path.clone())
    } else {
        let collector = Collector::start(upstream.as_deref(), options.ca_certificate.as_deref())
            .context("failed to start the analytics collector")?;
        overrides.push(format!("chatgpt_base_url=\"{}\"", collector.base_url()));
        EventSource::Collector(collector)
    };
    let server = AppServer::start(&AppServerSpec {
        program: options.server_bin.clone(),
        config_overrides: overrides,
        env,
    })?;
    if let EventSource::CaptureFile(path) = &events {
        wait_for_capture_file(path)?;
    }
    Ok(SmokeServer {
        server,
        events,
        responses,
    })
}

/// The mock provider block of app-server.md §5.4.
pub fn model_overrides(base_url: &str) -> Vec<String> {
    let provider = format!("model_providers.{SMOKE_PROVIDER}");
    vec![
        format!("model=\"{SMOKE_MODEL}\""),
        format!("model_provider=\"{SMOKE_PROVIDER}\""),
        format!("{provider}.name=\"Plugin analytics smoke mock provider\""),
        format!("{provider}.base_url=\"{base_url}\""),
        format!("{provider}.wire_api=\"responses\""),
        format!("{provider}.requires_openai_auth=false"),
        format!("{provider}.request_max_retries=0"),
        format!("{provider}.stream_max_retries=0"),
    ]
}

fn prepare_capture_file(path: &Path) -> anyhow::Result<()> {
    let parent = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty());
    if let Some(parent) = parent {
        anyhow::ensure!(
            parent.is_dir(),
            "the capture file's folder `{}` does not exist; create it or pass another --capture-file",
            parent.display()
        );
    }
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(err)
            .with_context(|| format!("failed to remove the old capture file `{}`", path.display())),
    }
}

fn wait_for_capture_file(path: &Path) -> anyhow::Result<()> {
    let deadline = std::time::Instant::now() + CAPTURE_READY_TIMEOUT;
    while std::time::Instant::now() < deadline {
        if path.exists() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    anyhow::bail!(
        "analytics capture did not become ready at `{}`; use a debug build of the server (release builds ignore {CAPTURE_FILE_ENV}) or drop --capture-file to use the collector",
        path.display()
    )
}

/// `$CODEX_HOME`, else `~/.codex`.
pub fn default_codex_home() -> Option<PathBuf> {
    std::env::var_os("CODEX_HOME")
        .filter(|value| !value.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::home_dir().map(|home| home.join(".codex")))
}
