//! `StagedFile` and `sweep_staged`: a file being written is never swept, a dropped one is gone,
//! a persisted one moved, and one whose writer was killed (a real process holding the lock,
//! then killed) is swept.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use berth_fs::{StagedFile, StaleFile, sweep_staged};
use pretty_assertions::assert_eq;

const PREFIX: &str = ".upload-";

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

#[test]
fn a_staged_file_being_written_is_never_swept_and_is_removed_when_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let staged = StagedFile::create(&dir.path().join("staging"), PREFIX).unwrap();
    staged.file().write_all(b"partial").unwrap();
    let name = staged.path().file_name().unwrap().to_str().unwrap();
    assert!(name.starts_with(PREFIX), "{name}");
    assert!(!name.ends_with(".creating"), "{name}");

    assert_eq!(
        sweep_staged(&dir.path().join("staging"), PREFIX, false).unwrap(),
        Vec::new()
    );
    assert!(staged.path().is_file());
    let path = staged.path().to_path_buf();
    drop(staged);
    assert!(!path.exists());
    assert_eq!(names(&dir.path().join("staging")), Vec::<String>::new());
}

#[test]
fn persist_moves_the_contents_into_place_and_leaves_nothing_to_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let staged = StagedFile::create(dir.path(), PREFIX).unwrap();
    staged.file().write_all(b"bundle bytes").unwrap();
    let destination = dir.path().join("final.tar.gz");
    staged.persist(&destination).unwrap();
    assert_eq!(std::fs::read(&destination).unwrap(), b"bundle bytes");
    assert_eq!(sweep_staged(dir.path(), PREFIX, false).unwrap(), Vec::new());
    assert_eq!(names(dir.path()), vec!["final.tar.gz".to_owned()]);
}

/// Starts a process that locks `path` (as a writer does) and sleeps, and waits until it holds
/// the lock; the lock dies with that one process.
fn hold_lock_in_another_process(path: &Path) -> std::process::Child {
    let ready = path.with_extension("ready");
    let child = Command::new("sh")
        .args([
            "-c",
            "exec 9<\"$0\" && flock 9 && touch \"$1\" && exec sleep 60",
        ])
        .arg(path)
        .arg(&ready)
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !ready.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "flock never took the lock"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    std::fs::remove_file(&ready).unwrap();
    child
}

#[test]
fn a_file_whose_writer_was_killed_is_swept_and_a_dry_run_only_reports_it() {
    let dir = tempfile::tempdir().unwrap();
    let leftover: PathBuf = dir.path().join(format!("{PREFIX}killed"));
    let unrelated = dir.path().join("abc.tar.gz");
    for path in [&leftover, &unrelated] {
        #[expect(clippy::disallowed_methods, reason = "test fixture")]
        std::fs::write(path, b"0123456789").unwrap();
    }
    // A live writer in another process: its file is left alone.
    let mut writer = hold_lock_in_another_process(&leftover);
    assert_eq!(sweep_staged(dir.path(), PREFIX, false).unwrap(), Vec::new());
    assert!(leftover.exists());

    writer.kill().unwrap();
    writer.wait().unwrap();
    let expected = vec![StaleFile {
        path: leftover.clone(),
        bytes: 10,
    }];
    assert_eq!(sweep_staged(dir.path(), PREFIX, true).unwrap(), expected);
    assert!(leftover.exists(), "a dry run removed a file");
    assert_eq!(sweep_staged(dir.path(), PREFIX, false).unwrap(), expected);
    assert!(!leftover.exists());
    assert!(unrelated.exists(), "a file without the prefix was swept");
}

#[test]
fn a_file_killed_before_its_lock_is_swept_only_once_old() {
    let dir = tempfile::tempdir().unwrap();
    let creating = dir.path().join(format!("{PREFIX}abc.creating"));
    #[expect(clippy::disallowed_methods, reason = "test fixture")]
    std::fs::write(&creating, b"").unwrap();
    assert_eq!(sweep_staged(dir.path(), PREFIX, false).unwrap(), Vec::new());
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(120);
    std::fs::File::options()
        .write(true)
        .open(&creating)
        .unwrap()
        .set_modified(old)
        .unwrap();
    assert_eq!(
        sweep_staged(dir.path(), PREFIX, false).unwrap(),
        vec![StaleFile {
            path: creating.clone(),
            bytes: 0
        }]
    );
    assert!(!creating.exists());
}

#[test]
fn a_missing_folder_has_nothing_to_sweep() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        sweep_staged(&dir.path().join("absent"), PREFIX, false).unwrap(),
        Vec::new()
    );
}
