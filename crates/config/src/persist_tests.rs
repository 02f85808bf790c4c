//! Tests for `persist`: atomic writes, symlink resolution and the lock.

use pretty_assertions::assert_eq;

use super::*;

#[test]
fn atomic_write_replaces_the_contents_and_leaves_no_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    atomic_write(&path, b"one\n").unwrap();
    atomic_write(&path, b"two\n").unwrap();
    assert_eq!(fs::read(&path).unwrap(), b"two\n");
    let names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["config.toml"]);
}

#[cfg(unix)]
#[test]
fn resolve_symlinks_follows_relative_chains_and_dangling_links() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("real")).unwrap();
    symlink("real/config.toml", dir.path().join("middle.toml")).unwrap();
    symlink("middle.toml", dir.path().join("config.toml")).unwrap();
    assert_eq!(
        resolve_symlinks(&dir.path().join("config.toml")).unwrap(),
        dir.path().join("real/config.toml")
    );
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_is_an_error() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    symlink("b", dir.path().join("a")).unwrap();
    symlink("a", dir.path().join("b")).unwrap();
    assert!(resolve_symlinks(&dir.path().join("a")).is_err());
}

#[test]
fn a_held_lock_makes_a_second_acquire_time_out() {
    let dir = tempfile::tempdir().unwrap();
    let lock_path = dir.path().join("sub").join(".config.toml.berth-lock");
    let held = ConfigLock::acquire(&lock_path, Duration::ZERO).unwrap();
    let second = ConfigLock::acquire(&lock_path, Duration::from_millis(50));
    assert!(matches!(second, Err(LockFailure::TimedOut)));
    drop(held);
    assert!(ConfigLock::acquire(&lock_path, Duration::ZERO).is_ok());
}

#[test]
fn a_waiting_acquire_gets_the_lock_once_it_is_released() {
    let dir = tempfile::tempdir().unwrap();
    let lock_path = dir.path().join(".lock");
    let held = ConfigLock::acquire(&lock_path, Duration::ZERO).unwrap();
    let waiter =
        thread::spawn(move || ConfigLock::acquire(&lock_path, Duration::from_secs(10)).is_ok());
    thread::sleep(Duration::from_millis(50));
    drop(held);
    assert!(waiter.join().unwrap());
}
