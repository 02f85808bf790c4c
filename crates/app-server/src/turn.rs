//! Running one turn: announce it, resolve plugin mentions (analytics and skill
//! instructions), stream the model's answer from the provider, and finish with
//! `turn/completed` as completed, failed or interrupted.

use std::sync::Arc;
use std::time::Instant;

use berth_app_server_protocol::{
    AgentMessageDeltaNotification, CodexErrorInfo, ErrorNotification, ItemCompletedNotification,
    ItemStartedNotification, ThreadItem, ThreadStatus, ThreadTokenUsage,
    ThreadTokenUsageUpdatedNotification, Turn, TurnCompletedNotification, TurnError,
    TurnStartParams, TurnStartedNotification, TurnStatus, notification_method as method,
};
use berth_auth::CodexAuth;
use berth_core::LoadedPlugin;
use berth_plugin::PluginUsedContext;
use serde_json::{Value, json};
use tokio::sync::{OwnedSemaphorePermit, oneshot};

use crate::mentions::mentioned_plugins;
use crate::plugins::blocking;
use crate::provider::{self, Provider};
use crate::responses::{self, Completed, ModelRequest, RequestFailure, StreamEvent};
use crate::server::Session;
use crate::threads::in_progress_turn;
use crate::time::{unix_millis, unix_seconds};
use crate::{prompt, telemetry};

/// Context window Codex assumes for models without metadata; 95% of it is reported.
const FALLBACK_CONTEXT_WINDOW: i64 = 272_000;

/// How a turn ended.
pub(crate) enum Outcome {
    Completed(Completed),
    Failed(RequestFailure),
    Interrupted,
}

/// What the turn needs from its thread.
struct ThreadSnapshot {
    model: String,
    provider_id: String,
    base_instructions: Option<String>,
    developer_instructions: Option<String>,
    history: Vec<Value>,
    is_first_turn: bool,
    ephemeral: bool,
}

/// Runs the turn to its end; every path ends with `turn/completed`. `ingress` is the
/// `turn/start` request's slot: released just before `turn/completed`, so a client that saw
/// the turn end finds the slot free.
pub(crate) async fn run(
    session: Arc<Session>,
    params: TurnStartParams,
    turn_id: String,
    stopped: oneshot::Receiver<()>,
    ingress: OwnedSemaphorePermit,
) {
    let thread_id = params.thread_id.clone();
    let started = Instant::now();
    let started_at = unix_seconds();
    let Some(snapshot) = session.threads.with(&thread_id, |state| {
        state.turn_count += 1;
        ThreadSnapshot {
            model: state.thread.model.clone(),
            provider_id: state.thread.model_provider.clone(),
            base_instructions: state.base_instructions.clone(),
            developer_instructions: state.developer_instructions.clone(),
            history: state.history.clone(),
            is_first_turn: state.turn_count == 1,
            ephemeral: state.thread.ephemeral,
        }
    }) else {
        return;
    };
    let outgoing = &session.outgoing;
    let mut turn = in_progress_turn(&turn_id);
    turn.started_at = Some(started_at);
    announce(&session, &thread_id, &turn, &params);
    let (loaded, mentioned) =
        plugins_for_turn(&session, &params, &thread_id, &turn_id, &snapshot.model).await;

    let mut agent_items = Vec::new();
    let user_message = prompt::user_message(&params.input);
    let outcome = tokio::select! {
        outcome = request(&session, &snapshot, &thread_id, &turn_id, &mentioned, user_message.clone(), &mut agent_items) => outcome,
        _ = stopped => Outcome::Interrupted,
    };

    let (status, error) = match &outcome {
        Outcome::Completed(completed) => {
            record_completion(
                &session,
                &thread_id,
                &turn_id,
                completed,
                user_message,
                &agent_items,
            );
            (TurnStatus::Completed, None)
        }
        Outcome::Failed(failure) => (
            TurnStatus::Failed,
            Some(report_failure(&session, &thread_id, &turn_id, failure)),
        ),
        Outcome::Interrupted => (TurnStatus::Interrupted, None),
    };
    session.threads.finish_turn(&thread_id, &turn_id);
    outgoing.notify(
        method::THREAD_STATUS_CHANGED,
        &json!({"threadId": thread_id, "status": ThreadStatus::Idle}),
    );
    let duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    if agent_items.is_empty() {
        "notLoaded"
    } else {
        "summary"
    }
    .clone_into(&mut turn.items_view);
    turn.items = agent_items;
    turn.status = status;
    turn.error = error;
    turn.completed_at = Some(unix_seconds());
    turn.duration_ms = Some(duration_ms);
    telemetry::turn_event(
        &session,
        &telemetry::TurnFacts {
            thread_id: &thread_id,
            turn_id: &turn_id,
            model: &snapshot.model,
            model_provider: &snapshot.provider_id,
            ephemeral: snapshot.ephemeral,
            is_first_turn: snapshot.is_first_turn,
            active_plugin_ids: loaded.iter().map(|plugin| plugin.id.as_key()).collect(),
            outcome: &outcome,
            turn: &turn,
        },
    );
    drop(ingress);
    outgoing.notify(
        method::TURN_COMPLETED,
        &TurnCompletedNotification {
            thread_id: thread_id.clone(),
            turn,
        },
    );
}

