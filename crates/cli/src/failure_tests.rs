use super::*;
use pretty_assertions::assert_eq;

fn bind_error() -> berth_server::ServeError {
    berth_server::ServeError::Bind {
        addr: "127.0.0.1:8787".parse().unwrap(),
        source: std::io::Error::from(std::io::ErrorKind::AddrInUse),
    }
}

#[test]
fn refusals_exit_1_and_the_unexpected_exits_2() {
    let cases: Vec<(anyhow::Error, u8)> = vec![
        (UserError("no".to_owned()).into(), 1),
        (anyhow::Error::new(bind_error()).context("starting"), 1),
        (berth_core::ManagerError::MarketplaceRequired.into(), 1),
        (
            berth_server::ServeError::Serve(std::io::Error::other("boom")).into(),
            2,
        ),
        (anyhow::anyhow!("something nobody planned for"), 2),
        (with_hint(UserError("no".to_owned()), "try again"), 1),
        (with_hint(anyhow::anyhow!("odd"), "try again"), 2),
    ];
    let codes: Vec<u8> = cases.iter().map(|(err, _)| exit_code(err)).collect();
    let expected: Vec<u8> = cases.iter().map(|(_, code)| *code).collect();
    assert_eq!(codes, expected);
}

#[test]
fn a_hinted_error_reads_as_the_error_it_wraps_with_the_same_causes() {
    let err = with_hint(bind_error(), "pass --bind 127.0.0.1:0");
    let chain: Vec<String> = err.chain().map(ToString::to_string).collect();
    assert_eq!(
        chain,
        vec![
            "could not listen on 127.0.0.1:8787; is another process using the port?".to_owned(),
            std::io::Error::from(std::io::ErrorKind::AddrInUse).to_string(),
        ]
    );
}

#[test]
fn a_cause_that_repeats_the_line_above_is_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join(".codex-plugin/plugin.json");
    std::fs::create_dir_all(manifest.parent().unwrap()).unwrap();
    berth_fs::write_atomic(&manifest, b"{ not json").unwrap();
    let source = berth_plugin::manifest::load_manifest(dir.path()).unwrap_err();
    let err: anyhow::Error = berth_core::ManagerError::InvalidManifest {
        plugin_id: "notes@berth-examples".to_owned(),
        source,
    }
    .into();
    // The manifest error's own line ("missing or invalid plugin.json") repeats the plugin's.
    assert_eq!(
        causes(&err),
        vec![
            format!("failed to parse plugin manifest `{}`", manifest.display()),
            "key must be a string at line 1 column 3".to_owned(),
        ]
    );
}
