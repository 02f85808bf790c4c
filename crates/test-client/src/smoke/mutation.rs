//! `plugin-analytics-mutation-smoke`: install a remote plugin on the account, require exactly
//! one installed and one uninstalled event (see [`super::identity`]) with the local
//! `plugin_id` and the backend `remote_plugin_id`, check the sidecar on disk, and always put
//! the account back to its original uninstalled state, ending with exactly one outcome line
//! classified as app-server.md §8.3 says (see [`super::restore::classify`]).

use std::time::Instant;

use anyhow::{Context as _, bail, ensure};
use serde_json::{Value, json};

use crate::app_server::AppServer;
use crate::events::{EventSource, of_type};
use crate::outcome::Outcome;
use crate::report;
use crate::smoke::identity::{ServerIdentity, UninstallEvent};
use crate::smoke::restore::{Attempt, classify, print_recovery, request_uninstall, restore};
use crate::smoke::{
    EVENT_WAIT, REMOTE_MARKETPLACE_HINT, RPC_TIMEOUT, SMOKE_CLIENT_NAME, STATE_POLL_INTERVAL,
    STATE_POLL_TIMEOUT, SmokeOptions, SmokeServer, start_server,
};

/// Name of the sidecar that keeps a remote plugin's backend id beside its cache.
pub(crate) const SIDECAR: &str = ".codex-remote-plugin-install.json";

/// What `plugin/read` says about a remote plugin.
#[derive(Debug, Clone)]
pub(crate) struct RemotePlugin {
    pub(crate) local_id: String,
    pub(crate) name: String,
    pub(crate) marketplace: String,
    pub(crate) installed: bool,
    availability: String,
    install_policy: String,
}

impl RemotePlugin {
    /// The plugin's local cache folder (`plugins/cache/<marketplace>/<name>`).
    pub(crate) fn cache_dir(&self, options: &SmokeOptions) -> std::path::PathBuf {
        options
            .codex_home
            .join("plugins/cache")
            .join(&self.marketplace)
            .join(&self.name)
    }
}

pub use crate::smoke::restore::recover;

/// Runs the mutation smoke for the backend id `remote_plugin_id`, requiring exactly one
/// installed and one uninstalled event.
pub fn run(options: &SmokeOptions, remote_plugin_id: &str, confirmed: bool) -> Outcome {
    run_with(
        options,
        remote_plugin_id,
        confirmed,
        UninstallEvent::Required,
    )
}

/// Runs the mutation smoke with an explicit uninstalled-event policy.
pub fn run_with(
    options: &SmokeOptions,
    remote_plugin_id: &str,
    confirmed: bool,
    uninstall_event: UninstallEvent,
) -> Outcome {
    if !confirmed {
        return Outcome::FailClean(
            "this command installs and uninstalls a plugin on the active account; rerun with --confirm-account-mutation"
                .to_owned(),
        );
    }
    let mut smoke = match start_server(
        options,
        &[
            "analytics.enabled=true".to_owned(),
            "features.plugins=true".to_owned(),
            "features.remote_plugin=true".to_owned(),
        ],
        Vec::new(),
        false,
    ) {
        Ok(smoke) => smoke,
        Err(err) => return Outcome::FailClean(format!("{err:#}")),
    };
    let initialized = match smoke.server.initialize(SMOKE_CLIENT_NAME, RPC_TIMEOUT) {
        Ok(result) => result,
        Err(err) => return Outcome::FailUnknown(format!("{err:#}")),
    };
    let identity = ServerIdentity::probe(&options.server_bin, &initialized);
    let plugin = match read_remote(&mut smoke.server, remote_plugin_id) {
        Ok(plugin) => plugin,
        Err(err) => return Outcome::FailClean(format!("{err:#}")),
    };
    if let Err(err) = guard(&plugin, remote_plugin_id) {
        return Outcome::FailClean(format!("{err:#}"));
    }
    report::line(format!(
        "remote plugin mutation smoke: local_id={} remote_id={remote_plugin_id} marketplace={}",
        plugin.local_id, plugin.marketplace
    ));
    if options.verbose {
        report::line(identity.describe());
    }
    if let Some(note) = uninstall_event.note() {
        report::line(note);
    }
    let attempt = mutate_and_validate(
        options,
        &mut smoke,
        &plugin,
        remote_plugin_id,
        uninstall_event.is_required(),
    );
    let restored = restore(&mut smoke.server, options, &plugin, remote_plugin_id);
    smoke.server.shutdown(std::time::Duration::from_secs(5));
    if options.verbose {
        report::line(smoke.events.describe());
        if let Ok(events) = &attempt.validation {
            for event in events {
                report::json(event);
            }
        }
    }
    let outcome = classify(attempt, restored);
    print_recovery(&outcome, options, remote_plugin_id);
    outcome
}

