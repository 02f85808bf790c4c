use berth_test_support::{MarketplaceFixture, TestHome};
use pretty_assertions::assert_eq;

use crate::{InstallRequest, ManagerOptions, MarketplaceSelector, PluginsManager};

fn manager(home: &TestHome) -> PluginsManager {
    PluginsManager::new(ManagerOptions {
        codex_home: home.codex_home(),
        home_dir: Some(home.user_home()),
    })
    .unwrap()
}

#[test]
fn only_installed_enabled_plugins_are_loaded_with_their_skills() {
    let home = TestHome::new();
    let market = MarketplaceFixture::new(home.root().join("market"), "debug")
        .plugin("alpha", Some("1.0.0"), 2)
        .plugin("beta", None, 2)
        .plugin("gamma", None, 2);
    let manager = manager(&home);
    for name in ["alpha", "beta"] {
        manager
            .install_plugin(&InstallRequest {
                plugin_name: name.to_owned(),
                marketplace: MarketplaceSelector::Path(market.root().to_path_buf()),
            })
            .unwrap();
    }
    manager.set_plugin_enabled("beta@debug", false).unwrap();

    let loaded = manager.loaded_plugins().unwrap();
    let names: Vec<_> = loaded
        .iter()
        .map(|plugin| (plugin.id.as_key(), plugin.display_name.clone()))
        .collect();
    assert_eq!(names, vec![("alpha@debug".to_owned(), "alpha".to_owned())]);
    let alpha = &loaded[0];
    assert_eq!(
        alpha
            .skills
            .iter()
            .map(|skill| (skill.name.as_str(), skill.description.as_deref()))
            .collect::<Vec<_>>(),
        vec![("alpha:hello", Some("Say hello from alpha"))]
    );
    assert!(alpha.skills[0].path.starts_with(&alpha.root));
    assert_eq!(
        manager
            .loaded_plugin_capability_summaries()
            .unwrap()
            .iter()
            .map(|summary| (summary.config_name.as_str(), summary.has_skills))
            .collect::<Vec<_>>(),
        vec![("alpha@debug", true)]
    );
}

#[test]
fn remote_plugins_the_service_reports_installed_are_loaded_unless_disabled_in_config() {
    let home = TestHome::new();
    let market = MarketplaceFixture::new(home.root().join("market"), "src").plugin(
        "linear",
        Some("0.1.4"),
        2,
    );
    let manager = manager(&home);
    let id = berth_plugin::PluginId::parse("linear@openai-curated-remote").unwrap();
    manager
        .store()
        .install(&market.plugin_dir("linear"), &id)
        .unwrap();
    // Cached but not reported installed by the service: not loaded.
    assert_eq!(manager.loaded_plugins().unwrap(), Vec::new());
    manager.set_remote_installed_snapshot(Some(std::collections::HashMap::from([(
        id.clone(),
        "plugins~Plugin_linear".to_owned(),
    )])));
    let loaded: Vec<_> = manager
        .loaded_plugins()
        .unwrap()
        .into_iter()
        .map(|plugin| plugin.id)
        .collect();
    assert_eq!(loaded, vec![id.clone()]);
    // A config write that disables it wins over the service's installed state.
    manager
        .config()
        .edit(|config| config.set_plugin_enabled(&id.as_key(), false))
        .unwrap();
    assert_eq!(manager.loaded_plugins().unwrap(), Vec::new());
}