/// Sends `item/started` and `item/completed`; returns the completed item.
/// `thread/status/changed` (active), `turn/started` and the user's message item.
fn announce(session: &Session, thread_id: &str, turn: &Turn, params: &TurnStartParams) {
    session.outgoing.notify(
        method::THREAD_STATUS_CHANGED,
        &json!({"threadId": thread_id, "status": ThreadStatus::Active { active_flags: Vec::new() }}),
    );
    session.outgoing.notify(
        method::TURN_STARTED,
        &TurnStartedNotification {
            thread_id: thread_id.to_owned(),
            turn: turn.clone(),
        },
    );
    let user_item = ThreadItem::UserMessage {
        id: uuid::Uuid::now_v7().to_string(),
        client_id: params.client_user_message_id.clone(),
        content: params.input.clone(),
        started_at_ms: Some(unix_millis()),
        completed_at_ms: None,
    };
    notify_item(session, thread_id, &turn.id, user_item);
}

/// The loaded plugins and those the input mentions; reports `codex_plugin_used` for each
/// mentioned one.
async fn plugins_for_turn(
    session: &Arc<Session>,
    params: &TurnStartParams,
    thread_id: &str,
    turn_id: &str,
    model: &str,
) -> (Vec<LoadedPlugin>, Vec<LoadedPlugin>) {
    let loaded = blocking(session, |manager| Ok(manager.loaded_plugins()?))
        .await
        .unwrap_or_else(|err| {
            tracing::warn!("no plugins for this turn: {}", err.message);
            Vec::new()
        });
    let mentioned: Vec<LoadedPlugin> = mentioned_plugins(&params.input, &loaded)
        .into_iter()
        .cloned()
        .collect();
    for plugin in &mentioned {
        session.manager.report_plugin_used(
            &plugin.summary,
            PluginUsedContext {
                thread_id: thread_id.to_owned(),
                turn_id: turn_id.to_owned(),
                model_slug: model.to_owned(),
            },
        );
    }
    (loaded, mentioned)
}

/// Adds the turn to the thread's history and sends `thread/tokenUsage/updated`.
fn record_completion(
    session: &Session,
    thread_id: &str,
    turn_id: &str,
    completed: &Completed,
    user_message: Value,
    agent_items: &[ThreadItem],
) {
    let total = session
        .threads
        .with(thread_id, |state| {
            state.total_usage = state.total_usage.plus(completed.usage);
            state.history.push(user_message);
            for item in agent_items {
                if let ThreadItem::AgentMessage { text, .. } = item {
                    state.history.push(prompt::assistant_message(text));
                }
            }
            state.total_usage
        })
        .unwrap_or(completed.usage);
    session.outgoing.notify(
        method::THREAD_TOKEN_USAGE_UPDATED,
        &ThreadTokenUsageUpdatedNotification {
            thread_id: thread_id.to_owned(),
            turn_id: turn_id.to_owned(),
            token_usage: ThreadTokenUsage {
                total,
                last: completed.usage,
                model_context_window: Some(FALLBACK_CONTEXT_WINDOW * 95 / 100),
            },
        },
    );
}

