//! Which loaded plugins a turn's input mentions: structured `{"type":"mention","path":
//! "plugin://<name>@<marketplace>"}` inputs, `[@name](plugin://<id>)` links in text, and bare
//! `@name` words naming exactly one loaded plugin.

use berth_app_server_protocol::UserInput;
use berth_core::LoadedPlugin;

const PLUGIN_SCHEME: &str = "plugin://";

/// The mentioned plugins among `loaded`, in first-mention order, each once.
pub(crate) fn mentioned_plugins<'a>(
    input: &[UserInput],
    loaded: &'a [LoadedPlugin],
) -> Vec<&'a LoadedPlugin> {
    let mut found: Vec<&LoadedPlugin> = Vec::new();
    let mut add = |plugin: &'a LoadedPlugin| {
        if !found.iter().any(|seen| seen.id == plugin.id) {
            found.push(plugin);
        }
    };
    let by_key = |key: &str| loaded.iter().find(|plugin| plugin.id.as_key() == key);
    for item in input {
        match item {
            UserInput::Mention { path, .. } => {
                if let Some(plugin) = path.strip_prefix(PLUGIN_SCHEME).and_then(by_key) {
                    add(plugin);
                }
            }
            UserInput::Text { text, .. } => {
                for key in linked_plugin_keys(text) {
                    if let Some(plugin) = by_key(key) {
                        add(plugin);
                    }
                }
                for word in at_words(text) {
                    let mut named = loaded
                        .iter()
                        .filter(|plugin| plugin.id.plugin_name() == word);
                    if let (Some(plugin), None) = (named.next(), named.next()) {
                        add(plugin);
                    }
                }
            }
            UserInput::Image { .. } | UserInput::LocalImage { .. } | UserInput::Skill { .. } => {}
        }
    }
    found
}

/// `<id>` of every `(plugin://<id>)` link target in `text`.
fn linked_plugin_keys(text: &str) -> Vec<&str> {
    let pattern = "(plugin://";
    let mut keys = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(pattern) {
        rest = &rest[start + pattern.len()..];
        if let Some(end) = rest.find(')') {
            keys.push(&rest[..end]);
            rest = &rest[end..];
        }
    }
    keys
}

/// Words written as `@word` (not inside a link label, which `linked_plugin_keys` covers).
fn at_words(text: &str) -> Vec<&str> {
    text.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '!' | '?' | '(' | ')'))
        .filter_map(|word| word.strip_prefix('@'))
        .map(|word| word.trim_end_matches(['.', ':']))
        .filter(|word| !word.is_empty() && !word.contains(']'))
        .collect()
}

#[cfg(test)]
#[path = "mentions_tests.rs"]
mod tests;
