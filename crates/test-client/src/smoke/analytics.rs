//! `plugin-analytics-smoke`: with an installed, enabled, AVAILABLE plugin, write it disabled then
//! enabled (in an isolated config file), mention it in a turn against a loopback model, and
//! require exactly one disabled, one enabled and one used event carrying the right local and
//! remote ids, names, capabilities, thread, turn and model. The original enabled state is
//! written back in every outcome.

use std::time::{Duration, Instant};

use anyhow::{Context as _, bail, ensure};
use serde_json::{Value, json};

use crate::events::{EventSource, of_type};
use crate::outcome::Outcome;
use crate::report;
use crate::smoke::{
    EVENT_WAIT, RPC_TIMEOUT, SMOKE_CLIENT_NAME, SMOKE_MODEL, SMOKE_PROVIDER, SmokeOptions,
    TEST_USER_CONFIG_ENV, start_server,
};

/// Total time for the mention turn to produce `codex_plugin_used` (a fresh remote bundle may
/// still be syncing on the first attempts).
const USAGE_BUDGET: Duration = Duration::from_secs(30);
/// Pause between turn attempts.
const RETRY_INTERVAL: Duration = Duration::from_millis(250);

/// What the smoke learned about the plugin from `plugin/installed`.
#[derive(Debug, Clone)]
struct Expected {
    plugin_id: String,
    remote_plugin_id: Option<String>,
    plugin_name: String,
    marketplace_name: String,
}

/// Runs the smoke for `plugin_id` (`name@marketplace`).
pub fn run(options: &SmokeOptions, plugin_id: &str) -> Outcome {
    let config = match tempfile::Builder::new()
        .prefix("berth-plugin-analytics-config-")
        .suffix(".toml")
        .tempfile()
    {
        Ok(config) => config,
        Err(err) => {
            return Outcome::FailClean(format!(
                "could not create the temporary config file: {err}"
            ));
        }
    };
    let config_path = config.path().to_path_buf();
    let mut smoke = match start_server(
        options,
        &[
            "analytics.enabled=true".to_owned(),
            "features.plugins=true".to_owned(),
            "features.remote_plugin=true".to_owned(),
        ],
        vec![(
            TEST_USER_CONFIG_ENV.into(),
            config_path.clone().into_os_string(),
        )],
        true,
    ) {
        Ok(smoke) => smoke,
        Err(err) => return Outcome::FailClean(format!("{err:#}")),
    };
    report::line(format!(
        "plugin analytics smoke: {} ({})",
        plugin_id,
        smoke.events.describe()
    ));
    let mut wrote_toggle = false;
    let mut target = WriteTarget::Isolated {
        path: config_path,
        codex_home: options.codex_home.clone(),
    };
    let result = run_steps(
        &mut smoke.server,
        &smoke.events,
        plugin_id,
        &mut target,
        &mut wrote_toggle,
    );
    if wrote_toggle {
        // Restore the original state (the plugin was enabled) whatever happened.
        if let Err(err) = restore(&mut smoke.server, plugin_id, &mut target) {
            report::line(format!(
                "warning: could not restore `{plugin_id}` to enabled: {err:#}"
            ));
        }
    }
    smoke.server.shutdown(Duration::from_secs(5));
    match result {
        Ok(events) => {
            if options.verbose {
                report::line("[plugin analytics smoke validated]");
                for event in &events {
                    report::json(event);
                }
                report::line(smoke.events.describe());
            }
            Outcome::Pass(format!(
                "disabled, enabled and used events validated for `{plugin_id}`"
            ))
        }
        Err(err) => Outcome::FailClean(format!("{err:#}")),
    }
}

fn run_steps(
    server: &mut crate::app_server::AppServer,
    events: &EventSource,
    plugin_id: &str,
    target: &mut WriteTarget,
    wrote_toggle: &mut bool,
) -> anyhow::Result<Vec<Value>> {
    server.initialize(SMOKE_CLIENT_NAME, RPC_TIMEOUT)?;
    let expected = find_installed_plugin(server, plugin_id)?;
    *wrote_toggle = true;
    write_enabled(server, plugin_id, false, target)?;
    write_enabled(server, plugin_id, true, target)?;
    let (thread_id, turn_id, attempts) = mention_until_used(server, events, &expected)?;
    if attempts > 1 {
        report::line(format!(
            "remote plugin bundle became ready after {attempts} turn attempts"
        ));
    }
    let ours = |params: &Value| params["plugin_id"] == expected.plugin_id.as_str();
    let found = events
        .wait_until(EVENT_WAIT, |all| {
            let mine: Vec<Value> = all
                .iter()
                .filter(|event| ours(&event["event_params"]))
                .cloned()
                .collect();
            [
                "codex_plugin_disabled",
                "codex_plugin_enabled",
                "codex_plugin_used",
            ]
            .iter()
            .all(|kind| of_type(&mine, kind).next().is_some())
        })
        .map_err(|seen| {
            anyhow::anyhow!(
                "expected disabled, enabled and used events for `{plugin_id}`; saw {}",
                summarize(&seen)
            )
        })?;
    let mine: Vec<Value> = found
        .into_iter()
        .filter(|event| ours(&event["event_params"]))
        .collect();
    validate(&mine, &expected, &thread_id, &turn_id)
}

