//! HTTP clients for berth's network paths (plugin service, bundle downloads, analytics): every
//! [`client_builder`] trusts the extra certificate authorities of the PEM file named by
//! `CODEX_CA_CERTIFICATE`, as Codex does, so a service with a private or test CA works. The
//! variable is read here and nowhere else.

use std::path::Path;
use std::sync::OnceLock;

/// Environment variable naming a PEM file of extra trusted certificate authorities.
pub const CA_CERTIFICATE_ENV: &str = "CODEX_CA_CERTIFICATE";

/// The certificates of `$CODEX_CA_CERTIFICATE`, read once per process. An unreadable or
/// invalid file is reported once with a warning and adds nothing.
pub fn extra_root_certificates() -> &'static [reqwest::Certificate] {
    static CERTIFICATES: OnceLock<Vec<reqwest::Certificate>> = OnceLock::new();
    CERTIFICATES.get_or_init(|| {
        std::env::var_os(CA_CERTIFICATE_ENV)
            .filter(|value| !value.is_empty())
            .map(|path| load_certificates(Path::new(&path)))
            .unwrap_or_default()
    })
}

/// Reads every certificate of a PEM file (a regular file of at most 1 MiB,
/// `BERTH_MAX_CA_CERTIFICATE_BYTES`; a FIFO or `/dev/zero` is reported, never waited on).
pub fn load_certificates(path: &Path) -> Vec<reqwest::Certificate> {
    let pem = match berth_fs::read_bounded(path, berth_fs::FileKind::CaCertificate) {
        Ok(pem) => pem,
        Err(err) => {
            tracing::warn!(path = %path.display(), "ignoring {CA_CERTIFICATE_ENV}: cannot read it: {err}");
            return Vec::new();
        }
    };
    match reqwest::Certificate::from_pem_bundle(&pem) {
        Ok(certificates) => certificates,
        Err(err) => {
            tracing::warn!(path = %path.display(), "ignoring {CA_CERTIFICATE_ENV}: not a PEM certificate: {err}");
            Vec::new()
        }
    }
}

/// A client builder that trusts the extra authorities.
pub fn client_builder() -> reqwest::ClientBuilder {
    let mut builder = reqwest::Client::builder();
    for certificate in extra_root_certificates() {
        builder = builder.add_root_certificate(certificate.clone());
    }
    builder
}

#[cfg(test)]
#[path = "lib_tests.rs"]
mod tests;
