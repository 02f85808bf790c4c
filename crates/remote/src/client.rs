//! [`RemotePluginClient`]: authenticated JSON requests to the plugin service with Codex's
//! headers, timeout, pagination and error reporting, within [`ClientLimits`]: a response is
//! read only up to its cap while it streams, and a listing stops at a repeated page token or
//! at its page and item caps.

use std::time::Duration;

use berth_auth::CodexAuth;
use berth_service_protocol::{
    DirectoryItem, InstallResponse, InstalledItem, InstalledListResponse, ListResponse, Scope,
    UninstallResponse, paths, query,
};
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use serde_json::de::from_slice;

use crate::env_vars::{MAX_REMOTE_ITEMS_ENV, MAX_REMOTE_PAGES_ENV};
use crate::error::RemoteError;
use crate::limits::ClientLimits;

/// The service base URL when `chatgpt_base_url` is not configured.
pub const DEFAULT_CHATGPT_BASE_URL: &str = "https://chatgpt.com/backend-api";
/// Per-request timeout of catalog calls.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Page size of list calls.
pub(crate) const LIST_PAGE_LIMIT: u32 = 200;
/// How much of an error body is kept in messages.
pub(crate) const MAX_ERROR_BODY_BYTES: usize = 8 * 1024;

/// The credentials the service accepts: a `ChatGPT` bearer token and account id.
#[derive(Clone, PartialEq, Eq)]
pub struct RemoteAuth {
    access_token: String,
    account_id: Option<String>,
}

impl std::fmt::Debug for RemoteAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteAuth")
            .field("account_id", &self.account_id)
            .finish_non_exhaustive()
    }
}

impl RemoteAuth {
    /// Takes the `ChatGPT` credentials from a loaded `auth.json`; no auth and API-key auth
    /// are the spec's two auth errors.
    pub fn from_codex_auth(auth: Option<&CodexAuth>) -> Result<Self, RemoteError> {
        match auth {
            None => Err(RemoteError::AuthRequired),
            Some(CodexAuth::ApiKey { .. }) => Err(RemoteError::UnsupportedAuthMode),
            Some(CodexAuth::ChatGpt {
                access_token,
                account_id,
                ..
            }) => Ok(Self {
                access_token: access_token.clone(),
                account_id: account_id.clone(),
            }),
        }
    }

    /// The account id sent in `chatgpt-account-id`.
    pub fn account_id(&self) -> Option<&str> {
        self.account_id.as_deref()
    }
}

/// How to reach the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteClientOptions {
    /// `chatgpt_base_url` (trailing slashes are trimmed); [`DEFAULT_CHATGPT_BASE_URL`] when unset.
    pub base_url: String,
    /// The `originator` header.
    pub originator: String,
    /// The `User-Agent` header.
    pub user_agent: String,
    /// How much one answer may make the client read.
    pub limits: ClientLimits,
}

impl RemoteClientOptions {
    /// Options for `base_url` (or the default) with berth's originator and user agent.
    pub fn new(base_url: Option<&str>) -> Self {
        Self {
            base_url: base_url
                .unwrap_or(DEFAULT_CHATGPT_BASE_URL)
                .trim_end_matches('/')
                .to_owned(),
            originator: "berth".to_owned(),
            user_agent: format!("berth/{}", env!("CARGO_PKG_VERSION")),
            limits: ClientLimits::from_env(),
        }
    }
}

/// A client for the plugin service, bound to one base URL and one login.
#[derive(Debug, Clone)]
pub struct RemotePluginClient {
    http: reqwest::Client,
    base_url: String,
    limits: ClientLimits,
}

impl RemotePluginClient {
    /// Builds a client sending the auth and Codex headers on every request.
    pub fn new(options: &RemoteClientOptions, auth: &RemoteAuth) -> Result<Self, RemoteError> {
        let mut headers = HeaderMap::new();
        let header =
            |value: &str| HeaderValue::from_str(value).map_err(|_| RemoteError::AuthRequired);
        let mut bearer = header(&format!("Bearer {}", auth.access_token))?;
        bearer.set_sensitive(true);
        headers.insert(AUTHORIZATION, bearer);
        if let Some(account_id) = &auth.account_id {
            headers.insert(query::ACCOUNT_HEADER, header(account_id)?);
        }
        headers.insert("oai-product-sku", HeaderValue::from_static("codex"));
        headers.insert("originator", header(&options.originator)?);
        let http = berth_http::client_builder()
            .default_headers(headers)
            .user_agent(options.user_agent.clone())
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(|source| RemoteError::Request {
                url: options.base_url.clone(),
                source,
            })?;
        Ok(Self {
            http,
            base_url: options.base_url.clone(),
            limits: options.limits,
        })
    }

