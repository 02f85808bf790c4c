//! The remote identity sidecar (spec §2.6).

use std::os::unix::fs::PermissionsExt;

use berth_store::REMOTE_PLUGIN_INSTALL_METADATA_FILE;
use pretty_assertions::assert_eq;

use crate::fixture::{home, id, named_source, write};

#[test]
fn remote_plugin_install_metadata_follows_installed_cache_lifecycle() {
    let (dir, store) = home();
    let plugin = id("sample@debug");
    let source = named_source(dir.path(), "sample", None);
    store.install(&source, &plugin).unwrap();
    assert_eq!(store.remote_plugin_id(&plugin).unwrap(), None);

    store
        .write_remote_plugin_id(&plugin, "plugins~Plugin_sample")
        .unwrap();
    assert_eq!(
        REMOTE_PLUGIN_INSTALL_METADATA_FILE,
        ".codex-remote-plugin-install.json"
    );
    let sidecar = store
        .plugin_base_root(&plugin)
        .join(".codex-remote-plugin-install.json");
    assert_eq!(
        std::fs::read_to_string(&sidecar).unwrap(),
        "{\n  \"schema_version\": 1,\n  \"remote_plugin_id\": \"plugins~Plugin_sample\"\n}\n"
    );
    assert_eq!(
        std::fs::metadata(&sidecar).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(
        store.remote_plugin_id(&plugin).unwrap(),
        Some("plugins~Plugin_sample".to_owned())
    );

    store
        .write_remote_plugin_id(&plugin, "  plugins~Plugin_updated ")
        .unwrap();
    assert_eq!(
        store.remote_plugin_id(&plugin).unwrap(),
        Some("plugins~Plugin_updated".to_owned())
    );

    store.install(&source, &plugin).unwrap();
    assert!(!sidecar.exists());
    assert_eq!(store.remote_plugin_id(&plugin).unwrap(), None);

    store
        .write_remote_plugin_id(&plugin, "plugins~Plugin_sample")
        .unwrap();
    assert!(store.uninstall(&plugin).unwrap());
    assert!(!sidecar.exists());
    assert_eq!(store.remote_plugin_id(&plugin).unwrap(), None);
}

#[test]
fn upgrade_clears_the_sidecar() {
    let (dir, store) = home();
    let plugin = id("sample@debug");
    store
        .install(&named_source(dir.path(), "sample", Some("1.0.0")), &plugin)
        .unwrap();
    store
        .write_remote_plugin_id(&plugin, "plugins~Plugin_sample")
        .unwrap();
    store
        .install(&named_source(dir.path(), "sample", Some("2.0.0")), &plugin)
        .unwrap();
    assert_eq!(store.remote_plugin_id(&plugin).unwrap(), None);
}

#[test]
fn remote_plugin_install_metadata_rejects_unsupported_schema_version() {
    let (dir, store) = home();
    let plugin = id("sample@debug");
    store
        .install(&named_source(dir.path(), "sample", None), &plugin)
        .unwrap();
    let sidecar = store
        .plugin_base_root(&plugin)
        .join(REMOTE_PLUGIN_INSTALL_METADATA_FILE);
    write(
        &sidecar,
        r#"{"schema_version": 2, "remote_plugin_id": "plugins~Plugin_sample"}"#,
    );
    let err = store.remote_plugin_id(&plugin).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "unsupported remote plugin install metadata schema version: 2 (in `{}`)",
            sidecar.display()
        )
    );
}

#[test]
fn remote_plugin_id_reports_malformed_and_blank_sidecars() {
    let (dir, store) = home();
    let plugin = id("sample@debug");
    store
        .install(&named_source(dir.path(), "sample", None), &plugin)
        .unwrap();
    let sidecar = store
        .plugin_base_root(&plugin)
        .join(REMOTE_PLUGIN_INSTALL_METADATA_FILE);

    write(&sidecar, "not json");
    let err = store.remote_plugin_id(&plugin).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "failed to parse remote plugin install metadata `{}`",
            sidecar.display()
        )
    );
    assert!(std::error::Error::source(&err).is_some());

    write(
        &sidecar,
        r#"{"schema_version": 1, "remote_plugin_id": "  ", "extra": true}"#,
    );
    assert_eq!(
        store.remote_plugin_id(&plugin).unwrap_err().to_string(),
        format!(
            "invalid remote plugin install metadata: remote plugin id must not be blank (in `{}`)",
            sidecar.display()
        )
    );

    write(
        &sidecar,
        r#"{"schema_version": 1, "remote_plugin_id": "plugins~Plugin_x", "extra": 1}"#,
    );
    assert_eq!(
        store.remote_plugin_id(&plugin).unwrap(),
        Some("plugins~Plugin_x".to_owned())
    );
}

#[test]
fn write_remote_plugin_id_requires_an_installed_plugin_and_a_non_blank_id() {
    let (dir, store) = home();
    let plugin = id("sample@debug");
    assert_eq!(
        store
            .write_remote_plugin_id(&plugin, "plugins~Plugin_sample")
            .unwrap_err()
            .to_string(),
        "cannot write remote identity for uninstalled plugin `sample@debug`"
    );
    store
        .install(&named_source(dir.path(), "sample", None), &plugin)
        .unwrap();
    let err = store.write_remote_plugin_id(&plugin, "   ").unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid remote plugin install metadata: remote plugin id must not be blank"
    );
    assert!(err.is_invalid_request());
}

#[test]
fn a_stray_sidecar_of_an_uninstalled_plugin_is_ignored() {
    let (_dir, store) = home();
    let plugin = id("sample@debug");
    write(
        store
            .plugin_base_root(&plugin)
            .join(REMOTE_PLUGIN_INSTALL_METADATA_FILE),
        r#"{"schema_version": 1, "remote_plugin_id": "plugins~Plugin_sample"}"#,
    );
    assert_eq!(store.remote_plugin_id(&plugin).unwrap(), None);
}
