//! Regression test for issue 11 item 11: a recursive copy overflowed the stack on 1,500-deep
//! trees (debug builds).

/// Issue 11 item 11.
#[test]
fn copy_survives_a_tree_1500_folders_deep() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("s");
    let mut deepest = src.clone();
    for _ in 0..1500 {
        deepest.push("d");
    }
    std::fs::create_dir_all(&deepest).unwrap();
    crate::fixture::write(deepest.join("f"), "bottom");
    let dst = dir.path().join("t");
    // A thread with Rust's default 2 MiB stack (as tokio's blocking pool uses), so the result
    // does not depend on the test runner's main-thread stack size.
    let (src_clone, dst_clone) = (src.clone(), dst.clone());
    let report = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || berth_fs::copy_dir_regular(&src_clone, &dst_clone))
        .unwrap()
        .join()
        .expect("the copy must not overflow the stack")
        .unwrap();
    assert!(report.skipped.is_empty());
    let copied = dst.join(deepest.strip_prefix(&src).unwrap()).join("f");
    assert_eq!(std::fs::read_to_string(copied).unwrap(), "bottom");
}