    /// What one answer may make this client read.
    pub fn limits(&self) -> ClientLimits {
        self.limits
    }

    /// The base URL requests are relative to.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    async fn send<T: serde::de::DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
        url: &str,
    ) -> Result<T, RemoteError> {
        let request_err = |source| RemoteError::Request {
            url: url.to_owned(),
            source,
        };
        let mut response = request.send().await.map_err(request_err)?;
        let status = response.status();
        if !status.is_success() {
            let (bytes, _) = read_capped(&mut response, MAX_ERROR_BODY_BYTES + 1)
                .await
                .map_err(request_err)?;
            return Err(RemoteError::Status {
                url: url.to_owned(),
                status: status.as_u16(),
                body: truncated_body(&bytes),
            });
        }
        let max = self.limits.max_response_bytes;
        let too_large = || RemoteError::ResponseTooLarge {
            url: url.to_owned(),
            max,
        };
        if response.content_length().is_some_and(|length| length > max) {
            return Err(too_large());
        }
        let (bytes, truncated) =
            read_capped(&mut response, usize::try_from(max).unwrap_or(usize::MAX))
                .await
                .map_err(request_err)?;
        if truncated {
            return Err(too_large());
        }
        from_slice(&bytes).map_err(|source| RemoteError::Parse {
            url: url.to_owned(),
            source,
        })
    }

    /// Every page of the listing at `url` with `params` (plus the page limit and token).
    async fn all_pages<P: Paged>(
        &self,
        url: &str,
        mut params: Vec<(&'static str, String)>,
    ) -> Result<Vec<P::Item>, RemoteError> {
        params.push((query::LIMIT, LIST_PAGE_LIMIT.to_string()));
        let mut items = Vec::new();
        let mut seen_tokens = std::collections::HashSet::new();
        for pages in 1.. {
            let page: P = self.send(self.http.get(url).query(&params), url).await?;
            let (page_items, next) = page.into_parts();
            items.extend(page_items);
            if items.len() > self.limits.max_items {
                return Err(RemoteError::TooManyListed {
                    url: url.to_owned(),
                    what: "plugins",
                    max: self.limits.max_items,
                    env: MAX_REMOTE_ITEMS_ENV,
                });
            }
            let Some(next) = next.filter(|next| !next.is_empty()) else {
                return Ok(items);
            };
            if !seen_tokens.insert(next.clone()) {
                return Err(RemoteError::RepeatedPageToken {
                    url: url.to_owned(),
                    token: next,
                    pages,
                });
            }
            if pages >= self.limits.max_pages {
                return Err(RemoteError::TooManyListed {
                    url: url.to_owned(),
                    what: "pages",
                    max: self.limits.max_pages,
                    env: MAX_REMOTE_PAGES_ENV,
                });
            }
            params.retain(|(name, _)| *name != query::PAGE_TOKEN);
            params.push((query::PAGE_TOKEN, next));
        }
        Ok(items)
    }

    /// `GET /ps/plugins/list?scope=..` across all pages.
    pub async fn list_catalog(&self, scope: Scope) -> Result<Vec<DirectoryItem>, RemoteError> {
        let params = vec![(query::SCOPE, scope.as_str().to_owned())];
        self.all_pages::<ListResponse>(&self.url(paths::LIST), params)
            .await
    }

    /// `GET /ps/plugins/workspace/shared` across all pages.
    pub async fn list_shared(&self) -> Result<Vec<DirectoryItem>, RemoteError> {
        self.all_pages::<ListResponse>(&self.url(paths::WORKSPACE_SHARED), Vec::new())
            .await
    }

    /// `GET /ps/plugins/installed` (all scopes) across all pages.
    pub async fn list_installed(
        &self,
        include_download_urls: bool,
    ) -> Result<Vec<InstalledItem>, RemoteError> {
        let mut params = Vec::new();
        if include_download_urls {
            params.push((query::INCLUDE_DOWNLOAD_URLS, "true".to_owned()));
        }
        self.all_pages::<InstalledListResponse>(&self.url(paths::INSTALLED), params)
            .await
    }

    /// `GET /ps/plugins/{id}`.
    pub async fn get_plugin(
        &self,
        remote_id: &str,
        include_download_urls: bool,
    ) -> Result<DirectoryItem, RemoteError> {
        check_remote_id(remote_id)?;
        let url = self.url(&paths::plugin(remote_id));
        let mut request = self.http.get(&url);
        if include_download_urls {
            request = request.query(&[(query::INCLUDE_DOWNLOAD_URLS, "true")]);
        }
        self.send(request, &url).await
    }

    /// `POST /ps/plugins/{id}/install`, checking the echoed id and `enabled: true`.
    pub async fn install(&self, remote_id: &str) -> Result<InstallResponse, RemoteError> {
        check_remote_id(remote_id)?;
        let url = self.url(&paths::install(remote_id));
        let request = self
            .http
            .post(&url)
            .query(&[(query::INCLUDE_APPS_NEEDING_AUTH, "true")]);
        let response: InstallResponse = self.send(request, &url).await?;
        check_mutation(remote_id, &response.id, true, response.enabled)?;
        Ok(response)
    }

    /// `POST /plugins/{id}/uninstall`, checking the echoed id and `enabled: false`.
    pub async fn uninstall(&self, remote_id: &str) -> Result<UninstallResponse, RemoteError> {
        check_remote_id(remote_id)?;
        let url = self.url(&paths::uninstall(remote_id));
        let response: UninstallResponse = self.send(self.http.post(&url), &url).await?;
        check_mutation(remote_id, &response.id, false, response.enabled)?;
        Ok(response)
    }
}

