//! The Responses API input a turn sends: user and developer messages, the instructions a
//! mentioned plugin contributes (its skills, with each SKILL.md in full), and the assistant
//! messages read back from the stream.

use berth_app_server_protocol::{ThreadItem, UserInput};
use berth_core::LoadedPlugin;
use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::time::unix_millis;

/// A `developer` message.
pub(crate) fn developer_message(text: &str) -> Value {
    json!({
        "type": "message",
        "role": "developer",
        "content": [{"type": "input_text", "text": text}],
    })
}

/// An `assistant` message of an earlier turn.
pub(crate) fn assistant_message(text: &str) -> Value {
    json!({
        "type": "message",
        "role": "assistant",
        "content": [{"type": "output_text", "text": text}],
    })
}

/// The user's message: text as is, mentions as `[@name](path)`, images by URL.
pub(crate) fn user_message(input: &[UserInput]) -> Value {
    let content: Vec<Value> = input
        .iter()
        .filter_map(|item| match item {
            UserInput::Text { text, .. } => Some(json!({"type": "input_text", "text": text})),
            UserInput::Mention { name, path } => {
                Some(json!({"type": "input_text", "text": format!("[@{name}]({path})")}))
            }
            UserInput::Skill { name, path } => Some(json!({
                "type": "input_text",
                "text": format!("Use the skill `{name}` ({path})."),
            })),
            UserInput::Image { url } => Some(json!({"type": "input_image", "image_url": url})),
            UserInput::LocalImage { path } => {
                tracing::warn!(path, "local images are not sent to the model by berth");
                None
            }
        })
        .collect();
    json!({"type": "message", "role": "user", "content": content})
}

/// What a mentioned plugin offers the model: a capabilities note and every skill's SKILL.md.
pub(crate) async fn plugin_instructions(plugin: &LoadedPlugin) -> String {
    let mut text = format!("Capabilities from the `{}` plugin:\n", plugin.display_name);
    if !plugin.skills.is_empty() {
        let _ = writeln!(
            text,
            "- Skills from this plugin are prefixed with `{}:`.",
            plugin.id.plugin_name()
        );
    }
    if !plugin.summary.mcp_server_names.is_empty() {
        let _ = writeln!(
            text,
            "- MCP servers from this plugin: {}.",
            plugin.summary.mcp_server_names.join(", ")
        );
    }
    text.push_str("Use these plugin-associated capabilities to help solve the task.\n");
    for skill in &plugin.skills {
        let path = skill.path.clone();
        let contents = tokio::task::spawn_blocking(move || {
            berth_fs::read_bounded_to_string(&path, berth_fs::FileKind::Skill)
        })
        .await
        .map_err(std::io::Error::other)
        .and_then(|read| read)
        .unwrap_or_else(|err| {
            tracing::warn!(path = %skill.path.display(), "cannot read a plugin skill: {err}");
            String::new()
        });
        let _ = write!(
            text,
            "\n<skill>\n<name>{}</name>\n<path>{}</path>\n{}\n</skill>\n",
            skill.name,
            skill.path.display(),
            contents.trim_end()
        );
    }
    text
}

/// An assistant `message` output item as an `agentMessage` (other items are ignored).
pub(crate) fn agent_message(item: &Value) -> Option<ThreadItem> {
    if item.get("type").and_then(Value::as_str) != Some("message")
        || item.get("role").and_then(Value::as_str) != Some("assistant")
    {
        return None;
    }
    let text: String = item
        .get("content")
        .and_then(Value::as_array)?
        .iter()
        .filter(|part| part.get("type").and_then(Value::as_str) == Some("output_text"))
        .filter_map(|part| part.get("text").and_then(Value::as_str))
        .collect();
    Some(ThreadItem::AgentMessage {
        moderation: None,
        id: item
            .get("id")
            .and_then(Value::as_str)
            .map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_owned),
        text,
        phase: None,
        memory_citation: None,
        delivery: None,
        questions: None,
        started_at_ms: Some(unix_millis()),
        completed_at_ms: None,
    })
}
