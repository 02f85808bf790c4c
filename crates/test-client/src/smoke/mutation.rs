//! `plugin-analytics-mutation-smoke` and `plugin-remote-uninstall`: install a remote plugin on
//! the account, require exactly one installed and one uninstalled event with the local
//! `plugin_id` and the backend `remote_plugin_id`, check the sidecar on disk, and always put the
//! account back to its original uninstalled state, ending with exactly one outcome line.

use std::time::Instant;

use anyhow::{Context as _, bail, ensure};
use serde_json::{Value, json};

use crate::app_server::AppServer;
use crate::events::of_type;
use crate::outcome::Outcome;
use crate::report;
use crate::smoke::{
    EVENT_WAIT, REMOTE_MARKETPLACE_HINT, RPC_TIMEOUT, SMOKE_CLIENT_NAME, STATE_POLL_INTERVAL,
    STATE_POLL_TIMEOUT, SmokeOptions, start_server,
};

/// Name of the sidecar that keeps a remote plugin's backend id beside its cache.
const SIDECAR: &str = ".codex-remote-plugin-install.json";

/// What `plugin/read` says about a remote plugin.
#[derive(Debug, Clone)]
struct RemotePlugin {
    local_id: String,
    name: String,
    marketplace: String,
    installed: bool,
}

/// Runs the mutation smoke for the backend id `remote_plugin_id`.
pub fn run(options: &SmokeOptions, remote_plugin_id: &str, confirmed: bool) -> Outcome {
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
    if let Err(err) = smoke.server.initialize(SMOKE_CLIENT_NAME, RPC_TIMEOUT) {
        return Outcome::FailUnknown(format!("{err:#}"));
    }
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
    let validation = mutate_and_validate(options, &mut smoke, &plugin, remote_plugin_id);
    let restored = restore(&mut smoke.server, options, &plugin, remote_plugin_id);
    report::line(smoke.events.describe());
    smoke.server.shutdown(std::time::Duration::from_secs(5));
    let outcome = match (validation, restored) {
        (Ok(events), Ok(())) => {
            for event in &events {
                report::json(event);
            }
            Outcome::Pass("analytics validated; original uninstalled state restored".to_owned())
        }
        (Err(err), Ok(())) => {
            Outcome::FailClean(format!("{err:#}; original uninstalled state restored"))
        }
        (_, Err(restore)) => restore,
    };
    if outcome.may_be_dirty() {
        report::line(format!(
            "recover with: {}",
            recovery_command(options, remote_plugin_id)
        ));
    }
    outcome
}

/// Runs `plugin-remote-uninstall`: uninstall on the service, remove the local cache, verify.
pub fn recover(options: &SmokeOptions, remote_plugin_id: &str, confirmed: bool) -> Outcome {
    if !confirmed {
        return Outcome::FailClean(
            "this command uninstalls a plugin on the active account; rerun with --confirm-account-mutation".to_owned(),
        );
    }
    let mut smoke = match start_server(
        options,
        &[
            "analytics.enabled=false".to_owned(),
            "features.plugins=true".to_owned(),
            "features.remote_plugin=true".to_owned(),
        ],
        Vec::new(),
        false,
    ) {
        Ok(smoke) => smoke,
        Err(err) => return Outcome::FailUnknown(format!("{err:#}")),
    };
    if let Err(err) = smoke.server.initialize(SMOKE_CLIENT_NAME, RPC_TIMEOUT) {
        return Outcome::FailUnknown(format!("{err:#}"));
    }
    let outcome = match read_remote(&mut smoke.server, remote_plugin_id) {
        Err(err) => Outcome::FailUnknown(format!("{err:#}")),
        Ok(plugin) => match restore(&mut smoke.server, options, &plugin, remote_plugin_id) {
            Ok(()) => Outcome::Pass(format!("`{remote_plugin_id}` is uninstalled")),
            Err(outcome) => outcome,
        },
    };
    smoke.server.shutdown(std::time::Duration::from_secs(5));
    if outcome.may_be_dirty() {
        report::line(format!(
            "recover with: {}",
            recovery_command(options, remote_plugin_id)
        ));
    }
    outcome
}

fn read_remote(server: &mut AppServer, remote_plugin_id: &str) -> anyhow::Result<RemotePlugin> {
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
    ensure!(
        summary["availability"].as_str().unwrap_or("AVAILABLE") == "AVAILABLE",
        "refusing to run: remote plugin `{remote_plugin_id}` is not AVAILABLE ({})",
        summary["availability"]
    );
    ensure!(
        summary["installPolicy"] != "NOT_AVAILABLE",
        "refusing to run: remote plugin `{remote_plugin_id}` is not available for install"
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
    })
}

fn guard(plugin: &RemotePlugin, remote_plugin_id: &str) -> anyhow::Result<()> {
    ensure!(
        !plugin.installed,
        "refusing to run: remote plugin `{remote_plugin_id}` is already installed; choose an initially uninstalled plugin"
    );
    Ok(())
}

fn is_installed(server: &mut AppServer, remote_plugin_id: &str) -> anyhow::Result<bool> {
    Ok(read_remote(server, remote_plugin_id)?.installed)
}

