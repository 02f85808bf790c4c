//! The quickstart's second half: the whole system on loopback. Starts `berth serve` in this
//! process (embedded `SQLite`, https with a throw-away CA, the example plugins published), logs a
//! fresh Codex home in with a development test login, drives `berth app-server` through a local
//! and a remote install, a disable and enable, a mention turn against a loopback model and an
//! uninstall, runs both smokes and the recovery command, and prints every analytics event the
//! service received.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use berth_test_client::smoke::{self, SmokeOptions};
use berth_test_client::{AppServer, AppServerSpec, Outcome, ResponsesServer};
use serde_json::{Value, json};

use crate::printer;

const RPC_TIMEOUT: Duration = Duration::from_secs(60);
const LOCAL_PLUGIN: &str = "hello@berth-examples";
const REMOTE_MARKETPLACE: &str = "openai-curated-remote";

/// What the system half found; failures are counted, not fatal, so every step reports.
pub(super) struct SystemReport {
    pub(super) failures: usize,
    /// Steps run (app-server calls, the turn, the smokes).
    pub(super) steps: usize,
    pub(super) smokes_passed: usize,
    pub(super) smokes: usize,
    /// Analytics events the service stored.
    pub(super) events: usize,
    pub(super) service: ServiceFiles,
}

/// Where the quickstart's plugin service keeps its data, so a kept folder can run it again.
pub(super) struct ServiceFiles {
    pub(super) api_url: String,
    pub(super) bind: std::net::SocketAddr,
    pub(super) data_dir: PathBuf,
    pub(super) cert: PathBuf,
    pub(super) key: PathBuf,
    pub(super) ca_pem: PathBuf,
}

/// Runs the system half in `workdir` against the Codex home and marketplace of the first half;
/// `verbose` also prints the events each smoke validated.
pub(super) fn run(
    workdir: &Path,
    codex_home: &Path,
    market: &Path,
    verbose: bool,
) -> anyhow::Result<SystemReport> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("failed to start a runtime for the plugin service")?;
    let service_dir = workdir.join("service");
    let (server, remote_ids, ca, service) = start_service(&runtime, &service_dir, market)?;
    printer::line(format!(
        "berth serve: {} (SQLite under {}, https with a throw-away CA; published {})",
        server.api_url,
        service_dir.display(),
        remote_ids.join(", ")
    ))?;
    berth_auth::test_support::write_chatgpt_test_auth(codex_home)
        .context("failed to write the test login")?;
    set_service_url(codex_home, &server.api_url)?;
    printer::line(
        "Logged the home in with a development test login (accepted by `berth serve --dev` on loopback only).\n",
    )?;

    let mut failures = 0;
    let mut steps = 0;
    let mut step = |name: &str, result: anyhow::Result<String>| -> anyhow::Result<()> {
        steps += 1;
        match result {
            Ok(detail) => Ok(printer::line(format!("ok    {name}: {detail}"))?),
            Err(err) => {
                failures += 1;
                Ok(printer::line(format!("FAIL  {name}: {err:#}"))?)
            }
        }
    };
    let app_server = drive_app_server(codex_home, market, &ca.ca_pem, &mut step);
    if let Err(err) = app_server {
        step("app server session", Err(err))?;
    }

    printer::line(
        "\nSmokes (each starts its own app server; events through the loopback collector):",
    )?;
    let options = SmokeOptions {
        server_bin: std::env::current_exe().context("cannot locate the running berth binary")?,
        config_overrides: Vec::new(),
        codex_home: codex_home.to_path_buf(),
        capture_file: None,
        service_url: Some(server.api_url.clone()),
        ca_certificate: Some(ca.ca_pem.clone()),
        verbose,
    };
    let mut smokes_passed = 0;
    let notes = format!("notes@{REMOTE_MARKETPLACE}");
    for (name, outcome) in [
        (
            "plugin-analytics-smoke",
            smoke::analytics::run(&options, &notes),
        ),
        (
            "plugin-analytics-mutation-smoke",
            smoke::mutation::run(&options, &remote_ids[0], true),
        ),
        (
            "plugin-remote-uninstall",
            smoke::mutation::recover(&options, &remote_ids[1], true),
        ),
    ] {
        let passed = matches!(outcome, Outcome::Pass(_));
        smokes_passed += usize::from(passed);
        step(
            name,
            if passed {
                Ok(outcome.to_string())
            } else {
                Err(anyhow::anyhow!("{outcome}"))
            },
        )?;
    }

    let events = print_service_events(&runtime, &service)?;
    let files = ServiceFiles {
        api_url: server.api_url.clone(),
        bind: server.local_addr,
        data_dir: service.data_dir,
        cert: ca.tls.cert.clone(),
        key: ca.tls.key.clone(),
        ca_pem: ca.ca_pem.clone(),
    };
    runtime.block_on(server.shutdown())?;
    Ok(SystemReport {
        failures,
        steps,
        smokes_passed,
        smokes: 3,
        events,
        service: files,
    })
}

