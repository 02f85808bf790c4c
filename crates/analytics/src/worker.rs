//! The background task: pulls events off the queue, batches them by count, bytes and age,
//! and delivers each batch (HTTP through the outbox, or the capture file) only when a
//! `ChatGPT` login exists. It starts by draining the outbox of earlier processes in the
//! background, and again after each successful delivery. At shutdown it drains the queue and
//! delivers what it can before the deadline; what the deadline cuts off stays in the outbox.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::batch::Batch;
use crate::client::QueuedEvent;
use crate::delivery::{HttpDelivery, chatgpt_credentials};
use crate::destination::AnalyticsDestination;
use crate::events::TrackEventRequest;
use crate::http::{HttpOutcome, HttpSender};
use crate::outbox::Outbox;
use crate::settings::{AnalyticsSettings, BatchLimits};
use crate::stats::StatsCounters;

/// Where the worker puts batches.
#[derive(Debug)]
enum Sink {
    Http(HttpDelivery),
    #[cfg(debug_assertions)]
    Capture(PathBuf),
    /// The HTTP client could not be built; batches are discarded.
    Unavailable,
}

/// How one batch ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Delivery {
    Delivered,
    Failed,
    SkippedWithoutAuth,
    /// Left in the outbox for a later process.
    Deferred,
    /// Cut off by the shutdown deadline and not in the outbox.
    Lost,
}

/// Owns the receiving end of the queue and the current batch.
pub(crate) struct Worker {
    receiver: mpsc::Receiver<QueuedEvent>,
    shutdown: watch::Receiver<Option<Instant>>,
    stats: Arc<StatsCounters>,
    batch: Batch,
    limits: BatchLimits,
    product_client_id: String,
    codex_home: PathBuf,
    sink: Sink,
    /// The background delivery of the outbox, while it runs.
    drain: Option<JoinHandle<()>>,
}

impl Worker {
    pub(crate) fn new(
        settings: &AnalyticsSettings,
        destination: AnalyticsDestination,
        receiver: mpsc::Receiver<QueuedEvent>,
        shutdown: watch::Receiver<Option<Instant>>,
        stats: Arc<StatsCounters>,
    ) -> Self {
        let sink = match destination {
            AnalyticsDestination::Http { url } => HttpSender::new(
                url,
                &settings.originator,
                &settings.user_agent,
                settings.request_timeout,
                settings.retry,
            )
            .map_or(Sink::Unavailable, |sender| {
                Sink::Http(HttpDelivery {
                    sender,
                    outbox: settings
                        .outbox
                        .map(|limits| Outbox::new(&settings.codex_home, limits)),
                })
            }),
            #[cfg(debug_assertions)]
            AnalyticsDestination::CaptureFile { path } => Sink::Capture(path),
        };
        Self {
            receiver,
            shutdown,
            stats,
            batch: Batch::default(),
            limits: settings.batch,
            product_client_id: settings.originator.clone(),
            codex_home: settings.codex_home.clone(),
            sink,
            drain: None,
        }
    }

    /// Starts delivering the outbox in the background unless that already runs.
    fn start_drain(&mut self) {
        if self
            .drain
            .as_ref()
            .is_some_and(|drain| !drain.is_finished())
        {
            return;
        }
        if let Sink::Http(delivery) = &self.sink {
            self.drain = delivery.spawn_drain(self.codex_home.clone(), Arc::clone(&self.stats));
        }
    }

    /// Runs until shutdown is requested or every client is dropped.
    pub(crate) async fn run(mut self) {
        self.start_drain();
        let mut shutdown_open = true;
        loop {
            let send_at = self.batch.send_at(&self.limits);
            let idle = Instant::now() + Duration::from_secs(24 * 60 * 60);
            tokio::select! {
                biased;
                changed = self.shutdown.changed(), if shutdown_open => {
                    let deadline = *self.shutdown.borrow_and_update();
                    if changed.is_err() {
                        shutdown_open = false;
                    } else if deadline.is_some() {
                        self.finish(deadline).await;
                        return;
                    }
                }
                event = self.receiver.recv() => {
                    if let Some(event) = event {
                        self.accept(event).await;
                    } else {
                        let deadline = *self.shutdown.borrow();
                        self.finish(deadline).await;
                        return;
                    }
                }
                () = tokio::time::sleep_until(send_at.unwrap_or(idle)), if send_at.is_some() => {
                    self.flush().await;
                }
            }
        }
    }

    /// Stops accepting, drains what is queued and delivers it, giving up at `deadline`.
    async fn finish(&mut self, deadline: Option<Instant>) {
        self.receiver.close();
        while let Ok(event) = self.receiver.try_recv() {
            if deadline.is_some_and(|deadline| Instant::now() >= deadline) {
                let remaining = 1 + self.batch.len() + self.receiver.len();
                StatsCounters::add(&self.stats.lost_at_shutdown, count_u64(remaining));
                tracing::warn!(
                    lost = remaining,
                    "analytics shutdown deadline passed; discarding queued events"
                );
                return;
            }
            self.accept(event).await;
        }
        self.flush().await;
        if let Some(drain) = self.drain.take() {
            match deadline {
                Some(deadline) => {
                    let _ = tokio::time::timeout_at(deadline, drain).await;
                }
                None => {
                    let _ = drain.await;
                }
            }
        }
    }

