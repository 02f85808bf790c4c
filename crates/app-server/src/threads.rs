//! `thread/start`, `turn/start` and `turn/interrupt`: in-memory threads, each with its
//! model settings, conversation history and at most one running turn.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use berth_app_server_protocol::{
    SandboxSummary, Thread, ThreadStartParams, ThreadStartResponse, ThreadStartedNotification,
    ThreadStatus, TokenUsageBreakdown, Turn, TurnInterruptParams, TurnInterruptResponse,
    TurnStartParams, TurnStartResponse, TurnStatus, notification_method,
};
use serde_json::{Value, json};
use tokio::sync::oneshot;

use crate::error_code::RpcError;
use crate::provider::OPENAI_PROVIDER_ID;
use crate::server::{Handled, Session};
use crate::time::unix_seconds;
use crate::{telemetry, turn};

/// Model used when neither the thread nor config.toml names one.
const DEFAULT_MODEL: &str = "gpt-5.1-codex";

/// Every thread of the connection.
#[derive(Debug, Default)]
pub(crate) struct Threads {
    inner: Mutex<HashMap<String, ThreadState>>,
}

/// One thread.
#[derive(Debug)]
pub(crate) struct ThreadState {
    pub(crate) thread: Thread,
    pub(crate) base_instructions: Option<String>,
    pub(crate) developer_instructions: Option<String>,
    /// Responses API input items of finished turns.
    pub(crate) history: Vec<Value>,
    pub(crate) total_usage: TokenUsageBreakdown,
    pub(crate) turn_count: u64,
    running: Option<(String, oneshot::Sender<()>)>,
}

impl Threads {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, ThreadState>> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `apply` on a thread, if it exists.
    pub(crate) fn with<T>(
        &self,
        thread_id: &str,
        apply: impl FnOnce(&mut ThreadState) -> T,
    ) -> Option<T> {
        self.lock().get_mut(thread_id).map(apply)
    }

    /// Marks the running turn of a thread finished.
    pub(crate) fn finish_turn(&self, thread_id: &str, turn_id: &str) {
        self.with(thread_id, |state| {
            if state.running.as_ref().is_some_and(|(id, _)| id == turn_id) {
                state.running = None;
            }
        });
    }

    /// Interrupts every running turn (EOF).
    pub(crate) fn interrupt_all(&self) {
        for state in self.lock().values_mut() {
            if let Some((_, stop)) = state.running.take() {
                let _ = stop.send(());
            }
        }
    }
}

fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// A new idle thread with a fresh UUID v7 id.
fn new_thread(
    model: String,
    model_provider: String,
    cwd: String,
    originator: String,
    ephemeral: bool,
) -> Thread {
    let id = new_id();
    let now = unix_seconds();
    Thread {
        id: id.clone(),
        environments: vec![json!({
            "environmentId": "local",
            "cwd": cwd,
            "runtimeWorkspaceRoots": [cwd],
        })],
        extra: None,
        session_id: id,
        forked_from_id: None,
        attached_to_thread_id: None,
        parent_thread_id: None,
        preview: String::new(),
        ephemeral,
        section: None,
        section_entered_at: None,
        project_id: None,
        history_mode: "paginated".to_owned(),
        model_provider,
        model,
        reasoning_effort: None,
        created_at: now,
        updated_at: now,
        recency_at: now,
        status: ThreadStatus::Idle,
        path: None,
        cwd,
        cli_version: env!("CARGO_PKG_VERSION").to_owned(),
        originator,
        source: "vscode".to_owned(),
        can_accept_direct_input: true,
        thread_source: None,
        agent_nickname: None,
        agent_role: None,
        git_info: None,
        name: None,
        daybreak_enabled: None,
        turns: Vec::new(),
    }
}