fn find_installed_plugin(
    server: &mut crate::app_server::AppServer,
    plugin_id: &str,
) -> anyhow::Result<Expected> {
    let installed = server.request("plugin/installed", json!({}), RPC_TIMEOUT)?;
    let mut matches = Vec::new();
    for marketplace in installed["marketplaces"].as_array().into_iter().flatten() {
        for plugin in marketplace["plugins"].as_array().into_iter().flatten() {
            if plugin["id"] == plugin_id {
                matches.push((marketplace["name"].clone(), plugin.clone()));
            }
        }
    }
    let [(marketplace, plugin)] = matches.as_slice() else {
        bail!(
            "expected exactly one installed plugin with local id `{plugin_id}`, found {}",
            matches.len()
        );
    };
    ensure!(
        plugin["installed"] == true,
        "`{plugin_id}` is not installed"
    );
    ensure!(
        plugin["enabled"] == true,
        "`{plugin_id}` is installed but disabled; enable it first"
    );
    ensure!(
        plugin["availability"].as_str().unwrap_or("AVAILABLE") == "AVAILABLE",
        "`{plugin_id}` is not AVAILABLE ({})",
        plugin["availability"]
    );
    Ok(Expected {
        plugin_id: plugin_id.to_owned(),
        remote_plugin_id: plugin["remotePluginId"].as_str().map(str::to_owned),
        plugin_name: plugin["name"].as_str().unwrap_or_default().to_owned(),
        marketplace_name: marketplace.as_str().unwrap_or_default().to_owned(),
    })
}

/// Where the smoke's toggles go.
#[derive(Debug, Clone)]
enum WriteTarget {
    /// The isolated temporary config file (what Codex's smoke does).
    Isolated {
        path: std::path::PathBuf,
        codex_home: std::path::PathBuf,
    },
    /// The user's own config, because the server writes nowhere else (a release Codex, whose
    /// isolation hook is debug-only); `original` is the plugin's entry (`plugins.<id>`) as it
    /// was before the smoke's first write, `None` when there was none.
    UserConfig { original: Option<Value> },
}

/// The plugin's entry in the user config of `codex_home`, as JSON.
fn user_config_entry(
    codex_home: &std::path::Path,
    plugin_id: &str,
) -> anyhow::Result<Option<Value>> {
    let config = berth_config::ConfigStore::new(codex_home)
        .load()
        .context("could not read the user config before toggling there")?;
    Ok(config.get(&["plugins", plugin_id]))
}

/// Puts the toggle back: the isolated file gets `enabled = true` again; the user config gets
/// back exactly the entry it had (removed when it had none: writing null clears a key, in
/// Codex's app server and in berth's), so the user's file ends as it started.
fn restore(
    server: &mut crate::app_server::AppServer,
    plugin_id: &str,
    target: &mut WriteTarget,
) -> anyhow::Result<()> {
    let WriteTarget::UserConfig { original } = target else {
        return write_enabled(server, plugin_id, true, target);
    };
    let result = server.request(
        "config/value/write",
        json!({
            "keyPath": format!("plugins.{plugin_id}"),
            "value": original,
            "mergeStrategy": "replace",
        }),
        RPC_TIMEOUT,
    )?;
    report::line(format!(
        "< config/value/write plugin={plugin_id} restored the user config entry status={}",
        result["status"]
    ));
    Ok(())
}

/// Writes `plugins.<id>.enabled` to the isolated config file; a server that only writes its
/// user config gets the write there instead, and `target` becomes [`WriteTarget::UserConfig`]
/// (with the entry as it was) so the restore goes there too.
fn write_enabled(
    server: &mut crate::app_server::AppServer,
    plugin_id: &str,
    enabled: bool,
    target: &mut WriteTarget,
) -> anyhow::Result<()> {
    let mut params = json!({
        "keyPath": format!("plugins.{plugin_id}.enabled"),
        "value": enabled,
        "mergeStrategy": "replace",
    });
    if let WriteTarget::Isolated { path, .. } = target {
        params["filePath"] = json!(path);
    }
    let result = match server.request("config/value/write", params.clone(), RPC_TIMEOUT) {
        Err(crate::app_server::AppServerError::Rpc { message, .. })
            if message.contains("Only writes to the user config are allowed") =>
        {
            let WriteTarget::Isolated { codex_home, .. } = target else {
                bail!("the server refused a write to its user config: {message}");
            };
            report::line(
                "note: the server only writes its user config; toggling there and restoring it afterwards",
            );
            let original = user_config_entry(codex_home, plugin_id)?;
            *target = WriteTarget::UserConfig { original };
            if let Some(object) = params.as_object_mut() {
                object.remove("filePath");
            }
            server.request("config/value/write", params, RPC_TIMEOUT)?
        }
        other => other?,
    };
    report::line(format!(
        "< config/value/write plugin={plugin_id} enabled={enabled} status={}",
        result["status"]
    ));
    ensure!(
        result["status"] == "ok",
        "config/value/write did not apply (status {}, overridden by {})",
        result["status"],
        result["overriddenMetadata"]
    );
    Ok(())
}