/// Sends the `error` notification of a failed turn; returns the turn's error.
fn report_failure(
    session: &Session,
    thread_id: &str,
    turn_id: &str,
    failure: &RequestFailure,
) -> TurnError {
    let error = TurnError {
        message: failure.message.clone(),
        codex_error_info: Some(failure.info.clone()),
        additional_details: None,
        misalignment: None,
    };
    session.outgoing.notify(
        method::ERROR,
        &ErrorNotification {
            error: error.clone(),
            will_retry: false,
            thread_id: thread_id.to_owned(),
            turn_id: turn_id.to_owned(),
        },
    );
    error
}

fn notify_item(session: &Session, thread_id: &str, turn_id: &str, item: ThreadItem) -> ThreadItem {
    notify_started(session, thread_id, turn_id, &item);
    notify_completed(session, thread_id, turn_id, item)
}

fn notify_started(session: &Session, thread_id: &str, turn_id: &str, item: &ThreadItem) {
    session.outgoing.notify(
        method::ITEM_STARTED,
        &ItemStartedNotification {
            item: item.clone(),
            thread_id: thread_id.to_owned(),
            turn_id: turn_id.to_owned(),
            started_at_ms: unix_millis(),
        },
    );
}

/// Sends `item/completed`; returns the completed item.
fn notify_completed(
    session: &Session,
    thread_id: &str,
    turn_id: &str,
    item: ThreadItem,
) -> ThreadItem {
    let now = unix_millis();
    let completed = match item {
        ThreadItem::UserMessage {
            id,
            client_id,
            content,
            started_at_ms,
            ..
        } => ThreadItem::UserMessage {
            id,
            client_id,
            content,
            started_at_ms,
            completed_at_ms: Some(now),
        },
        ThreadItem::AgentMessage {
            moderation,
            id,
            text,
            phase,
            memory_citation,
            delivery,
            questions,
            started_at_ms,
            ..
        } => ThreadItem::AgentMessage {
            moderation,
            id,
            text,
            phase,
            memory_citation,
            delivery,
            questions,
            started_at_ms,
            completed_at_ms: Some(now),
        },
    };
    session.outgoing.notify(
        method::ITEM_COMPLETED,
        &ItemCompletedNotification {
            item: completed.clone(),
            thread_id: thread_id.to_owned(),
            turn_id: turn_id.to_owned(),
            content_token_count: None,
            completed_at_ms: now,
        },
    );
    completed
}

/// Turns the provider's stream into item notifications: an assistant message is started when
/// it is added (or at its first delta), streams `item/agentMessage/delta`, and completes when
/// done.
struct AgentStream<'a> {
    session: &'a Session,
    thread_id: &'a str,
    turn_id: &'a str,
    /// Ids of the messages already announced with `item/started`.
    started: Vec<String>,
    /// The turn's completed agent messages.
    completed: &'a mut Vec<ThreadItem>,
}

impl AgentStream<'_> {
    fn start(&mut self, message: &ThreadItem) {
        let ThreadItem::AgentMessage { id, .. } = message else {
            return;
        };
        if !self.started.contains(id) {
            self.started.push(id.clone());
            notify_started(self.session, self.thread_id, self.turn_id, message);
        }
    }

    fn on_event(&mut self, event: StreamEvent) {
        match event {
            StreamEvent::ItemAdded(mut item) => {
                if item.get("content").is_none() {
                    item["content"] = json!([]);
                }
                if let Some(message) = prompt::agent_message(&item) {
                    self.start(&message);
                }
            }
            StreamEvent::TextDelta { item_id, delta } => {
                let empty =
                    json!({"type": "message", "role": "assistant", "id": item_id, "content": []});
                if let Some(message) = prompt::agent_message(&empty) {
                    self.start(&message);
                }
                self.session.outgoing.notify(
                    method::AGENT_MESSAGE_DELTA,
                    &AgentMessageDeltaNotification {
                        thread_id: self.thread_id.to_owned(),
                        turn_id: self.turn_id.to_owned(),
                        item_id,
                        delta,
                    },
                );
            }
            StreamEvent::ItemDone(item) => {
                if let Some(message) = prompt::agent_message(&item) {
                    self.start(&message);
                    self.completed.push(notify_completed(
                        self.session,
                        self.thread_id,
                        self.turn_id,
                        message,
                    ));
                }
            }
        }
    }
}

fn failure(message: String) -> Outcome {
    Outcome::Failed(RequestFailure {
        message,
        info: CodexErrorInfo::Other,
        http_status: None,
    })
}

