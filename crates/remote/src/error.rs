//! Errors of the remote plugin client, install, uninstall and sync.

use std::io;
use std::path::PathBuf;

use berth_bundle::BundleError;
use berth_plugin::PluginIdError;
use berth_store::StoreError;

/// Why a remote plugin operation failed.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    /// No `ChatGPT` login in `$CODEX_HOME/auth.json`.
    #[error("chatgpt authentication required for remote plugin catalog; run `codex login`")]
    AuthRequired,
    /// Logged in with an API key, which the plugin service does not accept.
    #[error(
        "chatgpt authentication required for remote plugin catalog; api key auth is not supported (run `codex login` with a ChatGPT account)"
    )]
    UnsupportedAuthMode,
    /// The request could not be sent or its body could not be read.
    #[error("remote plugin catalog request to {url} failed")]
    Request {
        /// The request URL.
        url: String,
        /// The transport failure.
        #[source]
        source: reqwest::Error,
    },
    /// The service answered with a non-success status.
    #[error("remote plugin catalog request to {url} failed with status {status}: {body}")]
    Status {
        /// The request URL.
        url: String,
        /// The HTTP status code.
        status: u16,
        /// Up to 8 KiB of the response body.
        body: String,
    },
    /// The response body was not the expected JSON.
    #[error("failed to parse remote plugin catalog response from {url}")]
    Parse {
        /// The request URL.
        url: String,
        /// The decoding failure.
        #[source]
        source: serde_json::Error,
    },
    /// The response body grew past [`crate::ClientLimits::max_response_bytes`].
    #[error(
        "remote plugin catalog response from {url} is larger than {max} bytes, the limit (set {} to raise it)",
        crate::env_vars::MAX_RESPONSE_BYTES_ENV
    )]
    ResponseTooLarge {
        /// The request URL.
        url: String,
        /// The limit in bytes.
        max: u64,
    },
    /// The service sent a page token it had sent before: following it would loop for ever.
    #[error(
        "remote plugin catalog at {url} repeated page token `{token}`; stopped after {pages} pages"
    )]
    RepeatedPageToken {
        /// The listing URL.
        url: String,
        /// The repeated token.
        token: String,
        /// Pages read before the repeat was noticed.
        pages: usize,
    },
    /// A listing went past its page or item cap.
    #[error(
        "remote plugin catalog at {url} has more than {max} {what}, the limit (set {env} to raise it)"
    )]
    TooManyListed {
        /// The listing URL.
        url: String,
        /// `pages` or `plugins`.
        what: &'static str,
        /// The limit.
        max: usize,
        /// The variable that overrides it.
        env: &'static str,
    },
    /// A mutation response echoed another plugin id.
    #[error(
        "remote plugin mutation returned unexpected plugin id: expected `{expected}`, got `{actual}`"
    )]
    UnexpectedPluginId {
        /// The id that was sent.
        expected: String,
        /// The id that came back.
        actual: String,
    },
    /// A mutation response reported the wrong enabled state.
    #[error(
        "remote plugin mutation returned unexpected enabled state for `{id}`: expected {expected}, got {actual}"
    )]
    UnexpectedEnabledState {
        /// The plugin id.
        id: String,
        /// The state the mutation should produce.
        expected: bool,
        /// The state reported.
        actual: bool,
    },
    /// A workspace item came without `discoverability`.
    #[error("workspace plugin `{id}` did not include discoverability")]
    MissingDiscoverability {
        /// The backend id.
        id: String,
    },
    /// The id is not a valid backend plugin id.
    #[error(
        "invalid remote plugin id `{id}`; expected letters, digits, `_`, `-` or `~` (e.g. `plugins~Plugin_linear`)"
    )]
    InvalidRemotePluginId {
        /// The rejected id.
        id: String,
    },
    /// The backend name and canonical marketplace do not form a valid local id.
    #[error("backend returned an invalid local plugin id for remote plugin `{id}`")]
    InvalidLocalPluginId {
        /// The backend id.
        id: String,
        /// Why the local id is invalid.
        #[source]
        source: PluginIdError,
    },
    /// An admin disabled the plugin.
    #[error("remote plugin {id} is disabled by admin")]
    DisabledByAdmin {
        /// The backend id.
        id: String,
    },
    /// The plugin's installation policy is `NOT_AVAILABLE`.
    #[error("remote plugin {id} is not available for install")]
    NotAvailable {
        /// The backend id.
        id: String,
    },
    /// The release has no version.
    #[error("backend did not return a release version for remote plugin `{id}`")]
    MissingReleaseVersion {
        /// The backend id.
        id: String,
    },
    /// The release version is not a valid cache folder name.
    #[error("backend returned an invalid release version for remote plugin `{id}`")]
    InvalidReleaseVersion {
        /// The backend id.
        id: String,
        /// Why the version is invalid.
        #[source]
        source: PluginIdError,
    },
    /// The release version starts with a dot, which names hidden cache entries such as the
    /// `.codex-remote-plugin-install.json` sidecar.
    #[error(
        "backend returned release version `{version}` for remote plugin `{id}`; versions starting with `.` name hidden cache entries and are refused (ask the plugin publisher for a new release)"
    )]
    ReservedReleaseVersion {
        /// The backend id.
        id: String,
        /// The refused version.
        version: String,
    },
    /// The release has no bundle URL.
    #[error("backend did not return a download URL for remote plugin `{id}`")]
    MissingDownloadUrl {
        /// The backend id.
        id: String,
    },
    /// The bundle URL does not parse.
    #[error("backend returned an invalid download URL for remote plugin `{id}`: {url}")]
    InvalidDownloadUrl {
        /// The backend id.
        id: String,
        /// The rejected URL.
        url: String,
    },
    /// The bundle URL is not https (or allowed loopback http).
    #[error(
        "backend returned an unsupported download URL scheme for remote plugin `{id}`: {scheme}"
    )]
    UnsupportedDownloadUrlScheme {
        /// The backend id.
        id: String,
        /// The rejected scheme.
        scheme: String,
    },
    /// A redirect led to a URL that would not have been accepted directly.
    #[error("remote plugin bundle download from {url} redirected to unsupported URL {final_url}")]
    RedirectedToUnsupportedUrl {
        /// The URL requested.
        url: String,
        /// Where the redirect pointed.
        final_url: String,
    },
    /// The download failed in transport.
    #[error("failed to download remote plugin bundle from {url}")]
    Download {
        /// The bundle URL.
        url: String,
        /// The transport failure.
        #[source]
        source: reqwest::Error,
    },
    /// The download answered a non-success status.
    #[error("remote plugin bundle download from {url} failed with status {status}: {body}")]
    DownloadStatus {
        /// The bundle URL.
        url: String,
        /// The HTTP status code.
        status: u16,
        /// Up to 8 KiB of the response body.
        body: String,
    },
    /// The bundle is larger than the download limit.
    #[error(
        "remote plugin bundle download from {url} exceeded maximum size of {max} bytes (set {} to raise it)",
        crate::env_vars::MAX_BUNDLE_DOWNLOAD_BYTES_ENV
    )]
    DownloadTooLarge {
        /// The bundle URL.
        url: String,
        /// The limit in bytes.
        max: u64,
    },
    /// The downloaded bytes do not match the digest the service published.
    #[error(
        "remote plugin bundle from {url} has sha256 {actual}, expected {expected}; the download is corrupt or was replaced, retry or ask the plugin publisher"
    )]
    DigestMismatch {
        /// The bundle URL.
        url: String,
        /// The digest from the service.
        expected: String,
        /// The digest of the downloaded bytes.
        actual: String,
    },
    /// The bundle could not be extracted.
    #[error("failed to extract the bundle of remote plugin `{id}`")]
    Extract {
        /// The backend id.
        id: String,
        /// The extraction failure.
        #[source]
        source: BundleError,
    },
    /// The bundle's manifest names another plugin.
    #[error(
        "remote plugin `{id}` bundle manifest name `{actual}` does not match backend plugin name `{expected}`"
    )]
    ManifestNameMismatch {
        /// The backend id.
        id: String,
        /// The backend name.
        expected: String,
        /// The manifest name (empty when missing).
        actual: String,
    },
    /// Reading or rewriting an extracted manifest or app manifest failed.
    #[error("failed to update `{}` in the extracted remote plugin bundle", path.display())]
    ManifestRewrite {
        /// The file.
        path: PathBuf,
        /// The failure.
        #[source]
        source: io::Error,
    },
    /// The staging folder could not be created.
    #[error("failed to create remote plugin install staging folder under `{}`", path.display())]
    Staging {
        /// The staging root.
        path: PathBuf,
        /// The failure.
        #[source]
        source: io::Error,
    },
    /// The staging folder's lock could not be taken.
    #[error("failed to lock the remote plugin install staging folder")]
    StagingLock {
        /// The lock failure.
        #[source]
        source: berth_fs::LockError,
    },
    /// A cache operation failed.
    #[error("failed to update the plugin cache for `{id}`")]
    Store {
        /// The local plugin id.
        id: String,
        /// The store failure.
        #[source]
        source: StoreError,
    },
    /// Removing a cache entry failed.
    #[error("failed to remove remote plugin cache entry `{}`", path.display())]
    CacheRemove {
        /// The entry.
        path: PathBuf,
        /// The failure.
        #[source]
        source: io::Error,
    },
    /// A blocking task panicked or was cancelled.
    #[error("failed to join remote plugin bundle install task")]
    Join(#[source] tokio::task::JoinError),
    /// Another sync is already running for this cache.
    #[error("a remote plugin bundle sync is already running for `{}`; wait for it to finish", cache_root.display())]
    SyncInFlight {
        /// The cache root.
        cache_root: PathBuf,
    },
}

impl RemoteError {
    /// Whether the failure is about missing or unsupported auth (clears the snapshot).
    pub fn is_auth_error(&self) -> bool {
        match self {
            Self::AuthRequired | Self::UnsupportedAuthMode => true,
            Self::Status { status, .. } => *status == 401,
            _ => false,
        }
    }
}
