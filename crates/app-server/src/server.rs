//! The connection loop: reads newline-delimited JSON-RPC messages (each at most
//! [`DEFAULT_MAX_MESSAGE_BYTES`]; a longer or unparseable line is answered `-32700` with a
//! null id), answers `initialize` in order, runs every other request on its own task (so a
//! slow install never blocks `plugin/list`), and on EOF waits a bounded time for running
//! requests, flushes analytics and stops.

use std::collections::HashSet;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use berth_analytics::{
    AnalyticsClient, AnalyticsHandle, AnalyticsSettings, capture_file_from_value,
    is_do_not_track_value,
};
use berth_app_server_protocol::{
    InitializeParams, InitializeResponse, JsonRpcMessage, JsonRpcRequest,
};
use berth_core::{ManagerOptions, PluginsManager};
use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_json::value::RawValue;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{Mutex, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;

use crate::error_code::RpcError;
use crate::line_reader::{Line, LineReader};
use crate::outgoing::{Outgoing, write_lines};
use crate::settings::{ConfigOverride, ServerOptions, parse_overrides};
use crate::threads::Threads;
use crate::{config_write, plugins, threads};

/// How long EOF waits for analytics to flush.
const ANALYTICS_SHUTDOWN_DEADLINE: Duration = Duration::from_secs(5);

pub use crate::env_vars::{
    EOF_WAIT_SECONDS_ENV_VAR, MAX_IN_FLIGHT_ENV_VAR, MAX_MESSAGE_BYTES_ENV_VAR,
};

/// The largest message read unless [`MAX_MESSAGE_BYTES_ENV_VAR`] says otherwise: 16 MiB.
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;

/// How long end of input waits for running requests unless [`EOF_WAIT_SECONDS_ENV_VAR`] says
/// otherwise; requests still running then are abandoned and the server exits.
pub const DEFAULT_EOF_WAIT: Duration = Duration::from_secs(10);

/// How many requests are handled at once unless [`MAX_IN_FLIGHT_ENV_VAR`] says otherwise.
/// A request counts from its arrival until its answer and, for `turn/start`, until the turn
/// ends; requests beyond the limit are answered `-32001` at once.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 512;

/// The ingress limit named by `value` (of [`MAX_IN_FLIGHT_ENV_VAR`]); absent, zero or not a
/// number means the default.
pub(crate) fn max_in_flight(value: Option<&str>) -> usize {
    match value.map(|text| text.trim().parse::<usize>()) {
        None => DEFAULT_MAX_IN_FLIGHT,
        Some(Ok(limit)) if limit > 0 => limit,
        Some(_) => {
            tracing::warn!(
                "{MAX_IN_FLIGHT_ENV_VAR} must be a positive integer; using {DEFAULT_MAX_IN_FLIGHT}"
            );
            DEFAULT_MAX_IN_FLIGHT
        }
    }
}

/// A positive integer from `value` (of env var `name`), else `default` (an unusable value is
/// logged).
fn positive_from_env(name: &str, value: Option<&str>, default: u64) -> u64 {
    match value.map(|text| text.trim().parse::<u64>()) {
        None => default,
        Some(Ok(parsed)) if parsed > 0 => parsed,
        Some(_) => {
            tracing::warn!("{name} must be a positive integer; using {default}");
            default
        }
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// A `-c` override is malformed.
    #[error(transparent)]
    Override(#[from] crate::settings::OverrideError),
    /// The plugins manager could not open the Codex home.
    #[error("failed to open the Codex home")]
    Manager(#[source] berth_core::ManagerError),
    /// Reading stdin failed.
    #[error("failed to read the next message from stdin")]
    Read(#[source] std::io::Error),
}

/// Who the client is, set once by `initialize`.
#[derive(Debug, Clone)]
pub(crate) struct ClientIdentity {
    pub(crate) name: String,
    pub(crate) version: String,
    pub(crate) user_agent: String,
    pub(crate) experimental_api: bool,
}

/// State shared by every request of the connection.
pub(crate) struct Session {
    pub(crate) options: ServerOptions,
    pub(crate) overrides: Vec<ConfigOverride>,
    pub(crate) manager: Arc<PluginsManager>,
    /// The user config layer: `$CODEX_HOME/config.toml`, or in debug builds the file
    /// [`crate::settings::TEST_USER_CONFIG_FILE_ENV_VAR`] names.
    pub(crate) user_config: berth_config::ConfigStore,
    pub(crate) outgoing: Outgoing,
    pub(crate) client: OnceLock<ClientIdentity>,
    pub(crate) analytics: OnceLock<AnalyticsClient>,
    analytics_handle: std::sync::Mutex<Option<AnalyticsHandle>>,
    /// Serialises methods that change config or the cache (Codex's "config" scope).
    pub(crate) config_scope: Mutex<()>,
    pub(crate) threads: Threads,
    pub(crate) http: reqwest::Client,
    /// The plugin service's installed list (`GET /ps/plugins/installed`), kept for
    /// [`crate::ttl_cache::INSTALLED_TTL`] and dropped by this server's remote installs and
    /// uninstalls.
    pub(crate) remote_installed:
        crate::ttl_cache::TtlCache<Vec<berth_service_protocol::InstalledItem>>,
}

impl Session {
    pub(crate) fn env(&self, name: &str) -> Option<String> {
        (self.options.env)(name)
    }

    /// The user config layer with the `-c` overrides applied, in memory.
    pub(crate) fn effective_config(
        &self,
    ) -> Result<berth_config::ConfigFile, berth_config::ConfigError> {
        crate::settings::effective_config(&self.user_config, &self.overrides)
    }

    pub(crate) fn analytics(&self) -> AnalyticsClient {
        self.analytics
            .get()
            .cloned()
            .unwrap_or_else(AnalyticsClient::disabled)
    }

    pub(crate) fn identity(&self) -> Option<&ClientIdentity> {
        self.client.get()
    }
}

/// Runs the server on stdin/stdout until stdin closes.
pub async fn run_stdio(options: ServerOptions) -> Result<(), ServerError> {
    run(options, tokio::io::stdin(), tokio::io::stdout()).await
}

/// Runs the server over any byte streams until `input` ends.
pub async fn run(
    options: ServerOptions,
    input: impl AsyncRead + Unpin,
    output: impl AsyncWrite + Unpin + Send + 'static,
) -> Result<(), ServerError> {
    let overrides = parse_overrides(&options.config_overrides)?;
    let manager = PluginsManager::new(ManagerOptions {
        codex_home: options.codex_home.clone(),
        home_dir: options.home_dir.clone(),
    })
    .map_err(ServerError::Manager)?;
    let user_config = crate::settings::user_config_store(
        manager.config(),
        (options.env)(crate::settings::TEST_USER_CONFIG_FILE_ENV_VAR),
    );
    let manager = manager.with_user_config(user_config.clone());
    let (outgoing, receiver) = Outgoing::new();
    let writer = tokio::spawn(write_lines(receiver, output));
    let session = Arc::new(Session {
        options,
        overrides,
        manager: Arc::new(manager),
        user_config,
        outgoing,
        client: OnceLock::new(),
        analytics: OnceLock::new(),
        analytics_handle: std::sync::Mutex::new(None),
        config_scope: Mutex::new(()),
        threads: Threads::default(),
        // No idle pooling: a stream the provider broke must not leave a dead connection for
        // the retry to pick up, and model requests are long enough that reuse saves nothing.
        http: reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .build()
            .unwrap_or_default(),
        remote_installed: crate::ttl_cache::TtlCache::new(crate::ttl_cache::INSTALLED_TTL),
    });
    // The capture file's appearance is the readiness signal tools wait for before
    // `initialize`, so it is created now; the client that writes it starts at `initialize`.
    berth_analytics::initialize_capture_file(
        session
            .env(berth_analytics::ANALYTICS_EVENTS_CAPTURE_FILE_ENV_VAR)
            .map(Into::into),
    );
    let limits = ReadLimits {
        max_in_flight: max_in_flight(session.env(MAX_IN_FLIGHT_ENV_VAR).as_deref()),
        max_message_bytes: usize::try_from(positive_from_env(
            MAX_MESSAGE_BYTES_ENV_VAR,
            session.env(MAX_MESSAGE_BYTES_ENV_VAR).as_deref(),
            DEFAULT_MAX_MESSAGE_BYTES as u64,
        ))
        .unwrap_or(DEFAULT_MAX_MESSAGE_BYTES),
        eof_wait: Duration::from_secs(positive_from_env(
            EOF_WAIT_SECONDS_ENV_VAR,
            session.env(EOF_WAIT_SECONDS_ENV_VAR).as_deref(),
            DEFAULT_EOF_WAIT.as_secs(),
        )),
    };
    let result = read_loop(&session, input, limits).await;
    let eof_wait = limits.eof_wait;
    session.threads.interrupt_all();
    let handle = session
        .analytics_handle
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .take();
    if let Some(handle) = handle {
        handle.shutdown(ANALYTICS_SHUTDOWN_DEADLINE).await;
    }
    // The writer ends once the last handle is gone: ours, and those of finished tasks. A
    // background task still waiting on the network (the installed-list refresh against a
    // silent service) holds one, so this wait is bounded too; everything queued is written.
    drop(session);
    if tokio::time::timeout(eof_wait, writer).await.is_err() {
        tracing::warn!("end of input: stopped waiting for background tasks after {eof_wait:?}");
    }
    result
}

/// The bounds of one connection's read loop.
#[derive(Debug, Clone, Copy)]
struct ReadLimits {
    max_in_flight: usize,
    max_message_bytes: usize,
    eof_wait: Duration,
}

async fn read_loop(
    session: &Arc<Session>,
    input: impl AsyncRead + Unpin,
    limits: ReadLimits,
) -> Result<(), ServerError> {
    let max_in_flight = limits.max_in_flight;
    let in_flight = Arc::new(Semaphore::new(max_in_flight));
    let mut reader = LineReader::new(input, limits.max_message_bytes);
    let mut tasks = JoinSet::new();
    loop {
        let line = reader.next_line().await.map_err(ServerError::Read)?;
        while let Some(done) = tasks.try_join_next() {
            if let Err(err) = done {
                tracing::error!("a request task failed: {err}");
            }
        }
        let text = match line {
            Line::End => break,
            Line::TooLong => {
                tracing::warn!(
                    max = limits.max_message_bytes,
                    "discarded a message over the size limit"
                );
                session.outgoing.fail_unidentified(RpcError::parse_error(format!(
                    "message larger than {} bytes (set {MAX_MESSAGE_BYTES_ENV_VAR} to raise it); the rest of the line was discarded",
                    limits.max_message_bytes
                )));
                continue;
            }
            Line::Message(bytes) => bytes.trim_ascii(),
        };
        if text.is_empty() {
            continue;
        }
        let message: JsonRpcMessage = match serde_json::from_slice(text) {
            Ok(message) => message,
            Err(err) => {
                tracing::warn!(
                    bytes = text.len(),
                    "Failed to deserialize JSONRPCMessage: {err}"
                );
                // JSON that is not a message is skipped, as Codex does; bytes that are not
                // JSON at all get JSON-RPC's parse error, since no id can be echoed.
                if err.classify() != serde_json::error::Category::Data {
                    session
                        .outgoing
                        .fail_unidentified(RpcError::parse_error(err.to_string()));
                }
                continue;
            }
        };
        match message {
            JsonRpcMessage::Request(request) if request.method == "initialize" => {
                initialize(session, &request);
            }
            JsonRpcMessage::Request(request) => {
                let Ok(permit) = Arc::clone(&in_flight).try_acquire_owned() else {
                    tracing::warn!(
                        method = request.method,
                        max_in_flight,
                        "rejecting a request: too many in flight"
                    );
                    session.outgoing.fail(request.id, RpcError::overloaded());
                    continue;
                };
                let session = Arc::clone(session);
                tasks.spawn(async move { handle_request(session, request, permit).await });
            }
            JsonRpcMessage::Notification(notification) => {
                tracing::debug!(method = notification.method, "client notification");
            }
            JsonRpcMessage::Response(_) | JsonRpcMessage::Error(_) => {
                tracing::debug!("ignoring a response: berth sends no server requests");
            }
        }
    }
    let drained = tokio::time::timeout(limits.eof_wait, async {
        while let Some(done) = tasks.join_next().await {
            if let Err(err) = done {
                tracing::error!("a request task failed: {err}");
            }
        }
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            running = tasks.len(),
            "end of input: abandoning requests still running after {:?} (set {EOF_WAIT_SECONDS_ENV_VAR} to wait longer)",
            limits.eof_wait
        );
        tasks.abort_all();
    }
    Ok(())
}

fn initialize(session: &Arc<Session>, request: &JsonRpcRequest) {
    let id = request.id.clone();
    match do_initialize(session, request) {
        Ok(result) => session.outgoing.respond(id, result),
        Err(err) => session.outgoing.fail(id, err),
    }
}

fn do_initialize(session: &Arc<Session>, request: &JsonRpcRequest) -> Result<Value, RpcError> {
    if session.client.get().is_some() {
        return Err(RpcError::invalid_request("Already initialized"));
    }
    let params: InitializeParams = parse_params(request)?;
    let name = params.client_info.name;
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b == b'\t' || (0x20..0x7f).contains(&b))
    {
        return Err(RpcError::invalid_request(format!(
            "Invalid clientInfo.name: '{name}'. Must be a valid HTTP header value."
        )));
    }
    let capabilities = params.capabilities.unwrap_or_default();
    let user_agent = format!(
        "{} ({name}; {})",
        berth_analytics::user_agent(&name, env!("CARGO_PKG_VERSION")),
        params.client_info.version
    );
    let identity = ClientIdentity {
        name: name.clone(),
        version: params.client_info.version,
        user_agent: user_agent.clone(),
        experimental_api: capabilities.experimental_api,
    };
    if session.client.set(identity).is_err() {
        return Err(RpcError::invalid_request("Already initialized"));
    }
    session.outgoing.set_opted_out(
        capabilities
            .opt_out_notification_methods
            .unwrap_or_default()
            .into_iter()
            .collect::<HashSet<_>>(),
    );
    start_analytics(session, &name, &user_agent);
    // Like Codex's startup tasks: learn which remote plugins are installed, in the background,
    // so turns can use them; without a ChatGPT login this does nothing.
    let background = Arc::clone(session);
    tokio::spawn(async move {
        if let Err(err) = crate::remote::refresh_installed(&background).await {
            tracing::warn!(
                "failed to refresh remote installed plugins: {}",
                err.message
            );
        }
    });
    Ok(serde_json::to_value(InitializeResponse {
        user_agent,
        codex_home: session.options.codex_home.to_string_lossy().into_owned(),
        platform_family: if cfg!(windows) { "windows" } else { "unix" }.to_owned(),
        platform_os: std::env::consts::OS.to_owned(),
    })
    .unwrap_or(Value::Null))
}

fn start_analytics(session: &Arc<Session>, originator: &str, user_agent: &str) {
    let config = session.effective_config();
    let mut settings = AnalyticsSettings::new(&session.options.codex_home, originator, user_agent);
    if let Ok(config) = &config {
        settings.enabled = config.analytics_enabled();
        if let Some(base_url) = config.chatgpt_base_url() {
            settings.base_url = base_url;
        }
    }
    settings.do_not_track = session
        .env(berth_analytics::DO_NOT_TRACK_ENV_VAR)
        .is_some_and(|value| is_do_not_track_value(value.as_ref()));
    settings.capture_file = capture_file_from_value(
        session
            .env(berth_analytics::ANALYTICS_EVENTS_CAPTURE_FILE_ENV_VAR)
            .map(Into::into),
    );
    let (client, handle) = AnalyticsClient::start(&settings);
    session.manager.set_event_sink(Arc::new(client.clone()));
    let _ = session.analytics.set(client);
    *session
        .analytics_handle
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(handle);
}

/// Answers `request`; `permit` is its ingress slot, held until the answer and any work it
/// starts (a turn) are done.
async fn handle_request(
    session: Arc<Session>,
    request: JsonRpcRequest,
    permit: OwnedSemaphorePermit,
) {
    let id = request.id.clone();
    if session.client.get().is_none() {
        session
            .outgoing
            .fail(id, RpcError::invalid_request("Not initialized"));
        return;
    }
    match dispatch(&session, request).await {
        Ok(Handled { result, then }) => {
            session.outgoing.respond_raw(&id, &result);
            if let Some(then) = then {
                tokio::spawn(then(permit));
            }
        }
        Err(err) => session.outgoing.fail(id, err),
    }
}

/// Work to start once a request's answer is queued (e.g. a turn's stream). It gets the
/// request's ingress slot and holds it until the work is done (or the work says otherwise).
pub(crate) type Then = Box<
    dyn FnOnce(OwnedSemaphorePermit) -> std::pin::Pin<Box<dyn Future<Output = ()> + Send>> + Send,
>;

/// A method's result, already serialized (large listings are written once, not built as a
/// `Value` first), and work to start once the answer is queued.
pub(crate) struct Handled {
    pub(crate) result: Box<RawValue>,
    pub(crate) then: Option<Then>,
}

impl Handled {
    pub(crate) fn value(result: &impl serde::Serialize) -> Result<Self, RpcError> {
        let result = serde_json::value::to_raw_value(result)
            .map_err(|err| RpcError::internal(format!("failed to serialize the result: {err}")))?;
        Ok(Self { result, then: None })
    }
}

async fn dispatch(session: &Arc<Session>, request: JsonRpcRequest) -> Result<Handled, RpcError> {
    let method = request.method.as_str();
    match method {
        "plugin/list" => plugins::list(session, parse_params(&request)?).await,
        "plugin/installed" => plugins::installed(session, parse_params(&request)?).await,
        "plugin/read" => plugins::read(session, parse_params(&request)?).await,
        "plugin/install" => plugins::install(session, parse_params(&request)?).await,
        "plugin/uninstall" => plugins::uninstall(session, parse_params(&request)?).await,
        "config/value/write" => config_write::value_write(session, parse_params(&request)?).await,
        "config/batchWrite" => config_write::batch_write(session, parse_params(&request)?).await,
        "thread/start" => threads::start(session, parse_params(&request)?),
        "turn/start" => threads::start_turn(session, parse_params(&request)?),
        "turn/interrupt" => threads::interrupt(session, &parse_params(&request)?),
        _ => Err(RpcError::method_not_found(method)),
    }
}

/// Decodes `params` (absent means `{}`) into the method's type; failures are -32602.
pub(crate) fn parse_params<T: DeserializeOwned>(request: &JsonRpcRequest) -> Result<T, RpcError> {
    let params = request
        .params
        .clone()
        .unwrap_or_else(|| Value::Object(serde_json::Map::new()));
    serde_json::from_value(params).map_err(|err| RpcError::invalid_params(&request.method, &err))
}

#[cfg(test)]
#[path = "server_tests.rs"]
mod tests;