/// Starts `berth serve` in process (embedded `SQLite`, https with a throw-away CA, dev
/// tokens) with the example plugins `hello` and `notes` published; returns their backend ids.
fn start_service(
    runtime: &tokio::runtime::Runtime,
    service_dir: &Path,
    market: &Path,
) -> anyhow::Result<(
    berth_server::RunningServer,
    Vec<String>,
    berth_server::LoopbackCa,
    berth_server::ServerConfig,
)> {
    std::fs::create_dir_all(service_dir)
        .with_context(|| format!("failed to create `{}`", service_dir.display()))?;
    let ca = berth_server::write_loopback_ca(service_dir)?;
    let mut config = berth_server::ServerConfig::new(service_dir.join("data"));
    config.bind = ([127, 0, 0, 1], 0).into();
    config.tls = Some(ca.tls.clone());
    config.dev_mode = true;
    let (server, remote_ids) = runtime.block_on(async {
        let (db, bundles) = berth_server::open_storage(&config).await?;
        let mut ids = Vec::new();
        for name in ["hello", "notes"] {
            let published = berth_server::publish_plugin(
                &db,
                std::sync::Arc::clone(&bundles),
                &market.join("plugins").join(name),
                berth_server::PublishOptions::default(),
            )
            .await?;
            ids.push(published.item.id);
        }
        db.close().await;
        let server = berth_server::start(config.clone()).await?;
        anyhow::Ok((server, ids))
    })?;
    Ok((server, remote_ids, ca, config))
}

/// Prints every analytics event the service stored; returns how many.
fn print_service_events(
    runtime: &tokio::runtime::Runtime,
    service: &berth_server::ServerConfig,
) -> anyhow::Result<usize> {
    let events = runtime.block_on(async {
        let (db, _bundles) = berth_server::open_storage(service).await?;
        let events = db.events().await;
        db.close().await;
        anyhow::Ok(events?)
    })?;
    printer::line(format!(
        "\nAnalytics events the service received ({}):",
        events.len()
    ))?;
    for event in &events {
        let params = &event.event_params;
        printer::line(format!(
            "  {:<28} plugin_id={} remote_plugin_id={} client={}",
            event.event_type,
            params["plugin_id"].as_str().unwrap_or("-"),
            params["remote_plugin_id"].as_str().unwrap_or("null"),
            params["product_client_id"].as_str().unwrap_or("-"),
        ))?;
    }
    Ok(events.len())
}

fn set_service_url(codex_home: &Path, api_url: &str) -> anyhow::Result<()> {
    berth_config::ConfigStore::new(codex_home).edit(|config| {
        config.set_value(
            &["chatgpt_base_url"],
            &json!(api_url),
            berth_config::MergeStrategy::Replace,
        )?;
        config.set_value(
            &["features", "remote_plugin"],
            &json!(true),
            berth_config::MergeStrategy::Replace,
        )
    })?;
    Ok(())
}

type Step<'a> = dyn FnMut(&str, anyhow::Result<String>) -> anyhow::Result<()> + 'a;

