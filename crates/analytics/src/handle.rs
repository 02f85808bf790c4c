//! Starting the pipeline and stopping it: [`AnalyticsClient::start`] spawns the background
//! task on the current tokio runtime, or on a dedicated runtime thread for synchronous
//! callers; [`AnalyticsHandle`] flushes and stops it within a deadline.

use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{Notify, mpsc, watch};
use tokio::time::Instant;

use crate::client::AnalyticsClient;
use crate::destination::AnalyticsDestination;
use crate::settings::AnalyticsSettings;
use crate::stats::{AnalyticsStats, StatsCounters};
use crate::worker::Worker;

/// Extra wait beyond the deadline for the task to report that it stopped (it stops at the
/// deadline itself; this only covers waking up).
const SHUTDOWN_GRACE: Duration = Duration::from_millis(20);

/// What [`AnalyticsHandle::shutdown`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShutdownReport {
    /// Whether the background task finished before the deadline (plus a short grace).
    pub finished: bool,
    /// Final counters.
    pub stats: AnalyticsStats,
}

/// Stops the background task. Dropping it without calling a shutdown method leaves the
/// task running until every client is dropped.
#[derive(Debug)]
pub struct AnalyticsHandle {
    shutdown: Option<watch::Sender<Option<Instant>>>,
    done: Arc<DoneSignal>,
    stats: Arc<StatsCounters>,
}

/// Set once by the task when it stops; waitable from sync and async code.
#[derive(Debug, Default)]
struct DoneSignal {
    done: Mutex<bool>,
    condvar: Condvar,
    notify: Notify,
}

impl DoneSignal {
    fn set(&self) {
        *self.done.lock().unwrap_or_else(PoisonError::into_inner) = true;
        self.condvar.notify_all();
        self.notify.notify_waiters();
    }

    fn is_set(&self) -> bool {
        *self.done.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn wait_blocking(&self, timeout: Duration) -> bool {
        let guard = self.done.lock().unwrap_or_else(PoisonError::into_inner);
        let (guard, _) = self
            .condvar
            .wait_timeout_while(guard, timeout, |done| !*done)
            .unwrap_or_else(PoisonError::into_inner);
        *guard
    }

    async fn wait(&self) {
        loop {
            let notified = self.notify.notified();
            if self.is_set() {
                return;
            }
            notified.await;
        }
    }
}

impl AnalyticsClient {
    /// Starts the pipeline for `settings`: a disabled client if the user opted out
    /// (`enabled = false` or `DO_NOT_TRACK`), else a client over a bounded queue whose
    /// background task runs on the current tokio runtime or, when there is none, on a
    /// dedicated runtime thread. The destination (HTTP or debug capture file) is chosen
    /// here, once.
    pub fn start(settings: &AnalyticsSettings) -> (Self, AnalyticsHandle) {
        let stats = Arc::new(StatsCounters::default());
        if !settings.is_collection_enabled() {
            tracing::debug!("analytics disabled by configuration or DO_NOT_TRACK");
            return (Self::disabled(), AnalyticsHandle::finished(stats));
        }
        let destination = AnalyticsDestination::from_base_url_and_capture_file(
            &settings.base_url,
            settings.capture_file.clone(),
        );
        let (sender, receiver) = mpsc::channel(settings.queue_capacity.max(1));
        let (shutdown_tx, shutdown_rx) = watch::channel(None);
        let done = Arc::new(DoneSignal::default());
        let worker = Worker::new(
            settings,
            destination,
            receiver,
            shutdown_rx,
            Arc::clone(&stats),
        );
        let task_done = Arc::clone(&done);
        let task = async move {
            worker.run().await;
            task_done.set();
        };
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(task);
        } else if let Err(err) = spawn_runtime_thread(task) {
            tracing::warn!("analytics disabled: could not start its runtime thread: {err}");
            return (Self::disabled(), AnalyticsHandle::finished(stats));
        }
        let client = Self::with_queue(sender, Arc::clone(&stats));
        let handle = AnalyticsHandle {
            shutdown: Some(shutdown_tx),
            done,
            stats,
        };
        (client, handle)
    }
}

fn spawn_runtime_thread(
    task: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    std::thread::Builder::new()
        .name("berth-analytics".to_owned())
        .spawn(move || {
            runtime.block_on(task);
            // Blocking reads or writes still running after the deadline must not hold
            // the thread.
            runtime.shutdown_background();
        })?;
    Ok(())
}

impl AnalyticsHandle {
    fn finished(stats: Arc<StatsCounters>) -> Self {
        let done = Arc::new(DoneSignal::default());
        done.set();
        Self {
            shutdown: None,
            done,
            stats,
        }
    }

    /// Counters so far.
    pub fn stats(&self) -> AnalyticsStats {
        self.stats.snapshot()
    }

    /// Flushes what is queued and stops the task, waiting at most `deadline` (plus a
    /// short grace). For async callers; a shutdown never waits on the network longer than
    /// `deadline`.
    pub async fn shutdown(mut self, deadline: Duration) -> ShutdownReport {
        self.signal(deadline);
        let finished = tokio::time::timeout(deadline + SHUTDOWN_GRACE, self.done.wait())
            .await
            .is_ok();
        self.report(finished)
    }

    /// Like [`AnalyticsHandle::shutdown`], blocking the calling thread. For synchronous
    /// callers (the CLI); do not call it on a single-threaded runtime that also runs the
    /// task, or it can only end at the deadline.
    pub fn shutdown_blocking(mut self, deadline: Duration) -> ShutdownReport {
        self.signal(deadline);
        let finished = self.done.wait_blocking(deadline + SHUTDOWN_GRACE);
        self.report(finished)
    }

    fn signal(&mut self, deadline: Duration) {
        if let Some(shutdown) = self.shutdown.take() {
            let deadline = Instant::now() + deadline;
            // A send error means the task already stopped.
            let _ = shutdown.send(Some(deadline));
        }
    }

    fn report(&self, finished: bool) -> ShutdownReport {
        let stats = self.stats.snapshot();
        if stats.dropped > 0 || stats.lost_at_shutdown > 0 {
            tracing::warn!(
                dropped = stats.dropped,
                lost_at_shutdown = stats.lost_at_shutdown,
                "analytics stopped with undelivered events"
            );
        }
        if !finished {
            // Batches are in the outbox before they are sent, so this only means the task was
            // still waiting on the network (or not scheduled in time).
            tracing::debug!(
                "analytics did not stop before the deadline; the outbox keeps what is undelivered"
            );
        }
        ShutdownReport { finished, stats }
    }
}
