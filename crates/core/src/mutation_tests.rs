use std::collections::BTreeMap;
use std::sync::Arc;

use berth_plugin::{PluginEvent, PluginId, PluginState, RecordingEventSink};
use berth_test_support::MarketplaceFixture;
use pretty_assertions::assert_eq;

use crate::{InstallRequest, ManagerOptions, MarketplaceSelector, PluginsManager};

struct Setup {
    _dir: tempfile::TempDir,
    manager: PluginsManager,
    sink: Arc<RecordingEventSink>,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let market = MarketplaceFixture::new(dir.path().join("market"), "debug")
        .plugin("sample", Some("1.2.0"), 3)
        .plugin("other", None, 2);
    let manager = PluginsManager::new(ManagerOptions {
        codex_home: dir.path().join("codex"),
        home_dir: None,
    })
    .unwrap();
    let sink = Arc::new(RecordingEventSink::default());
    manager.set_event_sink(sink.clone());
    manager.add_marketplace(market.root()).unwrap();
    Setup {
        _dir: dir,
        manager,
        sink,
    }
}

fn install(setup: &Setup, name: &str) {
    setup
        .manager
        .install_plugin(&InstallRequest {
            plugin_name: name.to_owned(),
            marketplace: MarketplaceSelector::Name("debug".to_owned()),
        })
        .unwrap();
}

fn state_event(setup: &Setup, state: PluginState, key: &str) -> PluginEvent {
    PluginEvent::StateChanged {
        state,
        metadata: setup
            .manager
            .telemetry_metadata_for_installed_plugin(&PluginId::parse(key).unwrap()),
    }
}

#[test]
fn install_reports_installed_with_the_installed_plugin_metadata() {
    let setup = setup();
    install(&setup, "sample");
    let events = setup.sink.take();
    assert_eq!(
        events,
        vec![state_event(&setup, PluginState::Installed, "sample@debug")]
    );
    let PluginEvent::StateChanged { metadata, .. } = &events[0] else {
        unreachable!()
    };
    let summary = metadata
        .capability_summary
        .as_ref()
        .expect("capabilities of the cached plugin");
    assert_eq!(summary.config_name, "sample@debug");
    assert!(summary.has_skills);
    assert_eq!(metadata.remote_plugin_id, None);
}

#[test]
fn uninstall_reports_metadata_captured_before_deletion_and_only_when_installed() {
    let setup = setup();
    install(&setup, "sample");
    let expected = state_event(&setup, PluginState::Uninstalled, "sample@debug");
    setup.sink.take();
    let outcome = setup.manager.uninstall_plugin("sample@debug").unwrap();
    assert!(outcome.was_installed);
    assert_eq!(setup.sink.take(), vec![expected]);
    let again = setup.manager.uninstall_plugin("sample@debug").unwrap();
    assert!(!again.was_installed);
    assert_eq!(setup.sink.take(), Vec::new());
}

#[test]
fn enable_and_disable_report_toggle_events_with_installed_metadata() {
    let setup = setup();
    install(&setup, "other");
    setup.sink.take();
    let disabled = setup
        .manager
        .set_plugin_enabled("other@debug", false)
        .unwrap();
    assert!(disabled.was_enabled);
    let enabled = setup
        .manager
        .set_plugin_enabled("other@debug", true)
        .unwrap();
    assert!(!enabled.was_enabled);
    assert_eq!(
        setup.sink.take(),
        vec![
            state_event(&setup, PluginState::Disabled, "other@debug"),
            state_event(&setup, PluginState::Enabled, "other@debug"),
        ]
    );
    let err = setup
        .manager
        .set_plugin_enabled("sample@debug", true)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "plugin `sample@debug` is not installed; install it with `berth plugin add sample@debug`"
    );
    assert_eq!(setup.sink.take(), Vec::new());
}

#[test]
fn toggle_reports_skip_invalid_keys_and_carry_no_capabilities_for_uninstalled_plugins() {
    let setup = setup();
    setup.manager.report_plugin_toggles(&BTreeMap::from([
        ("not-a-key".to_owned(), true),
        ("ghost@debug".to_owned(), false),
    ]));
    let events = setup.sink.take();
    assert_eq!(events.len(), 1);
    let PluginEvent::StateChanged { state, metadata } = &events[0] else {
        unreachable!()
    };
    assert_eq!(*state, PluginState::Disabled);
    assert_eq!(metadata.plugin_id.as_key(), "ghost@debug");
    assert_eq!(metadata.capability_summary, None);
}

#[test]
fn listing_reports_installed_enabled_and_versions() {
    let setup = setup();
    install(&setup, "sample");
    install(&setup, "other");
    setup
        .manager
        .set_plugin_enabled("other@debug", false)
        .unwrap();
    let listing = setup
        .manager
        .list_plugins(&crate::ListOptions {
            local_versions: true,
            ..crate::ListOptions::default()
        })
        .unwrap();
    let states: Vec<_> = listing.marketplaces[0]
        .plugins
        .iter()
        .map(|plugin| {
            (
                plugin.id.as_key(),
                plugin.installed,
                plugin.enabled,
                plugin.version().map(str::to_owned),
            )
        })
        .collect();
    assert_eq!(
        states,
        vec![
            (
                "sample@debug".to_owned(),
                true,
                true,
                Some("1.2.0".to_owned())
            ),
            (
                "other@debug".to_owned(),
                true,
                false,
                Some("local".to_owned())
            ),
        ]
    );
}
