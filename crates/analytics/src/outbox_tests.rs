use std::os::unix::fs::PermissionsExt as _;

use pretty_assertions::assert_eq;

use super::*;

const URL: &str = "http://127.0.0.1:9/backend-api/codex/analytics-events/events";

fn outbox(home: &Path, limits: OutboxLimits) -> Outbox {
    Outbox::new(home, limits)
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn each_batch_is_one_private_file_read_back_oldest_first_for_its_endpoint() {
    let home = tempfile::tempdir().unwrap();
    let outbox = outbox(home.path(), OutboxLimits::default());
    let first = outbox
        .store(URL, Some("acct"), b"{\"events\":[1]}".to_vec(), 1)
        .unwrap();
    std::thread::sleep(Duration::from_millis(2));
    let second = outbox
        .store(URL, Some("acct"), b"{\"events\":[2,3]}".to_vec(), 2)
        .unwrap();
    outbox
        .store("http://elsewhere/events", None, b"{}".to_vec(), 1)
        .unwrap();
    assert_ne!(first.id, second.id);
    assert_eq!(mode(&first.path), 0o600);
    assert_eq!(mode(&home.path().join(OUTBOX_DIR)), 0o700);
    assert_eq!(outbox.pending(URL), vec![first.clone(), second]);
    first.remove();
    assert_eq!(outbox.pending(URL).len(), 1);
    assert!(outbox.has_pending());
}

#[test]
fn the_count_and_byte_bounds_drop_the_oldest_batches_and_count_them() {
    let home = tempfile::tempdir().unwrap();
    let limits = OutboxLimits {
        max_batches: 2,
        ..OutboxLimits::default()
    };
    let outbox = outbox(home.path(), limits);
    let mut stored = Vec::new();
    for events in 1..=4 {
        stored.push(outbox.store(URL, None, vec![b'x'; 10], events).unwrap());
        std::thread::sleep(Duration::from_millis(2));
    }
    assert_eq!(outbox.pending(URL), stored[2..].to_vec());
    assert_eq!(
        outbox_dropped(home.path()),
        OutboxDropped {
            batches: 2,
            events: 1 + 2
        }
    );

    let small = outbox_with_bytes(home.path(), 1);
    small.enforce_limits();
    assert_eq!(small.pending(URL), Vec::new());
    assert_eq!(
        outbox_dropped(home.path()),
        OutboxDropped {
            batches: 4,
            events: 10
        }
    );
}

fn outbox_with_bytes(home: &Path, max_bytes: u64) -> Outbox {
    outbox(
        home,
        OutboxLimits {
            max_bytes,
            ..OutboxLimits::default()
        },
    )
}

#[test]
fn batches_past_the_age_bound_and_unreadable_files_are_dropped_and_counted() {
    let home = tempfile::tempdir().unwrap();
    let outbox = outbox(home.path(), OutboxLimits::default());
    let fresh = outbox.store(URL, None, b"{}".to_vec(), 1).unwrap();
    // A batch written eight days ago, as its name says.
    let old_ms = millis_since_epoch(SystemTime::now()) - 8 * 24 * 60 * 60 * 1000;
    let old = fresh
        .path
        .with_file_name(format!("{old_ms:013}-old{BATCH_SUFFIX}"));
    fs::copy(&fresh.path, &old).unwrap();
    let broken = fresh
        .path
        .with_file_name(format!("{:013}-broken{BATCH_SUFFIX}", old_ms + 1));
    berth_fs::write_atomic(&broken, b"not a batch").unwrap();
    outbox.enforce_limits();
    assert!(!old.exists());
    assert_eq!(outbox.pending(URL), vec![fresh]);
    assert!(!broken.exists());
    assert_eq!(
        outbox_dropped(home.path()),
        OutboxDropped {
            batches: 2,
            events: 1
        }
    );
}

#[test]
fn one_process_at_a_time_delivers() {
    let home = tempfile::tempdir().unwrap();
    let outbox = outbox(home.path(), OutboxLimits::default());
    let held = outbox.try_lock_delivery();
    assert!(held.is_some());
    assert!(outbox.try_lock_delivery().is_none());
    drop(held);
    assert!(outbox.try_lock_delivery().is_some());
}
