//! [`ServiceClient`]: berth's own API of a `berth serve` (`/berth/v1`): who a token is,
//! publishing a packed bundle, release history and the admin commands, each answered with the
//! service's message when it refuses.

use std::time::Duration;

use berth_service_protocol::{
    AccountRequest, AccountResponse, AccountsResponse, AdminPluginsResponse, ChangedResponse,
    CurrentReleaseRequest, ErrorBody, MintedTokenResponse, PublishQuery, PublishResponse,
    ReleasesResponse, Status, StatusRequest, TokenRequest, TokensResponse, WhoAmIResponse,
    admin_paths,
};
use reqwest::{Method, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Timeout of an admin call.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);
/// Timeout of a publish upload (up to the largest bundle).
const UPLOAD_TIMEOUT: Duration = Duration::from_secs(600);

/// Why a call to the service failed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The URL given is not an http(s) URL.
    #[error("`{url}` is not a plugin service URL; give one like `https://plugins.example.com`")]
    InvalidUrl {
        /// The URL as given.
        url: String,
    },
    /// The service could not be reached.
    #[error(
        "could not reach the plugin service at {url}; check the URL and that `berth serve` runs there"
    )]
    Unreachable {
        /// The URL called.
        url: String,
        /// The transport error.
        #[source]
        source: reqwest::Error,
    },
    /// The service refused.
    #[error("the plugin service refused {method} {url} ({status}): {message}")]
    Refused {
        /// The method.
        method: String,
        /// The URL called.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The service's message.
        message: String,
    },
    /// The answer went on past the client's response cap.
    #[error(
        "the answer of {url} is larger than {max} bytes; is it a `berth serve`? ({} raises the cap)",
        crate::env_vars::MAX_RESPONSE_BYTES_ENV
    )]
    TooLarge {
        /// The URL called.
        url: String,
        /// The cap.
        max: usize,
    },
    /// The answer was not what berth's API returns.
    #[error("the answer of {url} is not berth's API; is it a `berth serve`?")]
    Parse {
        /// The URL called.
        url: String,
        /// The decode error.
        #[source]
        source: serde_json::Error,
    },
}

impl ServiceError {
    /// The HTTP status of a refusal.
    pub fn status(&self) -> Option<u16> {
        match self {
            ServiceError::Refused { status, .. } => Some(*status),
            ServiceError::InvalidUrl { .. }
            | ServiceError::Unreachable { .. }
            | ServiceError::TooLarge { .. }
            | ServiceError::Parse { .. } => None,
        }
    }
}

/// The origin of a service named by `url`: `https://host`, `https://host/` and the Codex base
/// URL `https://host/backend-api` all name the same service.
pub fn service_origin(url: &str) -> Result<Url, ServiceError> {
    let invalid = || ServiceError::InvalidUrl {
        url: url.to_owned(),
    };
    let trimmed = url.trim().trim_end_matches('/');
    let trimmed = trimmed.strip_suffix("/backend-api").unwrap_or(trimmed);
    let parsed = Url::parse(trimmed).map_err(|_| invalid())?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
        return Err(invalid());
    }
    Ok(parsed)
}

/// A client of one service with one token.
#[derive(Debug, Clone)]
pub struct ServiceClient {
    origin: Url,
    token: String,
    http: reqwest::Client,
}

impl ServiceClient {
    /// A client of the service at `url` (see [`service_origin`]) sending `token`.
    pub fn new(url: &str, token: &str) -> Result<Self, ServiceError> {
        let origin = service_origin(url)?;
        let http = berth_http::client_builder()
            .user_agent(concat!("berth/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|source| ServiceError::Unreachable {
                url: origin.to_string(),
                source,
            })?;
        Ok(Self {
            origin,
            token: token.to_owned(),
            http,
        })
    }

    /// The service's origin, e.g. `https://plugins.example.com`.
    pub fn origin(&self) -> &str {
        self.origin.as_str().trim_end_matches('/')
    }

