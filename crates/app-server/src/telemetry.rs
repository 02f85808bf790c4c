//! The thread and turn analytics events Codex sends (`codex_thread_initialized`,
//! `codex_turn_event`), built as raw events in Codex's field order. The turn event is queued
//! after the turn's `codex_plugin_used` events, so collectors can use it as a barrier.

use berth_app_server_protocol::{CodexErrorInfo, Thread, TokenUsageBreakdown, Turn, TurnStatus};
use serde_json::{Value, json};

use crate::server::Session;
use crate::turn::Outcome;

fn app_server_client(session: &Session) -> Value {
    let client = session.identity();
    json!({
        "product_client_id": client.map(|c| c.name.clone()),
        "client_name": client.map(|c| c.name.clone()),
        "client_version": client.map(|c| c.version.clone()),
        "rpc_transport": "stdio",
        "experimental_api_enabled": client.is_some_and(|c| c.experimental_api),
    })
}

fn runtime() -> Value {
    json!({
        "codex_rs_version": env!("CARGO_PKG_VERSION"),
        "runtime_os": std::env::consts::OS,
        "runtime_os_version": null,
        "runtime_arch": std::env::consts::ARCH,
    })
}

/// `codex_thread_initialized` for a new thread.
pub(crate) fn thread_initialized(session: &Session, thread: &Thread) {
    session.analytics().track_raw_event(json!({
        "event_type": "codex_thread_initialized",
        "event_params": {
            "thread_id": thread.id,
            "session_id": thread.session_id,
            "app_server_client": app_server_client(session),
            "runtime": runtime(),
            "model": thread.model,
            "ephemeral": thread.ephemeral,
            "is_worktree": is_linked_worktree(std::path::Path::new(&thread.cwd)),
            "thread_source": null,
            "initialization_mode": "new",
            "subagent_source": null,
            "parent_thread_id": null,
            "forked_from_thread_id": null,
            "created_at": thread.created_at,
        },
    }));
}

/// Whether `cwd` is inside a linked git worktree (`git worktree add`): the nearest `.git` is a
/// file pointing into another repository's `.git/worktrees/`. Submodules also have a `.git`
/// file, but it points into `.git/modules/`.
fn is_linked_worktree(cwd: &std::path::Path) -> bool {
    for dir in cwd.ancestors() {
        let dot_git = dir.join(".git");
        let Ok(metadata) = std::fs::symlink_metadata(&dot_git) else {
            continue;
        };
        if !metadata.is_file() {
            return false;
        }
        return berth_fs::read_bounded_to_string(&dot_git, berth_fs::FileKind::Manifest).is_ok_and(
            |text| {
                text.trim()
                    .strip_prefix("gitdir:")
                    .is_some_and(|gitdir| gitdir.contains("/worktrees/"))
            },
        );
    }
    false
}

/// What `codex_turn_event` reports.
pub(crate) struct TurnFacts<'a> {
    pub(crate) thread_id: &'a str,
    pub(crate) turn_id: &'a str,
    pub(crate) model: &'a str,
    pub(crate) model_provider: &'a str,
    pub(crate) ephemeral: bool,
    pub(crate) is_first_turn: bool,
    pub(crate) active_plugin_ids: Vec<String>,
    pub(crate) outcome: &'a Outcome,
    pub(crate) turn: &'a Turn,
}

fn error_kind(info: &CodexErrorInfo) -> &'static str {
    match info {
        CodexErrorInfo::ContextWindowExceeded => "context_window_exceeded",
        CodexErrorInfo::UsageLimitExceeded => "usage_limit_exceeded",
        CodexErrorInfo::ServerOverloaded => "server_overloaded",
        CodexErrorInfo::Unauthorized => "unauthorized",
        CodexErrorInfo::BadRequest => "bad_request",
        CodexErrorInfo::InternalServerError => "internal_server_error",
        CodexErrorInfo::Other => "other",
        CodexErrorInfo::ResponseStreamDisconnected { .. } => "response_stream_disconnected",
    }
}

/// `codex_turn_event` for a finished turn.
pub(crate) fn turn_event(session: &Session, facts: &TurnFacts<'_>) {
    let (usage, retries, status) = match facts.outcome {
        Outcome::Completed(completed) => (completed.usage, completed.retries, "completed"),
        Outcome::Failed(_) => (TokenUsageBreakdown::default(), 0, "failed"),
        Outcome::Interrupted => (TokenUsageBreakdown::default(), 0, "interrupted"),
    };
    let (turn_error, error_kind, http_status) = match facts.outcome {
        Outcome::Failed(failure) => (
            Some(failure.message.clone()),
            Some(error_kind(&failure.info)),
            failure.http_status,
        ),
        Outcome::Completed(_) | Outcome::Interrupted => (None, None, None),
    };
    debug_assert!(facts.turn.status != TurnStatus::InProgress);
    session.analytics().track_raw_event(json!({
        "event_type": "codex_turn_event",
        "event_params": {
            "thread_id": facts.thread_id,
            "session_id": facts.thread_id,
            "turn_id": facts.turn_id,
            "active_plugin_ids_at_turn_start": facts.active_plugin_ids,
            "root_turn_id": facts.turn_id,
            "app_server_client": app_server_client(session),
            "runtime": runtime(),
            "ephemeral": facts.ephemeral,
            "thread_source": null,
            "initialization_mode": "new",
            "subagent_source": null,
            "parent_thread_id": null,
            "model": facts.model,
            "model_provider": facts.model_provider,
            "sandbox_policy": "read_only",
            "reasoning_effort": null,
            "approval_policy": "on-request",
            "approvals_reviewer": "user",
            "sandbox_network_access": false,
            "collaboration_mode": "default",
            "personality": null,
            "num_input_images": 0,
            "is_first_turn": facts.is_first_turn,
            "status": status,
            "turn_error": turn_error,
            "codex_error_kind": error_kind,
            "codex_error_http_status_code": http_status,
            "steer_count": 0,
            "total_tool_call_count": 0,
            "input_tokens": usage.input_tokens,
            "cached_input_tokens": usage.cached_input_tokens,
            "cache_write_input_tokens": usage.cache_write_input_tokens,
            "output_tokens": usage.output_tokens,
            "reasoning_output_tokens": usage.reasoning_output_tokens,
            "total_tokens": usage.total_tokens,
            "sampling_request_count": 1,
            "sampling_retry_count": retries,
            "duration_ms": facts.turn.duration_ms,
            "started_at": facts.turn.started_at,
            "completed_at": facts.turn.completed_at,
        },
    }));
}

#[cfg(test)]
#[path = "telemetry_tests.rs"]
mod tests;