async fn request(
    session: &Arc<Session>,
    snapshot: &ThreadSnapshot,
    thread_id: &str,
    turn_id: &str,
    mentioned: &[LoadedPlugin],
    user_message: Value,
    agent_items: &mut Vec<ThreadItem>,
) -> Outcome {
    let config = match session.effective_config() {
        Ok(config) => config,
        Err(err) => return failure(crate::error_code::chain_message(&err)),
    };
    let provider = match provider::resolve(
        &config,
        &snapshot.provider_id,
        session.env("OPENAI_BASE_URL"),
    ) {
        Ok(provider) => provider,
        Err(err) => return failure(err.to_string()),
    };
    let mut headers = match auth_headers(session, &provider) {
        Ok(headers) => headers,
        Err(message) => {
            return Outcome::Failed(RequestFailure {
                message,
                info: CodexErrorInfo::Unauthorized,
                http_status: None,
            });
        }
    };
    if let Some(client) = session.identity() {
        headers.push(("originator".to_owned(), client.name.clone()));
        headers.push(("user-agent".to_owned(), client.user_agent.clone()));
    }
    headers.push(("session-id".to_owned(), thread_id.to_owned()));
    headers.push(("thread-id".to_owned(), thread_id.to_owned()));
    headers.extend(provider.http_headers.iter().cloned());
    let mut input = Vec::new();
    if let Some(developer) = snapshot
        .developer_instructions
        .as_deref()
        .filter(|text| !text.is_empty())
    {
        input.push(prompt::developer_message(developer));
    }
    for plugin in mentioned {
        input.push(prompt::developer_message(
            &prompt::plugin_instructions(plugin).await,
        ));
    }
    input.extend(snapshot.history.iter().cloned());
    input.push(user_message);
    let request = ModelRequest {
        headers,
        body: json!({
            "model": snapshot.model,
            "instructions": snapshot.base_instructions.clone().unwrap_or_default(),
            "input": input,
            "tools": [],
            "tool_choice": "auto",
            "parallel_tool_calls": false,
            "store": false,
            "stream": true,
            "include": [],
            "prompt_cache_key": thread_id,
        }),
    };
    let mut stream = AgentStream {
        session,
        thread_id,
        turn_id,
        started: Vec::new(),
        completed: agent_items,
    };
    let result = responses::send(&session.http, &provider, &request, &mut |event| {
        stream.on_event(event);
    })
    .await;
    match result {
        Ok(completed) => Outcome::Completed(completed),
        Err(failure) => Outcome::Failed(failure),
    }
}

/// `Authorization` (and account) headers: the provider's `env_key` when it has one, else
/// the Codex login when the provider requires `OpenAI` auth, else none.
fn auth_headers(session: &Session, provider: &Provider) -> Result<Vec<(String, String)>, String> {
    if let Some(env_key) = &provider.env_key {
        let key = session
            .env(env_key)
            .filter(|key| !key.trim().is_empty())
            .ok_or_else(|| {
                format!(
                    "Missing environment variable: `{env_key}`; model provider `{}` reads its API key from it",
                    provider.id
                )
            })?;
        return Ok(vec![("authorization".to_owned(), format!("Bearer {key}"))]);
    }
    if !provider.requires_openai_auth {
        return Ok(Vec::new());
    }
    if let Some(key) = session.env("OPENAI_API_KEY").filter(|key| !key.is_empty()) {
        return Ok(vec![("authorization".to_owned(), format!("Bearer {key}"))]);
    }
    match berth_auth::load_auth(&session.options.codex_home) {
        Ok(Some(CodexAuth::ApiKey { api_key, .. })) => Ok(vec![(
            "authorization".to_owned(),
            format!("Bearer {api_key}"),
        )]),
        Ok(Some(CodexAuth::ChatGpt {
            access_token,
            account_id,
            ..
        })) => {
            let mut headers = vec![("authorization".to_owned(), format!("Bearer {access_token}"))];
            if let Some(account_id) = account_id {
                headers.push(("chatgpt-account-id".to_owned(), account_id));
            }
            Ok(headers)
        }
        Ok(None) => Err(format!(
            "model provider `{}` requires an OpenAI login; run `codex login` or set OPENAI_API_KEY",
            provider.id
        )),
        Err(err) => Err(crate::error_code::chain_message(&err)),
    }
}
