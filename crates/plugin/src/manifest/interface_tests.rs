use pretty_assertions::assert_eq;

use crate::manifest::fixture::write_manifest;
use crate::manifest::{LoadedManifest, PluginInterface, load_manifest};

fn load_interface(interface: &str) -> (tempfile::TempDir, LoadedManifest) {
    let dir = tempfile::tempdir().unwrap();
    write_manifest(
        dir.path(),
        &format!(r#"{{"name":"sample","interface":{interface}}}"#),
    );
    let loaded = load_manifest(dir.path()).unwrap();
    (dir, loaded)
}

#[test]
fn plugin_interface_accepts_legacy_default_prompt_string() {
    let (_dir, loaded) = load_interface(r#"{"defaultPrompt":"  Summarise \n my   notes  "}"#);
    assert_eq!(
        loaded.manifest.interface.unwrap().default_prompt,
        Some(vec!["Summarise my notes".to_owned()])
    );
}

#[test]
fn plugin_interface_normalizes_default_prompt_array() {
    let long = "x".repeat(129);
    let exact = "y".repeat(128);
    let (_dir, loaded) = load_interface(&format!(
        r#"{{"defaultPrompt":["  first  one ", 7, "{long}", "   ", "{exact}", "third", "fourth"]}}"#
    ));
    assert_eq!(
        loaded.manifest.interface.unwrap().default_prompt,
        Some(vec!["first one".to_owned(), exact, "third".to_owned()])
    );
    assert_eq!(
        loaded.warnings,
        vec![
            "ignoring interface.defaultPrompt[1]: expected a string; found number",
            "ignoring interface.defaultPrompt[2]: prompt must be at most 128 characters",
            "ignoring interface.defaultPrompt[3]: prompt must not be empty",
            "ignoring interface.defaultPrompt[6]: maximum of 3 prompts is supported",
        ]
    );
}

#[test]
fn plugin_interface_ignores_invalid_default_prompt_shape() {
    let (_dir, loaded) =
        load_interface(r#"{"displayName":"Sample","defaultPrompt":{"text":"hi"}}"#);
    assert_eq!(loaded.manifest.interface.unwrap().default_prompt, None);
    assert_eq!(
        loaded.warnings,
        vec!["ignoring interface.defaultPrompt: expected a string or string array; found object"]
    );
    let (_dir, loaded) = load_interface(r#"{"defaultPrompt":42}"#);
    assert_eq!(loaded.manifest.interface, None);
}

#[test]
fn plugin_interface_reads_dark_logo_path() {
    let (dir, loaded) = load_interface(r#"{"logoDark":"./assets/logo-dark.svg"}"#);
    let logo_dark = loaded.manifest.interface.unwrap().logo_dark.unwrap();
    assert!(logo_dark.is_absolute());
    assert_eq!(logo_dark, dir.path().join("assets/logo-dark.svg"));
}

#[test]
fn plugin_interface_reads_every_field_and_url_aliases() {
    let (dir, loaded) = load_interface(
        r##"{
          "displayName": " Sample ",
          "shortDescription": "Short",
          "longDescription": "Long",
          "developerName": "Dev",
          "category": "Productivity",
          "capabilities": ["Read", "Write"],
          "websiteURL": "https://example.com",
          "privacyPolicyUrl": "https://example.com/privacy",
          "privacyPolicyURL": "https://ignored.example.com",
          "termsOfServiceURL": "https://example.com/terms",
          "defaultPrompt": ["Go"],
          "brandColor": "#123456",
          "composerIcon": "./assets/icon.png",
          "logo": "./assets/logo.svg",
          "logoDark": "./assets/logo-dark.svg",
          "screenshots": ["./assets/one.png", "./assets/two.png"]
        }"##,
    );
    let root = dir.path();
    assert_eq!(
        loaded.manifest.interface,
        Some(PluginInterface {
            display_name: Some("Sample".to_owned()),
            short_description: Some("Short".to_owned()),
            long_description: Some("Long".to_owned()),
            developer_name: Some("Dev".to_owned()),
            category: Some("Productivity".to_owned()),
            capabilities: vec!["Read".to_owned(), "Write".to_owned()],
            website_url: Some("https://example.com".to_owned()),
            privacy_policy_url: Some("https://example.com/privacy".to_owned()),
            terms_of_service_url: Some("https://example.com/terms".to_owned()),
            default_prompt: Some(vec!["Go".to_owned()]),
            brand_color: Some("#123456".to_owned()),
            composer_icon: Some(root.join("assets/icon.png")),
            logo: Some(root.join("assets/logo.svg")),
            logo_dark: Some(root.join("assets/logo-dark.svg")),
            screenshots: vec![root.join("assets/one.png"), root.join("assets/two.png")],
        })
    );
    assert_eq!(loaded.warnings, Vec::<String>::new());
    assert_eq!(loaded.manifest.display_name(), "Sample");
}

#[test]
fn interface_is_dropped_when_no_field_survives() {
    let (_dir, loaded) =
        load_interface(r#"{"displayName":"  ","logo":"logo.svg","screenshots":[],"other":1}"#);
    assert_eq!(loaded.manifest.interface, None);
    assert_eq!(
        loaded.warnings,
        vec!["ignoring interface.logo: path must start with `./` relative to plugin root"]
    );
}
