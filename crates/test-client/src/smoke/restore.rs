//! Putting the account back to its original uninstalled state, classifying how a mutation
//! smoke ended (app-server.md §8.3 final states), the recovery command
//! `plugin-remote-uninstall`, and the shell-quoted command line that runs it.

use std::path::PathBuf;

use serde_json::{Value, json};

use crate::app_server::AppServer;
use crate::outcome::Outcome;
use crate::report;
use crate::smoke::mutation::{RemotePlugin, is_installed, poll_installed, read_remote};
use crate::smoke::{RPC_TIMEOUT, SMOKE_CLIENT_NAME, SmokeOptions, start_server};

/// What the install/uninstall/validate part of a mutation smoke left behind.
#[derive(Debug)]
pub(crate) struct Attempt {
    /// The validated events, or why validation failed.
    pub(crate) validation: anyhow::Result<Vec<Value>>,
    /// The error `plugin/uninstall` answered, if it did.
    pub(crate) uninstall_error: Option<String>,
}

/// The account's state after the restoration routine.
#[derive(Debug)]
pub(crate) enum FinalState {
    /// The service says uninstalled.
    Uninstalled {
        /// The error the restoring `plugin/uninstall` answered, if it did.
        uninstall_error: Option<String>,
        /// The plugin's local cache folder, when it is still on disk.
        leftover_cache: Option<PathBuf>,
    },
    /// The service still says installed after the cleanup.
    StillInstalled(String),
    /// The final state could not be read.
    Unknown(String),
}

/// Restoration: `plugin/read`; if installed, `plugin/uninstall` and poll until uninstalled;
/// then look for the plugin's local cache on disk.
pub(crate) fn restore(
    server: &mut AppServer,
    options: &SmokeOptions,
    plugin: &RemotePlugin,
    remote_plugin_id: &str,
) -> FinalState {
    let installed = match is_installed(server, remote_plugin_id) {
        Ok(installed) => installed,
        Err(err) => return FinalState::Unknown(format!("{err:#}")),
    };
    let mut uninstall_error = None;
    if installed {
        uninstall_error = request_uninstall(server, remote_plugin_id);
        if let Err(err) = poll_installed(server, remote_plugin_id, false) {
            match is_installed(server, remote_plugin_id) {
                Ok(true) => {
                    let cause = uninstall_error.map_or_else(
                        || format!("{err:#}"),
                        |uninstall| format!("{uninstall}; {err:#}"),
                    );
                    return FinalState::StillInstalled(format!(
                        "`{remote_plugin_id}` is still installed on the service after cleanup: {cause}"
                    ));
                }
                Ok(false) => {}
                Err(read) => return FinalState::Unknown(format!("{read:#}")),
            }
        }
    }
    let cache = plugin.cache_dir(options);
    FinalState::Uninstalled {
        uninstall_error,
        leftover_cache: cache.exists().then_some(cache),
    }
}

/// Sends `plugin/uninstall` for `remote_plugin_id`; the error's text if it failed.
pub(crate) fn request_uninstall(server: &mut AppServer, remote_plugin_id: &str) -> Option<String> {
    server
        .request(
            "plugin/uninstall",
            json!({"pluginId": remote_plugin_id}),
            RPC_TIMEOUT,
        )
        .err()
        .map(|err| err.to_string())
}

