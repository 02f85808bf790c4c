use std::path::Path;

use berth_config::ConfigFile;
use pretty_assertions::assert_eq;

use super::*;

fn config(text: &str) -> ConfigFile {
    ConfigFile::parse(Path::new("config.toml"), text.as_bytes().to_vec()).unwrap()
}

#[test]
fn a_configured_provider_keeps_its_retry_budgets_and_key_source() {
    let config = config(
        "[model_providers.p]\nbase_url = \"http://127.0.0.1:9/v1/\"\nwire_api = \"responses\"\nenv_key = \"P_KEY\"\nrequest_max_retries = 0\nstream_max_retries = 2\n",
    );
    let provider = resolve(&config, "p", None).unwrap();
    assert_eq!(
        provider,
        Provider {
            id: "p".to_owned(),
            base_url: "http://127.0.0.1:9/v1/".to_owned(),
            env_key: Some("P_KEY".to_owned()),
            requires_openai_auth: false,
            request_max_retries: 0,
            stream_max_retries: 2,
            http_headers: Vec::new(),
        }
    );
    assert_eq!(provider.responses_url(), "http://127.0.0.1:9/v1/responses");
}

#[test]
fn an_unknown_provider_says_how_to_configure_it() {
    let err = resolve(&config(""), "nope", None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "model provider `nope` is not configured; add `[model_providers.nope]` with `base_url` to config.toml or pass `-c model_providers.nope.base_url=...`"
    );
}

#[test]
fn a_chat_provider_is_refused() {
    let err = resolve(
        &config("[model_providers.c]\nbase_url = \"http://x\"\nwire_api = \"chat\"\n"),
        "c",
        None,
    )
    .unwrap_err();
    assert_eq!(
        err,
        ProviderError::UnsupportedWireApi {
            id: "c".to_owned(),
            wire_api: "chat".to_owned()
        }
    );
}