fn poll_installed(
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
    smoke: &mut crate::smoke::SmokeServer,
    plugin: &RemotePlugin,
    remote_plugin_id: &str,
) -> anyhow::Result<Vec<Value>> {
    let server = &mut smoke.server;
    server.request(
        "plugin/install",
        json!({"remoteMarketplaceName": plugin.marketplace, "pluginName": remote_plugin_id}),
        RPC_TIMEOUT,
    )?;
    poll_installed(server, remote_plugin_id, true)?;
    let installed = wait_for_one(
        &smoke.events,
        "codex_plugin_installed",
        plugin,
        remote_plugin_id,
    )?;
    check_sidecar(options, plugin, remote_plugin_id)?;
    let uninstall_error = server
        .request(
            "plugin/uninstall",
            json!({"pluginId": remote_plugin_id}),
            RPC_TIMEOUT,
        )
        .err();
    poll_installed(server, remote_plugin_id, false).map_err(|err| match &uninstall_error {
        Some(uninstall) => anyhow::anyhow!("{err:#}; plugin/uninstall had failed: {uninstall}"),
        None => err,
    })?;
    let uninstalled = wait_for_one(
        &smoke.events,
        "codex_plugin_uninstalled",
        plugin,
        remote_plugin_id,
    )?;
    if let Some(err) = uninstall_error {
        bail!("plugin/uninstall reported an error after the backend became uninstalled: {err}");
    }
    Ok(vec![installed, uninstalled])
}

fn wait_for_one(
    events: &crate::events::EventSource,
    kind: &str,
    plugin: &RemotePlugin,
    remote_plugin_id: &str,
) -> anyhow::Result<Value> {
    let mine = |event: &Value| event["event_params"]["remote_plugin_id"] == remote_plugin_id;
    events
        .wait_until(EVENT_WAIT, |all| of_type(all, kind).any(mine))
        .map_err(|_| {
            anyhow::anyhow!("no {kind} event with remote_plugin_id `{remote_plugin_id}` arrived")
        })?;
    // Give duplicates a moment to show up before asserting "exactly one".
    std::thread::sleep(std::time::Duration::from_millis(300));
    let all = events.events();
    let found: Vec<&Value> = of_type(&all, kind).filter(|event| mine(event)).collect();
    ensure!(
        found.len() == 1,
        "expected exactly one {kind} for `{remote_plugin_id}`, found {}",
        found.len()
    );
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
    Ok(found[0].clone())
}

fn check_sidecar(
    options: &SmokeOptions,
    plugin: &RemotePlugin,
    remote_plugin_id: &str,
) -> anyhow::Result<()> {
    let path = options
        .codex_home
        .join("plugins/cache")
        .join(&plugin.marketplace)
        .join(&plugin.name)
        .join(SIDECAR);
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

/// Puts the plugin back to uninstalled (service and local cache) and verifies it.
fn restore(
    server: &mut AppServer,
    options: &SmokeOptions,
    plugin: &RemotePlugin,
    remote_plugin_id: &str,
) -> Result<(), Outcome> {
    let installed = is_installed(server, remote_plugin_id)
        .map_err(|err| Outcome::FailUnknown(format!("{err:#}")))?;
    let mut uninstall_error = None;
    if installed {
        uninstall_error = server
            .request(
                "plugin/uninstall",
                json!({"pluginId": remote_plugin_id}),
                RPC_TIMEOUT,
            )
            .err();
        if let Err(err) = poll_installed(server, remote_plugin_id, false) {
            return Err(match is_installed(server, remote_plugin_id) {
                Ok(true) => {
                    Outcome::FailDirty(format!("`{remote_plugin_id}` is still installed: {err:#}"))
                }
                Ok(false) => Outcome::FailLocalCache(format!("{err:#}")),
                Err(read) => Outcome::FailUnknown(format!("{read:#}")),
            });
        }
    }
    let cache = options
        .codex_home
        .join("plugins/cache")
        .join(&plugin.marketplace)
        .join(&plugin.name);
    if cache.exists() {
        return Err(Outcome::FailLocalCache(format!(
            "the service is uninstalled but the local cache `{}` is still there",
            cache.display()
        )));
    }
    if let Some(err) = uninstall_error {
        return Err(Outcome::FailLocalCache(format!(
            "the service is uninstalled but plugin/uninstall failed: {err}"
        )));
    }
    Ok(())
}

/// The shell-quoted recovery command, with the same server and overrides.
pub fn recovery_command(options: &SmokeOptions, remote_plugin_id: &str) -> String {
    let exe = std::env::current_exe().ok();
    let mut words = vec![exe.as_ref().map_or_else(
        || "berth-test-client".to_owned(),
        |exe| shell_quote(&exe.display().to_string()),
    )];
    // Reached as `berth smoke ...` when the running program is berth itself.
    if exe
        .as_ref()
        .and_then(|exe| exe.file_stem())
        .is_some_and(|stem| stem == "berth")
    {
        words.push("smoke".to_owned());
    }
    words.push("--server-bin".to_owned());
    words.push(shell_quote(&options.server_bin.display().to_string()));
    for override_ in &options.config_overrides {
        words.push("--config".to_owned());
        words.push(shell_quote(override_));
    }
    words.extend([
        "plugin-remote-uninstall".to_owned(),
        "--remote-plugin-id".to_owned(),
        shell_quote(remote_plugin_id),
        "--confirm-account-mutation".to_owned(),
    ]);
    words.join(" ")
}

fn shell_quote(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=@~:".contains(c))
    {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}