/// `thread/start`.
pub(crate) fn start(
    session: &Arc<Session>,
    params: ThreadStartParams,
) -> Result<Handled, RpcError> {
    let config = session.effective_config()?;
    let text = |key: &str| {
        config
            .get(&[key][..])
            .and_then(|v| v.as_str().map(str::to_owned))
    };
    let model = params
        .model
        .or_else(|| text("model"))
        .unwrap_or_else(|| DEFAULT_MODEL.to_owned());
    let model_provider = params
        .model_provider
        .or_else(|| text("model_provider"))
        .unwrap_or_else(|| OPENAI_PROVIDER_ID.to_owned());
    let cwd = params
        .cwd
        .unwrap_or_else(|| session.options.cwd.to_string_lossy().into_owned());
    let originator = session
        .identity()
        .map(|client| client.name.clone())
        .unwrap_or_default();
    let thread = new_thread(
        model.clone(),
        model_provider.clone(),
        cwd.clone(),
        originator,
        params.ephemeral.unwrap_or(false),
    );
    let id = thread.id.clone();
    session.threads.lock().insert(
        id,
        ThreadState {
            thread: thread.clone(),
            base_instructions: params.base_instructions,
            developer_instructions: params.developer_instructions,
            history: Vec::new(),
            total_usage: TokenUsageBreakdown::default(),
            turn_count: 0,
            running: None,
        },
    );
    telemetry::thread_initialized(session, &thread);
    let response = ThreadStartResponse {
        thread: thread.clone(),
        model,
        model_provider,
        service_tier: None,
        disabled_plugin_ids: Vec::new(),
        cwd: cwd.clone(),
        runtime_workspace_roots: vec![cwd],
        instruction_sources: Vec::new(),
        approval_policy: "on-request".to_owned(),
        approvals_reviewer: "user".to_owned(),
        sandbox: SandboxSummary {
            kind: "readOnly".to_owned(),
            network_access: false,
        },
        active_permission_profile: Some(json!({"id": ":read-only", "extends": null})),
        reasoning_effort: None,
        multi_agent_mode: "explicitRequestOnly".to_owned(),
    };
    let mut handled = Handled::value(&response)?;
    let outgoing = session.outgoing.clone();
    handled.then = Some(Box::new(move |_ingress| {
        Box::pin(async move {
            outgoing.notify(
                notification_method::THREAD_STARTED,
                &ThreadStartedNotification { thread },
            );
        })
    }));
    Ok(handled)
}

/// A new turn, `inProgress`.
pub(crate) fn in_progress_turn(id: &str) -> Turn {
    Turn {
        id: id.to_owned(),
        root_turn_id: id.to_owned(),
        items: Vec::new(),
        items_view: "notLoaded".to_owned(),
        status: TurnStatus::InProgress,
        error: None,
        started_at: None,
        completed_at: None,
        duration_ms: None,
    }
}

/// `turn/start`.
pub(crate) fn start_turn(
    session: &Arc<Session>,
    params: TurnStartParams,
) -> Result<Handled, RpcError> {
    let turn_id = new_id();
    let (stop, stopped) = oneshot::channel();
    let registered = session.threads.with(&params.thread_id, |state| {
        if let Some((running, _)) = &state.running {
            return Err(RpcError::invalid_request(format!(
                "thread `{}` is already running turn `{running}`; wait for turn/completed or send turn/interrupt",
                params.thread_id
            )));
        }
        state.running = Some((turn_id.clone(), stop));
        if let Some(model) = &params.model {
            state.thread.model.clone_from(model);
        }
        Ok(())
    });
    match registered {
        None => {
            return Err(RpcError::invalid_request(format!(
                "thread not found: {}",
                params.thread_id
            )));
        }
        Some(result) => result?,
    }
    let mut handled = Handled::value(&TurnStartResponse {
        turn: in_progress_turn(&turn_id),
    })?;
    let session = Arc::clone(session);
    handled.then = Some(Box::new(move |ingress| {
        Box::pin(async move {
            turn::run(session, params, turn_id, stopped, ingress).await;
        })
    }));
    Ok(handled)
}

/// `turn/interrupt`.
pub(crate) fn interrupt(
    session: &Arc<Session>,
    params: &TurnInterruptParams,
) -> Result<Handled, RpcError> {
    let stop = session
        .threads
        .with(&params.thread_id, |state| match &state.running {
            Some((running, _)) if *running == params.turn_id => state.running.take(),
            _ => None,
        })
        .ok_or_else(|| {
            RpcError::invalid_request(format!("thread not found: {}", params.thread_id))
        })?
        .ok_or_else(|| {
            RpcError::invalid_request(format!(
                "turn `{}` is not running on thread `{}`",
                params.turn_id, params.thread_id
            ))
        })?;
    let _ = stop.1.send(());
    Handled::value(&TurnInterruptResponse {})
}