/// `plugin/read` of the backend id through the remote marketplace.
pub(crate) fn read_remote(
    server: &mut AppServer,
    remote_plugin_id: &str,
) -> anyhow::Result<RemotePlugin> {
    let read = server.request(
        "plugin/read",
        json!({"remoteMarketplaceName": REMOTE_MARKETPLACE_HINT, "pluginName": remote_plugin_id}),
        RPC_TIMEOUT,
    )?;
    let plugin = &read["plugin"];
    let summary = &plugin["summary"];
    ensure!(
        summary["remotePluginId"] == remote_plugin_id,
        "plugin/read returned remotePluginId {} for `{remote_plugin_id}`",
        summary["remotePluginId"]
    );
    Ok(RemotePlugin {
        local_id: summary["id"]
            .as_str()
            .context("plugin/read returned no summary.id")?
            .to_owned(),
        name: summary["name"].as_str().unwrap_or_default().to_owned(),
        marketplace: plugin["marketplaceName"]
            .as_str()
            .unwrap_or(REMOTE_MARKETPLACE_HINT)
            .to_owned(),
        installed: summary["installed"] == true,
        availability: summary["availability"]
            .as_str()
            .unwrap_or("AVAILABLE")
            .to_owned(),
        install_policy: summary["installPolicy"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    })
}

/// The smoke's safety guards (app-server.md §8.3).
fn guard(plugin: &RemotePlugin, remote_plugin_id: &str) -> anyhow::Result<()> {
    ensure!(
        !plugin.installed,
        "refusing to run: remote plugin `{remote_plugin_id}` is already installed; choose an initially uninstalled plugin"
    );
    ensure!(
        plugin.availability == "AVAILABLE",
        "refusing to run: remote plugin `{remote_plugin_id}` is not AVAILABLE ({})",
        plugin.availability
    );
    ensure!(
        plugin.install_policy != "NOT_AVAILABLE",
        "refusing to run: remote plugin `{remote_plugin_id}` is not available for install"
    );
    Ok(())
}

/// Whether the service says the plugin is installed.
pub(crate) fn is_installed(server: &mut AppServer, remote_plugin_id: &str) -> anyhow::Result<bool> {
    Ok(read_remote(server, remote_plugin_id)?.installed)
}

/// Polls `plugin/read` until `installed == want` (bounded).
pub(crate) fn poll_installed(
    server: &mut AppServer,
    remote_plugin_id: &str,
    want: bool,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + STATE_POLL_TIMEOUT;
    loop {
        if is_installed(server, remote_plugin_id)? == want {
            return Ok(());
        }
        if Instant::now() >= deadline {
            bail!(
                "`{remote_plugin_id}` did not become {} within {STATE_POLL_TIMEOUT:?}",
                if want { "installed" } else { "uninstalled" }
            );
        }
        std::thread::sleep(STATE_POLL_INTERVAL);
    }
}

fn mutate_and_validate(
    options: &SmokeOptions,
    smoke: &mut SmokeServer,
    plugin: &RemotePlugin,
    remote_plugin_id: &str,
    require_uninstalled: bool,
) -> Attempt {
    let mut uninstall_error = None;
    let validation = install_uninstall_and_validate(
        options,
        smoke,
        plugin,
        remote_plugin_id,
        require_uninstalled,
        &mut uninstall_error,
    );
    Attempt {
        validation,
        uninstall_error,
    }
}

fn install_uninstall_and_validate(
    options: &SmokeOptions,
    smoke: &mut SmokeServer,
    plugin: &RemotePlugin,
    remote_plugin_id: &str,
    require_uninstalled: bool,
    uninstall_error: &mut Option<String>,
) -> anyhow::Result<Vec<Value>> {
    let server = &mut smoke.server;
    server.request(
        "plugin/install",
        json!({"remoteMarketplaceName": plugin.marketplace, "pluginName": remote_plugin_id}),
        RPC_TIMEOUT,
    )?;
    poll_installed(server, remote_plugin_id, true)?;
    let installed = wait_for_events(
        &smoke.events,
        "codex_plugin_installed",
        plugin,
        remote_plugin_id,
        true,
    )?;
    check_sidecar(options, plugin, remote_plugin_id)?;
    *uninstall_error = request_uninstall(server, remote_plugin_id);
    poll_installed(server, remote_plugin_id, false).map_err(|err| match uninstall_error {
        Some(uninstall) => anyhow::anyhow!("{err:#}; plugin/uninstall had failed: {uninstall}"),
        None => err,
    })?;
    if let Some(err) = uninstall_error {
        bail!("plugin/uninstall reported an error after the backend became uninstalled: {err}");
    }
    let uninstalled = wait_for_events(
        &smoke.events,
        "codex_plugin_uninstalled",
        plugin,
        remote_plugin_id,
        require_uninstalled,
    )?;
    Ok(installed.into_iter().chain(uninstalled).collect())
}

/// Waits for `kind` events of this plugin and validates them: exactly one when `required`,
/// else at most one. Returns the validated event, if any.
fn wait_for_events(
    events: &EventSource,
    kind: &str,
    plugin: &RemotePlugin,
    remote_plugin_id: &str,
    required: bool,
) -> anyhow::Result<Option<Value>> {
    let mine = |event: &Value| event["event_params"]["remote_plugin_id"] == remote_plugin_id;
    let arrived = events
        .wait_until(EVENT_WAIT, |all| of_type(all, kind).any(mine))
        .is_ok();
    if !arrived && required {
        bail!("no {kind} event with remote_plugin_id `{remote_plugin_id}` arrived");
    }
    // Give duplicates a moment to show up before asserting "exactly one".
    std::thread::sleep(std::time::Duration::from_millis(300));
    let all = events.events();
    let found: Vec<&Value> = of_type(&all, kind).filter(|event| mine(event)).collect();
    match (found.as_slice(), required) {
        ([], false) => {
            report::line(format!(
                "note: no {kind} for `{remote_plugin_id}` (not required: --uninstall-event optional)"
            ));
            return Ok(None);
        }
        ([_], _) => {}
        (found, true) => bail!(
            "expected exactly one {kind} for `{remote_plugin_id}`, found {}",
            found.len()
        ),
        (found, false) => bail!(
            "expected at most one {kind} for `{remote_plugin_id}`, found {}",
            found.len()
        ),
    }
    let params = &found[0]["event_params"];
    let mut problems = Vec::new();
    for (field, want) in [
        ("plugin_id", json!(plugin.local_id)),
        ("remote_plugin_id", json!(remote_plugin_id)),
        ("plugin_name", json!(plugin.name)),
        ("marketplace_name", json!(plugin.marketplace)),
    ] {
        if params[field] != want {
            problems.push(format!(
                "{kind}.{field} is {}, expected {want}",
                params[field]
            ));
        }
    }
    for field in [
        "has_skills",
        "mcp_server_count",
        "connector_ids",
        "product_client_id",
    ] {
        if params[field].is_null() {
            problems.push(format!("{kind}.{field} is null"));
        }
    }
    ensure!(problems.is_empty(), "{}", problems.join("; "));
    Ok(Some(found[0].clone()))
}

fn check_sidecar(
    options: &SmokeOptions,
    plugin: &RemotePlugin,
    remote_plugin_id: &str,
) -> anyhow::Result<()> {
    let path = plugin.cache_dir(options).join(SIDECAR);
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("the sidecar `{}` is missing", path.display()))?;
    let sidecar: Value = serde_json::from_str(&text)
        .with_context(|| format!("the sidecar `{}` is not JSON", path.display()))?;
    ensure!(
        sidecar == json!({"schema_version": 1, "remote_plugin_id": remote_plugin_id}),
        "the sidecar `{}` holds {sidecar}",
        path.display()
    );
    Ok(())
}
