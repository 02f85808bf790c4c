//! The model provider a thread talks to: `model_providers.<id>` of the effective config
//! (base URL, wire API, API key source, retry budgets), or the built-in `openai` provider.

use berth_config::ConfigFile;
use serde_json::Value;

/// Default `request_max_retries` (as Codex).
const DEFAULT_REQUEST_MAX_RETRIES: u64 = 4;
/// Default `stream_max_retries` (as Codex).
const DEFAULT_STREAM_MAX_RETRIES: u64 = 5;
/// Upper bound for both retry budgets.
const MAX_RETRIES: u64 = 100;
/// The built-in provider id.
pub(crate) const OPENAI_PROVIDER_ID: &str = "openai";
/// Base URL of the built-in provider unless `OPENAI_BASE_URL` is set.
const OPENAI_BASE_URL: &str = "https://api.openai.com/v1";

/// A resolved provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Provider {
    pub(crate) id: String,
    pub(crate) base_url: String,
    pub(crate) env_key: Option<String>,
    pub(crate) requires_openai_auth: bool,
    pub(crate) request_max_retries: u64,
    pub(crate) stream_max_retries: u64,
    pub(crate) http_headers: Vec<(String, String)>,
}

impl Provider {
    /// `POST` target of the Responses API.
    pub(crate) fn responses_url(&self) -> String {
        format!("{}/responses", self.base_url.trim_end_matches('/'))
    }
}

/// Why a provider cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ProviderError {
    #[error(
        "model provider `{id}` is not configured; add `[model_providers.{id}]` with `base_url` to config.toml or pass `-c model_providers.{id}.base_url=...`"
    )]
    NotConfigured { id: String },
    #[error("model provider `{id}` has no string `base_url`")]
    MissingBaseUrl { id: String },
    #[error(
        "model provider `{id}` uses wire_api `{wire_api}`; berth only speaks the Responses API (`wire_api = \"responses\"`)"
    )]
    UnsupportedWireApi { id: String, wire_api: String },
}

/// Resolves `id` against the effective config; `openai_base_url` is `OPENAI_BASE_URL`.
pub(crate) fn resolve(
    config: &ConfigFile,
    id: &str,
    openai_base_url: Option<String>,
) -> Result<Provider, ProviderError> {
    let Some(table) = config
        .get(&["model_providers", id][..])
        .filter(Value::is_object)
    else {
        if id == OPENAI_PROVIDER_ID {
            return Ok(Provider {
                id: id.to_owned(),
                base_url: openai_base_url.unwrap_or_else(|| OPENAI_BASE_URL.to_owned()),
                env_key: None,
                requires_openai_auth: true,
                request_max_retries: DEFAULT_REQUEST_MAX_RETRIES,
                stream_max_retries: DEFAULT_STREAM_MAX_RETRIES,
                http_headers: Vec::new(),
            });
        }
        return Err(ProviderError::NotConfigured { id: id.to_owned() });
    };
    let wire_api = table
        .get("wire_api")
        .and_then(Value::as_str)
        .unwrap_or("responses");
    if wire_api != "responses" {
        return Err(ProviderError::UnsupportedWireApi {
            id: id.to_owned(),
            wire_api: wire_api.to_owned(),
        });
    }
    let base_url = table
        .get("base_url")
        .and_then(Value::as_str)
        .ok_or_else(|| ProviderError::MissingBaseUrl { id: id.to_owned() })?;
    let retries = |key: &str, default: u64| {
        table
            .get(key)
            .and_then(Value::as_u64)
            .unwrap_or(default)
            .min(MAX_RETRIES)
    };
    let http_headers = table
        .get("http_headers")
        .and_then(Value::as_object)
        .map(|headers| {
            headers
                .iter()
                .filter_map(|(name, value)| Some((name.clone(), value.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default();
    Ok(Provider {
        id: id.to_owned(),
        base_url: base_url.to_owned(),
        env_key: table
            .get("env_key")
            .and_then(Value::as_str)
            .map(str::to_owned),
        requires_openai_auth: table
            .get("requires_openai_auth")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        request_max_retries: retries("request_max_retries", DEFAULT_REQUEST_MAX_RETRIES),
        stream_max_retries: retries("stream_max_retries", DEFAULT_STREAM_MAX_RETRIES),
        http_headers,
    })
}

#[cfg(test)]
#[path = "provider_tests.rs"]
mod tests;