    async fn accept(&mut self, event: QueuedEvent) {
        let event = match event {
            QueuedEvent::Plugin(event) => {
                TrackEventRequest::from_plugin_event(&event, &self.product_client_id)
            }
            QueuedEvent::Raw(value) => TrackEventRequest::Raw(value),
        };
        let bytes = match serde_json::to_vec(&event) {
            Ok(bytes) => bytes,
            Err(err) => {
                tracing::warn!("could not serialize an analytics event: {err}");
                StatsCounters::add(&self.stats.failed, 1);
                return;
            }
        };
        if !self.batch.is_empty() && self.batch.body_len_with(bytes.len()) > self.limits.max_bytes {
            self.flush().await;
        }
        self.batch.push(bytes);
        if self.batch.is_full(&self.limits) {
            self.flush().await;
        }
    }

    /// Delivers the current batch, unless the shutdown deadline passes first.
    async fn flush(&mut self) {
        if self.batch.is_empty() {
            return;
        }
        let (body, count) = self.batch.take_body();
        let count = count_u64(count);
        let delivery = self.deliver(body, count).await;
        let counter = match delivery {
            Delivery::Delivered => &self.stats.delivered,
            Delivery::Failed => &self.stats.failed,
            Delivery::SkippedWithoutAuth => &self.stats.skipped_without_auth,
            Delivery::Deferred => &self.stats.deferred,
            Delivery::Lost => &self.stats.lost_at_shutdown,
        };
        StatsCounters::add(counter, count);
        match delivery {
            // The endpoint is up: send what earlier processes left for it.
            Delivery::Delivered => self.start_drain(),
            Delivery::Deferred => {
                tracing::debug!(
                    events = count,
                    "analytics batch kept in the outbox for later"
                );
            }
            Delivery::Lost => {
                tracing::warn!(
                    lost = count,
                    "analytics shutdown deadline passed during delivery"
                );
            }
            Delivery::Failed | Delivery::SkippedWithoutAuth => {}
        }
    }

    async fn deliver(&self, body: Vec<u8>, count: u64) -> Delivery {
        let Some(credentials) = chatgpt_credentials(self.codex_home.clone()).await else {
            return Delivery::SkippedWithoutAuth;
        };
        let deadline = shutdown_deadline(self.shutdown.clone());
        match &self.sink {
            Sink::Http(delivery) => {
                // Written before the first byte goes out: whatever happens next, the batch
                // is either answered or still in the outbox.
                let pending = delivery.store(&body, count, &credentials).await;
                let stored = pending.stored.is_some();
                tokio::select! {
                    biased;
                    () = deadline => if stored { Delivery::Deferred } else { Delivery::Lost },
                    outcome = delivery.send(&body, &pending, &credentials) => match outcome {
                        HttpOutcome::Delivered => Delivery::Delivered,
                        HttpOutcome::Unreachable if stored => Delivery::Deferred,
                        HttpOutcome::Rejected | HttpOutcome::Unreachable => Delivery::Failed,
                    },
                }
            }
            #[cfg(debug_assertions)]
            Sink::Capture(path) => {
                tokio::select! {
                    biased;
                    () = deadline => Delivery::Lost,
                    delivery = capture(path.clone(), body) => delivery,
                }
            }
            Sink::Unavailable => Delivery::Failed,
        }
    }
}

/// Appends the body to the capture file; a failure is logged and still consumes the batch.
#[cfg(debug_assertions)]
async fn capture(path: PathBuf, body: Vec<u8>) -> Delivery {
    let written = tokio::task::spawn_blocking(move || {
        let result = crate::capture::append_line(&path, &body);
        (path, result)
    })
    .await;
    match written {
        Ok((_, Ok(()))) => Delivery::Delivered,
        Ok((path, Err(err))) => {
            tracing::error!(
                path = %path.display(),
                "failed to capture analytics events; network delivery remains disabled: {err}"
            );
            Delivery::Failed
        }
        Err(err) => {
            tracing::error!(
                "failed to capture analytics events; network delivery remains disabled: {err}"
            );
            Delivery::Failed
        }
    }
}

/// Completes when a shutdown deadline has been set and has passed; never otherwise.
async fn shutdown_deadline(mut shutdown: watch::Receiver<Option<Instant>>) {
    loop {
        let deadline = *shutdown.borrow_and_update();
        if let Some(deadline) = deadline {
            tokio::time::sleep_until(deadline).await;
            return;
        }
        if shutdown.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

fn count_u64(count: usize) -> u64 {
    u64::try_from(count).unwrap_or(u64::MAX)
}
