//! A throw-away certificate authority and a server certificate for `localhost` and
//! `127.0.0.1`, so the plugin service can serve https on loopback for demos and tests (release
//! builds of Codex and berth download bundles over https only). Clients trust the CA through
//! `CODEX_CA_CERTIFICATE`.

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, SanType};

use crate::TlsPaths;

/// The files written by [`write_loopback_ca`].
#[derive(Debug, Clone)]
pub struct LoopbackCa {
    /// The CA certificate (PEM) clients should trust.
    pub ca_pem: PathBuf,
    /// The server's certificate chain and key.
    pub tls: TlsPaths,
}

/// Why the certificates could not be made.
#[derive(Debug, thiserror::Error)]
pub enum LoopbackCaError {
    /// Generating or signing failed.
    #[error("failed to generate the loopback test certificates")]
    Generate(#[from] rcgen::Error),
    /// Writing a PEM file failed.
    #[error("failed to write `{}`", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// Writes `ca.pem`, `server.pem` and `server.key` (mode 0600) into `dir`.
pub fn write_loopback_ca(dir: &Path) -> Result<LoopbackCa, LoopbackCaError> {
    let ca_key = KeyPair::generate()?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "berth loopback test CA");
    let ca_cert = ca_params.self_signed(&ca_key)?;
    let issuer = Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate()?;
    let mut params = CertificateParams::new(vec!["localhost".to_owned()])?;
    params
        .subject_alt_names
        .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    let cert = params.signed_by(&key, &issuer)?;
    let ca_pem = dir.join("ca.pem");
    let cert_path = dir.join("server.pem");
    let key_path = dir.join("server.key");
    let write = |path: &Path, text: &str, mode: u32| {
        berth_fs::write_atomic_with_mode(path, text.as_bytes(), mode).map_err(|source| {
            LoopbackCaError::Write {
                path: path.to_path_buf(),
                source,
            }
        })
    };
    write(&ca_pem, &ca_cert.pem(), 0o644)?;
    write(&cert_path, &cert.pem(), 0o644)?;
    write(&key_path, &key.serialize_pem(), 0o600)?;
    Ok(LoopbackCa {
        ca_pem,
        tls: TlsPaths {
            cert: cert_path,
            key: key_path,
        },
    })
}