fn check_remote_id(remote_id: &str) -> Result<(), RemoteError> {
    if berth_plugin::is_valid_remote_plugin_id(remote_id) {
        Ok(())
    } else {
        Err(RemoteError::InvalidRemotePluginId {
            id: remote_id.to_owned(),
        })
    }
}

fn check_mutation(
    expected_id: &str,
    actual_id: &str,
    expected_enabled: bool,
    actual_enabled: bool,
) -> Result<(), RemoteError> {
    if actual_id != expected_id {
        return Err(RemoteError::UnexpectedPluginId {
            expected: expected_id.to_owned(),
            actual: actual_id.to_owned(),
        });
    }
    if actual_enabled != expected_enabled {
        return Err(RemoteError::UnexpectedEnabledState {
            id: expected_id.to_owned(),
            expected: expected_enabled,
            actual: actual_enabled,
        });
    }
    Ok(())
}

/// At most `max` bytes of the body of `response`, read chunk by chunk; the flag is true when
/// the body went on past `max` (the rest is never read).
pub(crate) async fn read_capped(
    response: &mut reqwest::Response,
    max: usize,
) -> Result<(Vec<u8>, bool), reqwest::Error> {
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if bytes.len() + chunk.len() > max {
            bytes.extend_from_slice(&chunk[..max - bytes.len()]);
            return Ok((bytes, true));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok((bytes, false))
}

/// Up to 8 KiB of `bytes` as text, marking a cut.
pub(crate) fn truncated_body(bytes: &[u8]) -> String {
    if bytes.len() <= MAX_ERROR_BODY_BYTES {
        return String::from_utf8_lossy(bytes).into_owned();
    }
    let mut text = String::from_utf8_lossy(&bytes[..MAX_ERROR_BODY_BYTES]).into_owned();
    text.push_str(" [response body truncated after ");
    text.push_str(&MAX_ERROR_BODY_BYTES.to_string());
    text.push_str(" bytes]");
    text
}

/// A page of a paginated listing: its items and the token of the next page.
trait Paged: serde::de::DeserializeOwned {
    type Item;
    fn into_parts(self) -> (Vec<Self::Item>, Option<String>);
}

impl Paged for ListResponse {
    type Item = DirectoryItem;
    fn into_parts(self) -> (Vec<DirectoryItem>, Option<String>) {
        (self.plugins, self.pagination.next_page_token)
    }
}

impl Paged for InstalledListResponse {
    type Item = InstalledItem;
    fn into_parts(self) -> (Vec<InstalledItem>, Option<String>) {
        (self.plugins, self.pagination.next_page_token)
    }
}

#[cfg(test)]
#[path = "client_tests.rs"]
mod tests;
