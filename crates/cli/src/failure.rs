//! How a failed command ends, for every command alike: the error rendered once (`error:`, one
//! `caused by:` line per source, then any `hint:`), and the exit code. Exit 1 means berth
//! refused or could not do what was asked (bad input or usage, a broken file, a refused or
//! unreachable service, a port in use); exit 2 is kept for the unexpected. A closed stdout
//! (`| head`) is a success.

use std::error::Error as StdError;
use std::fmt;
use std::process::ExitCode;

use crate::commands::UserError;
use crate::printer;

/// An error with a remedy printed after its causes (`hint: ...`). It displays as the error
/// it wraps and continues that error's cause chain.
pub(crate) struct Hinted {
    error: anyhow::Error,
    hint: String,
}

impl fmt::Display for Hinted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl fmt::Debug for Hinted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} (hint: {})", self.error, self.hint)
    }
}

impl StdError for Hinted {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.error.chain().nth(1)
    }
}

/// `error` with `hint` printed after its causes.
pub(crate) fn with_hint(error: impl Into<anyhow::Error>, hint: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Hinted {
        error: error.into(),
        hint: hint.into(),
    })
}

/// Prints `err` and returns the exit code for it.
pub(crate) fn report(err: &anyhow::Error) -> ExitCode {
    if err
        .chain()
        .filter_map(|cause| cause.downcast_ref::<std::io::Error>())
        .any(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    {
        return ExitCode::SUCCESS;
    }
    printer::error(err.to_string());
    for cause in causes(err) {
        printer::note(format!("  caused by: {cause}"));
    }
    for cause in err.chain() {
        if let Some(hinted) = cause.downcast_ref::<Hinted>() {
            printer::hint(&hinted.hint);
        } else if let Some(hint) = known_hint(cause) {
            printer::hint(hint);
        }
    }
    ExitCode::from(exit_code(err))
}

/// The causes of `err` worth a line: a cause that only repeats the line above it (a wrapper
/// naming the plugin around an error that says the same without it) says nothing new.
fn causes(err: &anyhow::Error) -> Vec<String> {
    let mut above = err.to_string();
    let mut lines = Vec::new();
    for cause in err.chain().skip(1) {
        let text = cause.to_string();
        if !above.contains(&text) {
            lines.push(text.clone());
        }
        above = text;
    }
    lines
}

/// The README section on https and certificate authorities.
const CERTIFICATES_SECTION: &str = "the README's section \"Certificates and https\"";

/// Remedies for errors of crates that do not know the command line.
fn known_hint(cause: &(dyn StdError + 'static)) -> Option<String> {
    if let Some(berth_server::ServeError::Bind { addr, .. }) = cause.downcast_ref() {
        return Some(format!(
            "stop the process listening on {addr}, or choose another address with `--bind` (`--bind 127.0.0.1:0` picks a free port)"
        ));
    }
    if let Some(
        berth_remote::RemoteError::UnsupportedDownloadUrlScheme { .. }
        | berth_remote::RemoteError::RedirectedToUnsupportedUrl { .. },
    ) = cause.downcast_ref()
    {
        return Some(format!(
            "plugin bundles are downloaded over https only; the service must serve them over https (see {CERTIFICATES_SECTION})"
        ));
    }
    let unknown_issuer = tls_error(cause).is_some_and(|tls| {
        matches!(
            tls,
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer)
        )
    });
    unknown_issuer.then(|| {
        format!(
            "the service's certificate comes from an authority this machine does not trust; name its CA with CODEX_CA_CERTIFICATE=/path/ca.pem (see {CERTIFICATES_SECTION})"
        )
    })
}

/// 1 when any error in the chain is one berth expects (a refusal), else 2.
pub(crate) fn exit_code(err: &anyhow::Error) -> u8 {
    if err.chain().any(is_expected) { 1 } else { 2 }
}

/// Whether `cause` is a failure berth understands: the user asked for something it cannot do,
/// a file or service is broken or unreachable, or a resource is taken.
fn is_expected(cause: &(dyn StdError + 'static)) -> bool {
    if let Some(hinted) = cause.downcast_ref::<Hinted>() {
        return hinted.error.chain().any(is_expected);
    }
    if let Some(serve) = cause.downcast_ref::<berth_server::ServeError>() {
        return serve.is_expected();
    }
    if let Some(store) = cause.downcast_ref::<berth_server::StoreError>() {
        return matches!(
            store,
            berth_server::StoreError::Connect { .. }
                | berth_server::StoreError::UnsupportedUrl { .. }
                | berth_server::StoreError::UnknownAccount { .. }
        ) || store.is_unavailable();
    }
    cause.is::<UserError>()
        || cause.is::<clap::Error>()
        || cause.is::<berth_core::ManagerError>()
        || cause.is::<berth_remote::RemoteError>()
        || cause.is::<berth_config::ConfigError>()
        || cause.is::<berth_config::OverrideError>()
        || cause.is::<berth_marketplace::MarketplaceError>()
        || cause.is::<berth_store::StoreError>()
        || cause.is::<berth_auth::AuthError>()
        || cause.is::<berth_server::PublishError>()
}

/// The TLS error `cause` is, or carries inside (possibly nested) I/O errors.
fn tls_error<'a>(cause: &'a (dyn StdError + 'static)) -> Option<&'a rustls::Error> {
    let mut current = cause;
    loop {
        if let Some(tls) = current.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        current = current.downcast_ref::<std::io::Error>()?.get_ref()?;
    }
}

#[cfg(test)]
#[path = "failure_tests.rs"]
mod tests;
