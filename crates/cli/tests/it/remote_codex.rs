//! A home where berth installed a remote plugin from `berth serve` works with every Codex peer
//! release (0.169.0, 0.171.0): `codex app-server` lists it through `plugin/installed` with its
//! `remotePluginId`, and Codex's startup sync writes berth's sidecar back byte for byte (and
//! downloads nothing).

use std::os::unix::fs::MetadataExt as _;
use std::time::{Duration, Instant};

use berth_test_support::{AppServerClient, codex_peers};
use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use crate::remote::{Serve, plugin_source, remote_home};

/// Codex 0.169.0 refuses a JWT whose signature segment is empty ("invalid credential JSON"),
/// which is what `berth_auth::test_support` writes; berth and `berth serve --dev` only decode
/// the claims, so a dummy signature serves both.
pub(crate) fn sign_test_tokens(codex_home: &std::path::Path) {
    let path = codex_home.join("auth.json");
    let mut auth: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    for key in ["id_token", "access_token"] {
        let token = auth["tokens"][key].as_str().unwrap().to_owned();
        if token.ends_with('.') {
            auth["tokens"][key] = json!(format!("{token}c2lnbmF0dXJl"));
        }
    }
    #[expect(clippy::disallowed_methods, reason = "test fixture")]
    std::fs::write(&path, serde_json::to_vec_pretty(&auth).unwrap()).unwrap();
}

#[test]
fn codex_app_server_lists_a_plugin_berth_installed_remotely_and_backfills_the_same_sidecar() {
    for peer in codex_peers() {
        codex_lists_a_remote_install_and_backfills_the_sidecar(&peer.bin);
    }
}

fn codex_lists_a_remote_install_and_backfills_the_sidecar(codex: &std::path::Path) {
    let serve = Serve::start();
    let home = remote_home(&serve);
    sign_test_tokens(&home.codex_home());
    serve.publish(&plugin_source(home.root(), "linear", "0.1.4", "v1"), &[]);
    let output = home
        .command(crate::berth_bin())
        .env("CODEX_TEST_ALLOW_HTTP_REMOTE_PLUGIN_BUNDLE_DOWNLOADS", "1")
        .args(["plugin", "add", "linear@openai-curated-remote"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let base = home
        .codex_home()
        .join("plugins/cache/openai-curated-remote/linear");
    let sidecar = base.join(".codex-remote-plugin-install.json");
    let written_by_berth = std::fs::read(&sidecar).unwrap();
    let inode = std::fs::metadata(base.join("0.1.4")).unwrap().ino();
    std::fs::remove_file(&sidecar).unwrap();

    let mut command = home.command(codex);
    command.args([
        "-c",
        &format!("chatgpt_base_url=\"{}\"", serve.api_url),
        "app-server",
    ]);
    let mut client = AppServerClient::spawn(command);
    client.initialize("berth_remote_compat_test");
    // Codex's startup sync finds the cached version current and only backfills the sidecar.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !sidecar.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(std::fs::read(&sidecar).unwrap(), written_by_berth);
    assert_eq!(std::fs::metadata(base.join("0.1.4")).unwrap().ino(), inode);

    let installed = client.request("plugin/installed", json!({"cwds": null}));
    let remote: Vec<Value> = installed["marketplaces"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|marketplace| marketplace["name"] == "openai-curated-remote")
        .flat_map(|marketplace| marketplace["plugins"].as_array().unwrap().clone())
        .map(|plugin| {
            json!({
                "id": plugin["id"],
                "remotePluginId": plugin["remotePluginId"],
                "installed": plugin["installed"],
                "enabled": plugin["enabled"],
                "source": plugin["source"],
            })
        })
        .collect();
    assert_eq!(
        remote,
        vec![json!({
            "id": "linear@openai-curated-remote",
            "remotePluginId": "plugins~Plugin_linear",
            "installed": true,
            "enabled": true,
            "source": {"type": "remote"},
        })],
        "{installed}"
    );
    assert_eq!(std::fs::read(&sidecar).unwrap(), written_by_berth);
}
