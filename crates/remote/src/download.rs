//! Bundle URL validation and the verified download: https only (loopback http only in debug
//! builds when allowed), redirects re-checked, 60 s timeout, 50 MiB cap on `Content-Length`
//! and while streaming, SHA-256 checked when the service publishes a digest.

use std::net::IpAddr;
use std::time::Duration;

use berth_plugin::{PluginId, validate_plugin_version_segment};
use berth_service_protocol::DirectoryItem;
use reqwest::Url;
use reqwest::header::LOCATION;
use serde_json::Value;

use crate::client::truncated_body;
use crate::error::RemoteError;
use crate::marketplace::local_plugin_id;

/// The env var that lets debug builds download bundles over plain http from loopback hosts.
pub const ALLOW_HTTP_BUNDLE_DOWNLOADS_ENV: &str =
    "CODEX_TEST_ALLOW_HTTP_REMOTE_PLUGIN_BUNDLE_DOWNLOADS";
/// The download size cap: 50 MiB.
pub const MAX_BUNDLE_DOWNLOAD_BYTES: u64 = berth_bundle::MAX_BUNDLE_BYTES;
const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(60);

/// Which bundle URLs are acceptable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BundleUrlPolicy {
    /// Allow `http://` to `127.0.0.1`, `::1` or `localhost`. Has no effect in release builds.
    pub allow_http_loopback: bool,
}

impl BundleUrlPolicy {
    /// The policy from the process environment: the one place
    /// [`ALLOW_HTTP_BUNDLE_DOWNLOADS_ENV`] is read. Callers pass the result down.
    pub fn from_env() -> Self {
        Self {
            allow_http_loopback: std::env::var(ALLOW_HTTP_BUNDLE_DOWNLOADS_ENV)
                .is_ok_and(|value| value == "1"),
        }
    }

    /// Whether `url` may be fetched.
    pub fn allows(self, url: &Url) -> bool {
        match url.scheme() {
            "https" => true,
            "http" => cfg!(debug_assertions) && self.allow_http_loopback && is_loopback(url),
            _ => false,
        }
    }
}

fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

/// A release that passed validation and can be downloaded and installed.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidatedRemotePluginBundle {
    /// `<backend name>@<canonical marketplace>`.
    pub plugin_id: PluginId,
    /// The release version, the cache folder name.
    pub plugin_version: String,
    /// The backend id, written to the sidecar.
    pub remote_plugin_id: String,
    /// The backend app manifest (written into global bundles only).
    pub app_manifest: Option<Value>,
    /// The bundle URL.
    pub bundle_download_url: Url,
    /// The published SHA-256 of the bundle, lowercase hex, when the service gives one.
    pub bundle_sha256: Option<String>,
}

/// Checks the local id, release version and bundle URL of `item`.
pub fn validate_remote_plugin_bundle(
    item: &DirectoryItem,
    policy: BundleUrlPolicy,
) -> Result<ValidatedRemotePluginBundle, RemoteError> {
    let id = item.id.clone();
    let plugin_id = local_plugin_id(item)?;
    let version = item
        .release
        .version
        .as_deref()
        .map(str::trim)
        .filter(|version| !version.is_empty())
        .ok_or_else(|| RemoteError::MissingReleaseVersion { id: id.clone() })?;
    validate_plugin_version_segment(version).map_err(|source| {
        RemoteError::InvalidReleaseVersion {
            id: id.clone(),
            source,
        }
    })?;
    // A version folder beside the sidecar must never be named like it, or like any other
    // hidden entry berth or Codex keeps there.
    if version.starts_with('.') {
        return Err(RemoteError::ReservedReleaseVersion {
            id,
            version: version.to_owned(),
        });
    }
    let raw_url = item
        .release
        .bundle_download_url
        .as_deref()
        .map(str::trim)
        .filter(|url| !url.is_empty())
        .ok_or_else(|| RemoteError::MissingDownloadUrl { id: id.clone() })?;
    let url = Url::parse(raw_url).map_err(|_| RemoteError::InvalidDownloadUrl {
        id: id.clone(),
        url: raw_url.to_owned(),
    })?;
    if !policy.allows(&url) {
        return Err(RemoteError::UnsupportedDownloadUrlScheme {
            id,
            scheme: url.scheme().to_owned(),
        });
    }
    Ok(ValidatedRemotePluginBundle {
        plugin_id,
        plugin_version: version.to_owned(),
        remote_plugin_id: id,
        app_manifest: item.release.app_manifest.clone(),
        bundle_download_url: url,
        bundle_sha256: item
            .release
            .bundle_sha256
            .as_deref()
            .map(|digest| digest.trim().to_ascii_lowercase())
            .filter(|digest| !digest.is_empty()),
    })
}