/// One app-server session: local and remote installs, a toggle, a mention turn, an uninstall.
fn drive_app_server(
    codex_home: &Path,
    market: &Path,
    ca_pem: &Path,
    step: &mut Step<'_>,
) -> anyhow::Result<()> {
    let responses = ResponsesServer::start().context("failed to start the loopback model")?;
    let mut overrides = smoke::model_overrides(&responses.base_url());
    overrides.push("analytics.enabled=true".to_owned());
    let mut server = AppServer::start(&AppServerSpec {
        program: std::env::current_exe().context("cannot locate the running berth binary")?,
        config_overrides: overrides,
        env: vec![
            ("CODEX_HOME".into(), codex_home.as_os_str().to_owned()),
            ("CODEX_CA_CERTIFICATE".into(), ca_pem.as_os_str().to_owned()),
        ],
    })?;
    server.initialize("berth-quickstart", RPC_TIMEOUT)?;
    let marketplace_path: PathBuf = market.join(".agents/plugins/marketplace.json");
    let call = |server: &mut AppServer, method: &str, params: Value| {
        server.request(method, params, RPC_TIMEOUT)
    };
    let result = call(
        &mut server,
        "plugin/install",
        json!({"marketplacePath": marketplace_path, "pluginName": "hello"}),
    );
    step(
        "app-server plugin/install hello (local)",
        result.map(|value| value.to_string()).map_err(Into::into),
    )?;
    let result = call(
        &mut server,
        "plugin/install",
        json!({"remoteMarketplaceName": REMOTE_MARKETPLACE, "pluginName": "plugins~Plugin_notes"}),
    );
    let sidecar = codex_home
        .join("plugins/cache/openai-curated-remote/notes/.codex-remote-plugin-install.json");
    step(
        "app-server plugin/install plugins~Plugin_notes (remote)",
        result.map_err(Into::into).and_then(|_| {
            let text = std::fs::read_to_string(&sidecar)
                .with_context(|| format!("no sidecar at `{}`", sidecar.display()))?;
            Ok(format!(
                "bundle cached, sidecar {}",
                text.split_whitespace().collect::<String>()
            ))
        }),
    )?;
    for enabled in [false, true] {
        let result = call(
            &mut server,
            "config/value/write",
            json!({"keyPath": format!("plugins.{LOCAL_PLUGIN}.enabled"), "value": enabled, "mergeStrategy": "replace"}),
        );
        step(
            &format!("config/value/write {LOCAL_PLUGIN} enabled={enabled}"),
            result
                .map(|value| value["status"].to_string())
                .map_err(Into::into),
        )?;
    }
    let turn = mention_turn(&mut server);
    step(
        &format!("turn mentioning {LOCAL_PLUGIN}"),
        turn.map(|status| {
            let offered = responses
                .requests()
                .iter()
                .any(|request| request.to_string().contains("Greet the user"));
            format!("status {status}; the plugin's skill reached the model: {offered}")
        }),
    )?;
    let result = call(
        &mut server,
        "plugin/uninstall",
        json!({"pluginId": LOCAL_PLUGIN}),
    );
    step(
        &format!("app-server plugin/uninstall {LOCAL_PLUGIN}"),
        result.map(|_| "removed".to_owned()).map_err(Into::into),
    )?;
    server.shutdown(Duration::from_secs(10));
    Ok(())
}

fn mention_turn(server: &mut AppServer) -> anyhow::Result<String> {
    let thread = server.request(
        "thread/start",
        json!({"model": smoke::SMOKE_MODEL, "modelProvider": smoke::SMOKE_PROVIDER, "ephemeral": true}),
        RPC_TIMEOUT,
    )?;
    let thread_id = thread["thread"]["id"]
        .as_str()
        .context("thread/start returned no id")?
        .to_owned();
    let turn = server.request(
        "turn/start",
        json!({"threadId": thread_id, "input": [{"type": "mention", "name": "Hello", "path": format!("plugin://{LOCAL_PLUGIN}")}]}),
        RPC_TIMEOUT,
    )?;
    let turn_id = turn["turn"]["id"]
        .as_str()
        .context("turn/start returned no id")?
        .to_owned();
    let completed = server.wait_for_notification("turn/completed", RPC_TIMEOUT, |message| {
        message["method"] == "turn/completed" && message["params"]["turn"]["id"] == turn_id.as_str()
    })?;
    Ok(completed["params"]["turn"]["status"].to_string())
}
