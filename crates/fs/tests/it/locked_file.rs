//! `LockedFile`: exclusion across handles and threads, timeout text, env parsing.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use berth_fs::{DEFAULT_LOCK_TIMEOUT, LOCK_TIMEOUT_ENV, LockedFile, lock_timeout_from_env_value};
use pretty_assertions::assert_eq;

#[test]
fn acquire_creates_parent_directories_and_the_lock_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("locks/nested/plugin.lock");
    let lock = LockedFile::acquire_with_timeout(&path, "plugin", Duration::from_secs(1)).unwrap();
    assert_eq!(lock.path(), path.as_path());
    assert!(path.is_file());
}

#[test]
fn a_held_lock_times_out_with_a_message_naming_path_resource_and_variable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plugin.lock");
    let _held = LockedFile::acquire_with_timeout(&path, "sample@debug", Duration::ZERO).unwrap();
    let err = LockedFile::acquire_with_timeout(&path, "sample@debug", Duration::from_millis(50))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "timed out after 50ms waiting for the lock on `{}` (sample@debug); another berth or codex process may hold it (set BERTH_LOCK_TIMEOUT to wait longer)",
            path.display()
        )
    );
}

#[test]
fn timeout_message_uses_whole_seconds_for_the_default() {
    let err = berth_fs::LockError::Timeout {
        path: "/home/u/.codex/plugins/cache/.berth-locks/debug/sample.lock".into(),
        resource: "plugin sample@debug".to_owned(),
        timeout: DEFAULT_LOCK_TIMEOUT,
    };
    assert_eq!(
        err.to_string(),
        "timed out after 120s waiting for the lock on `/home/u/.codex/plugins/cache/.berth-locks/debug/sample.lock` (plugin sample@debug); another berth or codex process may hold it (set BERTH_LOCK_TIMEOUT to wait longer)"
    );
}

#[test]
fn dropping_the_guard_releases_the_lock() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plugin.lock");
    let held = LockedFile::acquire_with_timeout(&path, "r", Duration::ZERO).unwrap();
    drop(held);
    LockedFile::acquire_with_timeout(&path, "r", Duration::ZERO).unwrap();
}

#[test]
fn a_waiter_gets_the_lock_once_the_holder_releases_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plugin.lock");
    let held = LockedFile::acquire_with_timeout(&path, "r", Duration::ZERO).unwrap();
    let waiter = std::thread::spawn(move || {
        LockedFile::acquire_with_timeout(&path, "r", Duration::from_secs(10)).map(|_| ())
    });
    std::thread::sleep(Duration::from_millis(100));
    assert!(!waiter.is_finished());
    drop(held);
    waiter.join().unwrap().unwrap();
}

#[test]
fn threads_never_hold_the_lock_at_the_same_time() {
    let dir = tempfile::tempdir().unwrap();
    let path = Arc::new(dir.path().join("plugin.lock"));
    let inside = Arc::new(AtomicUsize::new(0));
    let max_inside = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let (path, inside, max_inside) = (path.clone(), inside.clone(), max_inside.clone());
            std::thread::spawn(move || {
                for _ in 0..20 {
                    let _lock =
                        LockedFile::acquire_with_timeout(&path, "r", Duration::from_secs(30))
                            .unwrap();
                    let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                    max_inside.fetch_max(now, Ordering::SeqCst);
                    std::thread::yield_now();
                    inside.fetch_sub(1, Ordering::SeqCst);
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(max_inside.load(Ordering::SeqCst), 1);
}

#[test]
fn lock_timeout_env_value_is_parsed_as_seconds() {
    assert_eq!(LOCK_TIMEOUT_ENV, "BERTH_LOCK_TIMEOUT");
    assert_eq!(lock_timeout_from_env_value(None), Duration::from_secs(120));
    assert_eq!(
        lock_timeout_from_env_value(Some(" 5 ")),
        Duration::from_secs(5)
    );
    assert_eq!(
        lock_timeout_from_env_value(Some("soon")),
        DEFAULT_LOCK_TIMEOUT
    );
}

#[test]
fn try_acquire_never_waits_and_shared_holders_coexist() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("staging.lock");
    let timeout = std::time::Duration::from_secs(1);
    let first = berth_fs::LockedFile::acquire_shared_with_timeout(&path, "t", timeout).unwrap();
    let second = berth_fs::LockedFile::acquire_shared_with_timeout(&path, "t", timeout).unwrap();
    assert!(
        berth_fs::LockedFile::try_acquire(&path, "t")
            .unwrap()
            .is_none()
    );
    drop((first, second));
    let exclusive = berth_fs::LockedFile::try_acquire(&path, "t").unwrap();
    assert!(exclusive.is_some());
    let err = berth_fs::LockedFile::acquire_shared_with_timeout(
        &path,
        "t",
        std::time::Duration::from_millis(20),
    )
    .unwrap_err();
    assert!(matches!(err, berth_fs::LockError::Timeout { .. }));
}