    /// The base URL Codex and berth use for the plugin API (`chatgpt_base_url`).
    pub fn api_base_url(&self) -> String {
        format!("{}/backend-api", self.origin())
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin())
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&(impl Serialize + Sync)>,
    ) -> Result<T, ServiceError> {
        let url = self.url(path);
        let mut request = self
            .http
            .request(method.clone(), &url)
            .bearer_auth(&self.token)
            .timeout(CALL_TIMEOUT);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .map_err(|source| ServiceError::Unreachable {
                url: url.clone(),
                source,
            })?;
        decode(method, url, response).await
    }

    /// The token's account, scopes and expiry.
    pub async fn whoami(&self) -> Result<WhoAmIResponse, ServiceError> {
        self.call(Method::GET, admin_paths::WHOAMI, None::<&()>)
            .await
    }

    /// Uploads a packed bundle as a release.
    pub async fn publish(
        &self,
        bundle: Vec<u8>,
        query: &PublishQuery,
    ) -> Result<PublishResponse, ServiceError> {
        let url = self.url(admin_paths::PLUGINS);
        let response = self
            .http
            .post(&url)
            .bearer_auth(&self.token)
            .query(query)
            .header(reqwest::header::CONTENT_TYPE, "application/gzip")
            .timeout(UPLOAD_TIMEOUT)
            .body(bundle)
            .send()
            .await
            .map_err(|source| ServiceError::Unreachable {
                url: url.clone(),
                source,
            })?;
        decode(Method::POST, url, response).await
    }

    /// A plugin's releases, newest first.
    pub async fn releases(&self, plugin: &str) -> Result<ReleasesResponse, ServiceError> {
        let path = format!(
            "{}/{}{}",
            admin_paths::PLUGINS,
            segment(plugin),
            admin_paths::RELEASES_SUFFIX
        );
        self.call(Method::GET, &path, None::<&()>).await
    }

    /// Every plugin (admin).
    pub async fn plugins(&self) -> Result<AdminPluginsResponse, ServiceError> {
        self.call(Method::GET, admin_paths::PLUGINS, None::<&()>)
            .await
    }

    /// Sets a plugin's status (admin).
    pub async fn set_status(
        &self,
        plugin: &str,
        status: Status,
    ) -> Result<ChangedResponse, ServiceError> {
        let path = format!("{}/{}/status", admin_paths::PLUGINS, segment(plugin));
        self.call(Method::PUT, &path, Some(&StatusRequest { status }))
            .await
    }

    /// Withdraws a release (admin).
    pub async fn withdraw(
        &self,
        plugin: &str,
        version: &str,
    ) -> Result<ChangedResponse, ServiceError> {
        let path = format!(
            "{}/{}/releases/{}/withdraw",
            admin_paths::PLUGINS,
            segment(plugin),
            segment(version)
        );
        self.call(Method::POST, &path, None::<&()>).await
    }

    /// Makes a release current again (admin).
    pub async fn roll_back(
        &self,
        plugin: &str,
        version: &str,
    ) -> Result<ChangedResponse, ServiceError> {
        let path = format!("{}/{}/current", admin_paths::PLUGINS, segment(plugin));
        let body = CurrentReleaseRequest {
            version: version.to_owned(),
        };
        self.call(Method::POST, &path, Some(&body)).await
    }

    /// Every account (admin).
    pub async fn accounts(&self) -> Result<AccountsResponse, ServiceError> {
        self.call(Method::GET, admin_paths::ACCOUNTS, None::<&()>)
            .await
    }

    /// Adds an account (admin).
    pub async fn add_account(
        &self,
        request: &AccountRequest,
    ) -> Result<AccountResponse, ServiceError> {
        self.call(Method::POST, admin_paths::ACCOUNTS, Some(request))
            .await
    }

    /// Removes an account with its tokens and installs (admin).
    pub async fn remove_account(&self, id: &str) -> Result<ChangedResponse, ServiceError> {
        let path = format!("{}/{}", admin_paths::ACCOUNTS, segment(id));
        self.call(Method::DELETE, &path, None::<&()>).await
    }

    /// Tokens of `account` or of everyone (admin).
    pub async fn tokens(&self, account: Option<&str>) -> Result<TokensResponse, ServiceError> {
        let path = match account {
            Some(account) => format!("{}?account={}", admin_paths::TOKENS, segment(account)),
            None => admin_paths::TOKENS.to_owned(),
        };
        self.call(Method::GET, &path, None::<&()>).await
    }

    /// Mints a token (admin).
    pub async fn mint_token(
        &self,
        request: &TokenRequest,
    ) -> Result<MintedTokenResponse, ServiceError> {
        self.call(Method::POST, admin_paths::TOKENS, Some(request))
            .await
    }

    /// Revokes a token (admin).
    pub async fn revoke_token(&self, id: &str) -> Result<ChangedResponse, ServiceError> {
        let path = format!("{}/{}", admin_paths::TOKENS, segment(id));
        self.call(Method::DELETE, &path, None::<&()>).await
    }
}

/// Bytes a name given on the command line must not carry raw into a URL path segment or query
/// value: everything but ASCII letters, digits and `-._~`.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `value` as one URL path segment (or query value): a `/`, `?`, `#` or space in a plugin name,
/// version, account or token id stays inside it.
fn segment(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, SEGMENT).to_string()
}

/// The answer of a call: its JSON on success, the service's message on a refusal. Bodies are
/// read only up to the client's response cap (error bodies up to 8 KiB).
async fn decode<T: DeserializeOwned>(
    method: Method,
    url: String,
    mut response: reqwest::Response,
) -> Result<T, ServiceError> {
    let status = response.status();
    let max = if status.is_success() {
        usize::try_from(crate::ClientLimits::from_env().max_response_bytes).unwrap_or(usize::MAX)
    } else {
        crate::client::MAX_ERROR_BODY_BYTES
    };
    let (bytes, cut) = crate::client::read_capped(&mut response, max)
        .await
        .map_err(|source| ServiceError::Unreachable {
            url: url.clone(),
            source,
        })?;
    if status.is_success() {
        if cut {
            return Err(ServiceError::TooLarge { url, max });
        }
        serde_json::from_slice(&bytes).map_err(|source| ServiceError::Parse { url, source })
    } else {
        let message = serde_json::from_slice::<ErrorBody>(&bytes).map_or_else(
            |_| {
                let text = String::from_utf8_lossy(&bytes);
                text.chars().take(512).collect()
            },
            |body| body.error.message,
        );
        Err(ServiceError::Refused {
            method: method.to_string(),
            url,
            status: status.as_u16(),
            message,
        })
    }
}

#[cfg(test)]
#[path = "service_tests.rs"]
mod tests;
