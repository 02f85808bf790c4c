use std::path::PathBuf;

use berth_app_server_protocol::UserInput;
use berth_core::LoadedPlugin;
use berth_plugin::{PluginCapabilitySummary, PluginId};
use pretty_assertions::assert_eq;

use super::mentioned_plugins;

fn loaded(key: &str) -> LoadedPlugin {
    let id = PluginId::parse(key).unwrap();
    LoadedPlugin {
        root: PathBuf::from("/cache").join(id.plugin_name()),
        display_name: id.plugin_name().to_owned(),
        summary: PluginCapabilitySummary {
            config_name: key.to_owned(),
            ..PluginCapabilitySummary::default()
        },
        skills: Vec::new(),
        id,
    }
}

fn text(text: &str) -> UserInput {
    UserInput::Text {
        text: text.to_owned(),
        text_elements: Vec::new(),
    }
}

fn keys(found: &[&LoadedPlugin]) -> Vec<String> {
    found.iter().map(|plugin| plugin.id.as_key()).collect()
}

#[test]
fn structured_mentions_links_and_unique_at_names_are_found_once_each() {
    let plugins = vec![
        loaded("sample@debug"),
        loaded("linear@a"),
        loaded("linear@b"),
        loaded("docs@m"),
    ];
    let input = vec![
        UserInput::Mention {
            name: "Sample".to_owned(),
            path: "plugin://sample@debug".to_owned(),
        },
        text(
            "use [@linear](plugin://linear@b) and @docs, then @sample again; @linear is ambiguous",
        ),
        UserInput::Mention {
            name: "x".to_owned(),
            path: "plugin://missing@debug".to_owned(),
        },
    ];
    assert_eq!(
        keys(&mentioned_plugins(&input, &plugins)),
        vec!["sample@debug", "linear@b", "docs@m"]
    );
}

#[test]
fn plugins_that_are_not_loaded_are_never_mentioned() {
    let input = vec![text("@sample please")];
    assert_eq!(keys(&mentioned_plugins(&input, &[])), Vec::<String>::new());
}
