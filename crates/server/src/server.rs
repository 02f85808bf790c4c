//! Starting the service: [`ServerConfig`], [`start`] (binds, opens storage, serves plain HTTP or
//! TLS through rustls) and [`RunningServer`] (address, URL, graceful shutdown).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject as _;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

use crate::bundles::{BundleStore, LocalBundleStore};
use crate::db::{Db, SqlitePageLimit};
use crate::error::ServeError;
use crate::limits::Limits;
use crate::listener::{Serve, ShutdownHandle, connection_cap};
use crate::routes::{AppState, router};

/// Environment variable overriding the data folder.
pub const DATA_DIR_ENV: &str = "BERTH_SERVE_DATA_DIR";

/// TLS certificate chain and private key, both PEM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsPaths {
    /// Certificate chain.
    pub cert: PathBuf,
    /// Private key.
    pub key: PathBuf,
}

/// How to run `berth serve`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// Address to listen on; port 0 picks a free port.
    pub bind: SocketAddr,
    /// `sqlite://…` or `postgres://…`; `None` means `sqlite://<data_dir>/berth.db`.
    pub database_url: Option<String>,
    /// Folder for the `SQLite` file and bundles.
    pub data_dir: PathBuf,
    /// Origin for absolute bundle URLs (e.g. `https://plugins.example.com`); `None` uses the
    /// bound address.
    pub public_url: Option<String>,
    /// Serve https with this certificate.
    pub tls: Option<TlsPaths>,
    /// Accept Codex's unsigned test JWTs (loopback only).
    pub dev_mode: bool,
    /// Timeouts, connection cap and analytics bounds.
    pub limits: Limits,
    /// Test hook: see [`SqlitePageLimit`].
    #[doc(hidden)]
    pub sqlite_page_limit: Option<SqlitePageLimit>,
}

impl ServerConfig {
    /// Defaults: `127.0.0.1:8787`, `SQLite` under `data_dir`, plain HTTP, no dev mode.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8787)),
            database_url: None,
            data_dir: data_dir.into(),
            public_url: None,
            tls: None,
            dev_mode: false,
            limits: Limits::default(),
            sqlite_page_limit: None,
        }
    }

    /// The database URL in effect.
    pub fn effective_database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| {
            format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("berth.db").display()
            )
        })
    }

    /// The bundle folder.
    pub fn bundle_dir(&self) -> PathBuf {
        self.data_dir.join("bundles")
    }
}

/// Opens the database and bundle store a config names, creating the data folder.
pub async fn open_storage(config: &ServerConfig) -> Result<(Db, LocalBundleStore), ServeError> {
    std::fs::create_dir_all(&config.data_dir).map_err(|source| {
        ServeError::Store(crate::error::StoreError::Bundle {
            path: config.data_dir.clone(),
            source,
        })
    })?;
    let db = Db::connect_with(
        &config.effective_database_url(),
        config.sqlite_page_limit.clone(),
    )
    .await?;
    Ok((db, LocalBundleStore::new(config.bundle_dir())))
}

/// A server that is accepting connections.
#[derive(Debug)]
pub struct RunningServer {
    /// The bound address (with the real port).
    pub local_addr: SocketAddr,
    /// Base URL of the API, e.g. `http://127.0.0.1:8787/backend-api`.
    pub api_url: String,
    /// The most connections served at once (the configured cap, or less under a low
    /// file-descriptor limit).
    pub connection_cap: usize,
    handle: ShutdownHandle,
    task: JoinHandle<()>,
    maintenance: JoinHandle<()>,
    db: Db,
}

impl RunningServer {
    /// Stops accepting, lets in-flight requests finish (up to 5 s) and closes the database.
    pub async fn shutdown(self) -> Result<(), ServeError> {
        self.handle.shutdown();
        self.wait().await
    }

    /// Waits until the server stops.
    pub async fn wait(self) -> Result<(), ServeError> {
        let result = self
            .task
            .await
            .map_err(|join| ServeError::Serve(std::io::Error::other(join)));
        self.maintenance.abort();
        self.db.close().await;
        result
    }

    /// A handle that stops the server when asked.
    pub fn handle(&self) -> ShutdownHandle {
        self.handle.clone()
    }
}

/// Binds, opens storage, and serves in a background task.
pub async fn start(config: ServerConfig) -> Result<RunningServer, ServeError> {
    if config.dev_mode && !config.bind.ip().is_loopback() {
        return Err(ServeError::DevModeNotLoopback { addr: config.bind });
    }
    let (db, bundles) = open_storage(&config).await?;
    let bundles: Arc<dyn BundleStore> = Arc::new(bundles);
    let bind_error = |source| ServeError::Bind {
        addr: config.bind,
        source,
    };
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .map_err(bind_error)?;
    let local_addr = listener.local_addr().map_err(bind_error)?;
    let tls = config.tls.as_ref().map(tls_acceptor).transpose()?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    let origin = format!("{scheme}://{local_addr}");
    let public_url = config.public_url.clone().unwrap_or_else(|| origin.clone());
    let limits = Arc::new(config.limits.clone());
    let state = AppState::new(db.clone(), bundles, &public_url, config.dev_mode)
        .with_limits(config.limits.clone());
    // Load the whole catalog before the first request has to.
    state.catalog.current().await?;
    let app = router(state);
    let cap = connection_cap(limits.max_connections);
    let (handle, stop) = ShutdownHandle::new();
    let maintenance = tokio::spawn(crate::retention::prune_periodically(
        db.clone(),
        limits.events_retention_days,
    ));
    let task = tokio::spawn(
        Serve {
            listener,
            tls,
            app,
            limits,
            cap,
            stop,
        }
        .run(),
    );
    tracing::info!(%local_addr, dev_mode = config.dev_mode, connection_cap = cap, "berth serve listening");
    Ok(RunningServer {
        local_addr,
        api_url: format!("{origin}/backend-api"),
        connection_cap: cap,
        handle,
        task,
        maintenance,
        db,
    })
}

fn tls_acceptor(tls: &TlsPaths) -> Result<TlsAcceptor, ServeError> {
    let error = |source: std::io::Error| ServeError::Tls {
        cert: tls.cert.clone(),
        key: tls.key.clone(),
        source,
    };
    let cert_pem = std::fs::read(&tls.cert).map_err(error)?;
    let key_pem = std::fs::read(&tls.key).map_err(error)?;
    let certs = rustls::pki_types::CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|err| error(std::io::Error::other(err)))?;
    let key = rustls::pki_types::PrivateKeyDer::from_pem_slice(&key_pem)
        .map_err(|err| error(std::io::Error::other(err)))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut server_config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|err| error(std::io::Error::other(err)))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|err| error(std::io::Error::other(err)))?;
    server_config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(server_config)))
}