/// Starts threads with a mention turn until `codex_plugin_used` for this turn shows up.
fn mention_until_used(
    server: &mut crate::app_server::AppServer,
    events: &EventSource,
    expected: &Expected,
) -> anyhow::Result<(String, String, usize)> {
    let deadline = Instant::now() + USAGE_BUDGET;
    let mut attempts = 0;
    loop {
        attempts += 1;
        let thread = server.request(
            "thread/start",
            json!({
                "model": SMOKE_MODEL,
                "modelProvider": SMOKE_PROVIDER,
                "baseInstructions": "",
                "developerInstructions": "",
                "ephemeral": true,
            }),
            RPC_TIMEOUT,
        )?;
        let thread_id = thread["thread"]["id"]
            .as_str()
            .context("thread/start returned no thread id")?
            .to_owned();
        let turn = server.request(
            "turn/start",
            json!({
                "threadId": thread_id,
                "input": [{"type": "mention", "name": expected.plugin_name, "path": format!("plugin://{}", expected.plugin_id)}],
            }),
            RPC_TIMEOUT,
        )?;
        let turn_id = turn["turn"]["id"]
            .as_str()
            .context("turn/start returned no turn id")?
            .to_owned();
        let completed = server.wait_for_notification("turn/completed", RPC_TIMEOUT, |message| {
            message["method"] == "turn/completed"
                && message["params"]["turn"]["id"] == turn_id.as_str()
        })?;
        let status = &completed["params"]["turn"]["status"];
        ensure!(
            status == "completed",
            "the mention turn ended with status {status}: {}",
            completed["params"]["turn"]["error"]
        );
        let remaining = deadline
            .saturating_duration_since(Instant::now())
            .min(EVENT_WAIT);
        // The turn event is queued after the turn's plugin usage, so it is a barrier: once it is
        // there, a missing used event will not come for this turn.
        let used = events
            .wait_until(remaining, |all| {
                let used = all.iter().any(|event| {
                    event["event_type"] == "codex_plugin_used"
                        && event["event_params"]["turn_id"] == turn_id.as_str()
                        && event["event_params"]["plugin_id"] == expected.plugin_id.as_str()
                });
                let barrier = all.iter().any(|event| {
                    event["event_type"] == "codex_turn_event"
                        && event["event_params"]["turn_id"] == turn_id.as_str()
                });
                used || barrier
            })
            .ok()
            .is_some_and(|all| {
                all.iter().any(|event| {
                    event["event_type"] == "codex_plugin_used"
                        && event["event_params"]["turn_id"] == turn_id.as_str()
                })
            });
        if used {
            return Ok((thread_id, turn_id, attempts));
        }
        if Instant::now() + RETRY_INTERVAL >= deadline {
            bail!(
                "no codex_plugin_used for `{}` after {attempts} turn attempts",
                expected.plugin_id
            );
        }
        std::thread::sleep(RETRY_INTERVAL);
    }
}

fn validate(
    events: &[Value],
    expected: &Expected,
    thread_id: &str,
    turn_id: &str,
) -> anyhow::Result<Vec<Value>> {
    let mut problems = Vec::new();
    let mut validated = Vec::new();
    for kind in [
        "codex_plugin_disabled",
        "codex_plugin_enabled",
        "codex_plugin_used",
    ] {
        let found: Vec<&Value> = of_type(events, kind).collect();
        if found.len() != 1 {
            problems.push(format!(
                "expected exactly one {kind}, found {}",
                found.len()
            ));
            continue;
        }
        let params = &found[0]["event_params"];
        let mut check = |field: &str, want: &Value| {
            if &params[field] != want {
                problems.push(format!(
                    "{kind}.{field} is {}, expected {want}",
                    params[field]
                ));
            }
        };
        check("plugin_id", &json!(expected.plugin_id));
        check("remote_plugin_id", &json!(expected.remote_plugin_id));
        check("plugin_name", &json!(expected.plugin_name));
        check("marketplace_name", &json!(expected.marketplace_name));
        if kind == "codex_plugin_used" {
            check("thread_id", &json!(thread_id));
            check("turn_id", &json!(turn_id));
            check("model_slug", &json!(SMOKE_MODEL));
            for field in [
                "has_skills",
                "mcp_server_count",
                "connector_ids",
                "mcp_server_names",
            ] {
                if params[field].is_null() {
                    problems.push(format!("{kind}.{field} is null"));
                }
            }
        }
        validated.push(found[0].clone());
    }
    if problems.is_empty() {
        Ok(validated)
    } else {
        bail!("{}", problems.join("; "))
    }
}

fn summarize(events: &[Value]) -> String {
    if events.is_empty() {
        return "no events".to_owned();
    }
    events
        .iter()
        .map(|event| {
            format!(
                "{}({})",
                event["event_type"].as_str().unwrap_or("?"),
                event["event_params"]["plugin_id"]
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}
