use std::time::{Duration, Instant};

use super::load_certificates;

/// A `CODEX_CA_CERTIFICATE` that is a FIFO nobody writes to was waited on for ever, and one
/// linked to `/dev/zero` was read without end: both are now refused at once with a warning.
#[test]
fn a_fifo_or_endless_certificate_file_is_refused_without_waiting() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("ca.pem");
    berth_test_support::mkfifo(&fifo);
    let endless = dir.path().join("zero.pem");
    std::os::unix::fs::symlink("/dev/zero", &endless).unwrap();
    let oversized = dir.path().join("big.pem");
    berth_test_support::write(&oversized, &"A".repeat(2 * 1024 * 1024));
    for path in [&fifo, &endless, &oversized] {
        let started = Instant::now();
        assert!(load_certificates(path).is_empty(), "{}", path.display());
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{} took {:?}",
            path.display(),
            started.elapsed()
        );
    }
}

#[test]
fn a_pem_file_of_certificates_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ca.pem");
    let certificate = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    berth_test_support::write(&path, &certificate.cert.pem());
    assert_eq!(load_certificates(&path).len(), 1);
}