/// Reports download progress (a terminal progress bar, or nothing).
pub trait DownloadProgress: Send + Sync {
    /// A sync moves on to the `position`-th (1-based) of `total` plugins to download; the
    /// download that follows is this plugin's. Single installs do not call it.
    fn item(&self, _position: usize, _total: usize, _plugin: &berth_plugin::PluginId) {}
    /// The download started; `total` is the `Content-Length` when known.
    fn start(&self, total: Option<u64>);
    /// `bytes` more arrived.
    fn advance(&self, bytes: u64);
    /// The download ended (successfully or not).
    fn finish(&self);
}

/// A [`DownloadProgress`] that shows nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl DownloadProgress for NoProgress {
    fn start(&self, _total: Option<u64>) {}
    fn advance(&self, _bytes: u64) {}
    fn finish(&self) {}
}

/// Builds the client used for bundle downloads: no auth headers, 60 s timeout, redirects
/// followed only to URLs `policy` allows.
pub(crate) fn download_http_client(
    policy: BundleUrlPolicy,
) -> Result<reqwest::Client, reqwest::Error> {
    berth_http::client_builder()
        .timeout(DOWNLOAD_TIMEOUT)
        .redirect(reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= 10 {
                attempt.stop()
            } else if policy.allows(attempt.url()) {
                attempt.follow()
            } else {
                // Stop here; the caller sees the redirect and reports its target.
                attempt.stop()
            }
        }))
        .build()
}

/// Downloads the bundle into memory, enforcing `max_bytes` and verifying the digest.
pub async fn download_bundle(
    http: &reqwest::Client,
    bundle: &ValidatedRemotePluginBundle,
    policy: BundleUrlPolicy,
    max_bytes: u64,
    progress: &dyn DownloadProgress,
) -> Result<Vec<u8>, RemoteError> {
    let url = bundle.bundle_download_url.to_string();
    let download_err = |source| RemoteError::Download {
        url: url.clone(),
        source,
    };
    tracing::info!(url = %url, plugin_id = %bundle.plugin_id, "downloading remote plugin bundle");
    let mut response = http
        .get(bundle.bundle_download_url.clone())
        .send()
        .await
        .map_err(download_err)?;
    let status = response.status();
    if status.is_redirection() {
        let target = response
            .headers()
            .get(LOCATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|location| response.url().join(location).ok())
            .map_or_else(|| response.url().to_string(), |target| target.to_string());
        return Err(RemoteError::RedirectedToUnsupportedUrl {
            url,
            final_url: target,
        });
    }
    if !policy.allows(response.url()) {
        return Err(RemoteError::RedirectedToUnsupportedUrl {
            url,
            final_url: response.url().to_string(),
        });
    }
    if !status.is_success() {
        let (body, _) =
            crate::client::read_capped(&mut response, crate::client::MAX_ERROR_BODY_BYTES + 1)
                .await
                .map_err(download_err)?;
        return Err(RemoteError::DownloadStatus {
            url,
            status: status.as_u16(),
            body: truncated_body(&body),
        });
    }
    let too_large = || RemoteError::DownloadTooLarge {
        url: url.clone(),
        max: max_bytes,
    };
    let declared = response.content_length();
    if declared.is_some_and(|length| length > max_bytes) {
        return Err(too_large());
    }
    progress.start(declared);
    let capacity = declared.map_or(0, |length| usize::try_from(length).unwrap_or(0));
    let mut bytes = Vec::with_capacity(capacity);
    let result = async {
        while let Some(chunk) = response.chunk().await.map_err(download_err)? {
            if (bytes.len() + chunk.len()) as u64 > max_bytes {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
            progress.advance(chunk.len() as u64);
        }
        Ok(())
    }
    .await;
    progress.finish();
    result?;
    if let Some(expected) = &bundle.bundle_sha256 {
        let actual = berth_bundle::sha256_hex(&bytes);
        if &actual != expected {
            return Err(RemoteError::DigestMismatch {
                url,
                expected: expected.clone(),
                actual,
            });
        }
    }
    Ok(bytes)
}

#[cfg(test)]
#[path = "download_tests.rs"]
mod tests;