/// The outcome of a mutation smoke (app-server.md §8.3):
/// - FAIL-UNKNOWN: the final state could not be read;
/// - FAIL-DIRTY: after cleanup the service still says installed;
/// - FAIL-LOCAL-CACHE: the service is uninstalled, but `plugin/uninstall` errored (during the
///   smoke or the cleanup) or the local cache is still on disk;
/// - FAIL-CLEAN: validation failed and the original uninstalled state is back;
/// - PASS: everything validated and the original uninstalled state is back.
pub(crate) fn classify(attempt: Attempt, state: FinalState) -> Outcome {
    let context = attempt
        .validation
        .as_ref()
        .err()
        .map(|err| format!(" (smoke failed first: {err:#})"))
        .unwrap_or_default();
    match state {
        FinalState::Unknown(err) => {
            Outcome::FailUnknown(format!("could not read the final state: {err}{context}"))
        }
        FinalState::StillInstalled(err) => Outcome::FailDirty(format!("{err}{context}")),
        FinalState::Uninstalled {
            uninstall_error,
            leftover_cache,
        } => {
            let mut local = Vec::new();
            // The errors name the method (`plugin/uninstall failed: …`).
            local.extend(attempt.uninstall_error.into_iter().chain(uninstall_error));
            if let Some(cache) = leftover_cache {
                local.push(format!(
                    "the local cache `{}` is still there",
                    cache.display()
                ));
            }
            if !local.is_empty() {
                return Outcome::FailLocalCache(format!(
                    "the service is uninstalled but {}{context}",
                    local.join("; ")
                ));
            }
            match attempt.validation {
                Ok(_) => Outcome::Pass(
                    "analytics validated; original uninstalled state restored".to_owned(),
                ),
                Err(err) => {
                    Outcome::FailClean(format!("{err:#}; original uninstalled state restored"))
                }
            }
        }
    }
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
        Ok(plugin) => {
            let state = restore(&mut smoke.server, options, &plugin, remote_plugin_id);
            recovered(options, remote_plugin_id, state)
        }
    };
    smoke.server.shutdown(std::time::Duration::from_secs(5));
    print_recovery(&outcome, options, remote_plugin_id);
    outcome
}

/// The recovery's outcome: a cache the server left behind for an uninstalled plugin is removed
/// here, then the state must be the original one.
fn recovered(options: &SmokeOptions, remote_plugin_id: &str, state: FinalState) -> Outcome {
    match state {
        FinalState::Unknown(err) => {
            Outcome::FailUnknown(format!("could not read the final state: {err}"))
        }
        FinalState::StillInstalled(err) => Outcome::FailDirty(err),
        FinalState::Uninstalled {
            uninstall_error,
            leftover_cache,
        } => {
            if let Some(err) = uninstall_error {
                report::line(format!(
                    "note: plugin/uninstall failed ({err}), but the service now says uninstalled"
                ));
            }
            if let Some(cache) = leftover_cache {
                let root = options.codex_home.join("plugins/cache");
                match berth_fs::remove_tree_within(&root, &cache) {
                    Ok(_) => report::line(format!(
                        "removed the local cache `{}` the server left behind",
                        cache.display()
                    )),
                    Err(err) => {
                        return Outcome::FailLocalCache(format!(
                            "the service is uninstalled but the local cache `{}` could not be removed: {err}",
                            cache.display()
                        ));
                    }
                }
            }
            Outcome::Pass(format!("`{remote_plugin_id}` is uninstalled"))
        }
    }
}

/// Prints the recovery command when the account or its local cache may differ from the
/// original state.
pub(crate) fn print_recovery(outcome: &Outcome, options: &SmokeOptions, remote_plugin_id: &str) {
    if outcome.may_be_dirty() {
        report::line(format!(
            "recover with: {}",
            recovery_command(options, remote_plugin_id)
        ));
    }
}

/// The shell-quoted recovery command, with the same home, server, service, CA and overrides.
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
    let mut flag = |name: &str, value: &str| {
        words.push(name.to_owned());
        words.push(shell_quote(value));
    };
    flag("--codex-home", &options.codex_home.display().to_string());
    flag("--server-bin", &options.server_bin.display().to_string());
    if let Some(url) = &options.service_url {
        flag("--service-url", url);
    }
    if let Some(ca) = &options.ca_certificate {
        flag("--ca-certificate", &ca.display().to_string());
    }
    for override_ in &options.config_overrides {
        flag("--config", override_);
    }
    words.extend([
        "plugin-remote-uninstall".to_owned(),
        "--remote-plugin-id".to_owned(),
        shell_quote(remote_plugin_id),
        "--confirm-account-mutation".to_owned(),
    ]);
    words.join(" ")
}

/// Quotes `word` for a POSIX shell unless it only holds safe characters.
pub fn shell_quote(word: &str) -> String {
    if !word.is_empty()
        && !word.starts_with('~')
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=@~:".contains(c))
    {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
#[path = "restore_tests.rs"]
mod tests;
