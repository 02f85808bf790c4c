//! Running independent jobs (one per marketplace or repository) on a few threads: most of
//! their time is spent waiting on `git` and the network, not on the CPU.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Most jobs in flight at once.
const MAX_WORKERS: usize = 8;

/// `job` applied to every item, on up to [`MAX_WORKERS`] threads; results in item order.
pub(crate) fn map_parallel<T, R>(items: &[T], job: impl Fn(&T) -> R + Sync) -> Vec<R>
where
    T: Sync,
    R: Send,
{
    let workers = items.len().min(MAX_WORKERS);
    if workers <= 1 {
        return items.iter().map(job).collect();
    }
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new(items.iter().map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(index) else { break };
                    let result = job(item);
                    results
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)[index] = Some(result);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .into_iter()
        .flatten()
        .collect()
}

#[cfg(test)]
#[path = "parallel_tests.rs"]
mod tests;
