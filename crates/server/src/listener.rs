//! Accepting connections within bounds: at most a capped number served at once (below the
//! process's file-descriptor limit), the rest answered 503 at once and closed instead of
//! queueing; a deadline for the TLS handshake and each request's headers, an idle deadline for
//! kept-alive connections, and a graceful stop that finishes requests in flight within a grace
//! period. Requests are served by hyper with the axum router.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use berth_service_protocol::ErrorBody;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use crate::limits::{FD_RESERVE, Limits};
use crate::ops::Metrics;

/// Overflow places: connections over the cap that wait for an evicted connection's place or
/// are answered 503. Their descriptors are kept free below the limit; beyond this many at a
/// time, a new connection waits up to [`SHED_DEADLINE`] for one, then is closed unanswered.
const SHED_CONCURRENCY: usize = 64;
/// How long answering a shed connection may take (the TLS handshake included).
const SHED_DEADLINE: Duration = Duration::from_secs(1);
/// How long a shed connection is read after its answer, so closing it does not reset the
/// connection before the client reads the 503.
const SHED_DRAIN: Duration = Duration::from_millis(250);
/// The drain ends early once the client has sent nothing for this long: what it sent with its
/// request is read by then, and a flood's silent connections free their place at once.
const SHED_DRAIN_QUIET: Duration = Duration::from_millis(25);
/// Pause after a failed `accept` (e.g. out of file descriptors), so the loop never spins.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);
/// How long a connection asked to stop (idle, or the server stopping) may take to finish its
/// request in flight before it is dropped.
const CLOSE_GRACE: Duration = Duration::from_secs(5);
/// How long a connection must have been quiet, with no request in flight, before a new client
/// may take its place at the cap: long enough that a real client on a slow link, or one
/// starved of CPU between its connect and its request, is not taken for an idle one.
const EVICTABLE_AFTER: Duration = Duration::from_secs(1);
/// How long a new connection waits for the place of an evicted one.
const EVICTION_WAIT: Duration = Duration::from_millis(500);
/// Streams one HTTP/2 connection may run at once.
const MAX_H2_STREAMS: u32 = 128;

/// Raises the soft file-descriptor limit to the hard limit and returns the connection cap:
/// `wanted`, or fewer so connections never exhaust the descriptors the server needs.
pub(crate) fn connection_cap(wanted: usize) -> usize {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    let soft = match getrlimit(Resource::RLIMIT_NOFILE) {
        Ok((soft, hard)) if soft < hard => match setrlimit(Resource::RLIMIT_NOFILE, hard, hard) {
            Ok(()) => hard,
            Err(err) => {
                tracing::warn!(%err, soft, hard, "could not raise the file-descriptor limit");
                soft
            }
        },
        Ok((soft, _)) => soft,
        Err(err) => {
            tracing::warn!(%err, "could not read the file-descriptor limit");
            return wanted;
        }
    };
    let available = usize::try_from(soft)
        .unwrap_or(usize::MAX)
        .saturating_sub(FD_RESERVE + SHED_CONCURRENCY);
    let cap = wanted.min(available).max(1);
    if cap < wanted {
        tracing::info!(
            cap,
            fd_limit = soft,
            "serving at most {cap} connections at once (file-descriptor limit {soft})"
        );
    }
    cap
}

/// The connections being served, so that a new client can take the place of the one that has
/// been idle the longest (no request in flight: waiting for headers or kept alive) when the
/// server is at its cap. Slow or idle clients cannot then hold every place.
#[derive(Debug, Default)]
struct Registry {
    next: AtomicU64,
    open: Mutex<HashMap<u64, Arc<Tracker>>>,
}

/// One served connection: when it last moved bytes, its requests in flight, and the signal
/// that evicts it.
#[derive(Debug)]
struct Tracker {
    activity: Activity,
    in_flight: AtomicUsize,
    evict: Notify,
    /// Set once the connection is chosen for eviction, so it is not chosen again (freeing one
    /// place for two new clients) before its task has ended.
    evicted: AtomicBool,
}

/// Removes a connection from the registry when its task ends.
struct Registered {
    registry: Arc<Registry>,
    id: u64,
}

impl Drop for Registered {
    fn drop(&mut self) {
        self.registry.lock().remove(&self.id);
    }
}

impl Registry {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<Tracker>>> {
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn register(self: &Arc<Self>) -> (Arc<Tracker>, Registered) {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let tracker = Arc::new(Tracker {
            activity: Activity::new(),
            in_flight: AtomicUsize::new(0),
            evict: Notify::new(),
            evicted: AtomicBool::new(false),
        });
        self.lock().insert(id, Arc::clone(&tracker));
        let registered = Registered {
            registry: Arc::clone(self),
            id,
        };
        (tracker, registered)
    }

    /// Evicts the connection idle the longest with no request in flight, if one has been idle
    /// for at least [`EVICTABLE_AFTER`]; returns whether one was.
    fn evict_idlest(&self) -> bool {
        let open = self.lock();
        let victim = open
            .values()
            .filter(|tracker| {
                tracker.in_flight.load(Ordering::Acquire) == 0
                    && !tracker.evicted.load(Ordering::Acquire)
            })
            .map(|tracker| (tracker.activity.idle_for(), tracker))
            .filter(|(idle, _)| *idle >= EVICTABLE_AFTER)
            .max_by_key(|(idle, _)| *idle);
        match victim {
            Some((_, tracker)) => {
                tracker.evicted.store(true, Ordering::Release);
                tracker.evict.notify_one();
                true
            }
            None => false,
        }
    }
}

/// Stops a running server: new connections are refused and open ones finish their requests.
#[derive(Debug, Clone)]
pub struct ShutdownHandle(Arc<watch::Sender<bool>>);

impl ShutdownHandle {
    pub(crate) fn new() -> (Self, watch::Receiver<bool>) {
        let (sender, receiver) = watch::channel(false);
        (Self(Arc::new(sender)), receiver)
    }

    /// Asks the server to stop.
    pub fn shutdown(&self) {
        self.0.send_replace(true);
    }
}

/// Resolves once the server is asked to stop (or its handle is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stopping| *stopping).await;
}

/// What the accept loop needs.
pub(crate) struct Serve {
    pub(crate) listener: TcpListener,
    pub(crate) tls: Option<TlsAcceptor>,
    pub(crate) app: Router,
    pub(crate) limits: Arc<Limits>,
    pub(crate) cap: usize,
    pub(crate) stop: watch::Receiver<bool>,
    pub(crate) metrics: Arc<Metrics>,
}

impl Serve {
    /// Accepts until asked to stop, then waits up to [`CLOSE_GRACE`] for open connections.
    pub(crate) async fn run(self) {
        let Self {
            listener,
            tls,
            app,
            limits,
            cap,
            mut stop,
            metrics,
        } = self;
        let permits = Arc::new(Semaphore::new(cap));
        let shedding = Arc::new(Semaphore::new(SHED_CONCURRENCY));
        let registry = Arc::new(Registry::default());
        let mut connections = JoinSet::new();
        loop {
            while connections.try_join_next().is_some() {}
            let (stream, peer) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(pair) => pair,
                    Err(err) => {
                        tracing::warn!(%err, "accepting a connection failed");
                        tokio::time::sleep(ACCEPT_BACKOFF).await;
                        continue;
                    }
                },
                () = stopped(&mut stop) => break,
            };
            let _ = stream.set_nodelay(true);
            let connection = Connection {
                tls: tls.clone(),
                app: app.clone(),
                limits: Arc::clone(&limits),
                stop: stop.clone(),
                registry: Arc::clone(&registry),
                metrics: Arc::clone(&metrics),
            };
            if let Ok(permit) = Arc::clone(&permits).try_acquire_owned() {
                connections.spawn(connection.serve(stream, peer, permit));
                continue;
            }
            // Over the cap, the connection takes one of the overflow places (their descriptors
            // are kept free below the limit) while it waits for an evicted connection's place
            // or is answered 503. With every overflow place taken, wait (not accepting) for
            // one, so a real client queued behind a flood gets an answer rather than a reset.
            let overflow = if let Ok(overflow) = Arc::clone(&shedding).try_acquire_owned() {
                overflow
            } else {
                let place =
                    tokio::time::timeout(SHED_DEADLINE, Arc::clone(&shedding).acquire_owned())
                        .await;
                let Ok(Ok(overflow)) = place else {
                    metrics.connections_shed.inc();
                    tracing::debug!(%peer, "over the connection cap; closed");
                    continue;
                };
                overflow
            };
            if registry.evict_idlest() {
                // A quiet connection makes way; this one waits briefly for its place.
                let permits = Arc::clone(&permits);
                connections.spawn(async move {
                    let place = tokio::time::timeout(EVICTION_WAIT, permits.acquire_owned()).await;
                    if let Ok(Ok(permit)) = place {
                        drop(overflow);
                        connection.serve(stream, peer, permit).await;
                    } else {
                        connection.metrics.connections_shed.inc();
                        shed(stream, connection.tls, overflow).await;
                    }
                });
            } else {
                metrics.connections_shed.inc();
                connections.spawn(shed(stream, tls.clone(), overflow));
            }
        }
        drop(listener);
        let drained = tokio::time::timeout(CLOSE_GRACE, async {
            while connections.join_next().await.is_some() {}
        })
        .await;
        if drained.is_err() {
            tracing::warn!(
                open = connections.len(),
                "connections still open after the grace period were closed"
            );
            connections.abort_all();
        }
    }
}

/// One accepted connection.
struct Connection {
    tls: Option<TlsAcceptor>,
    app: Router,
    limits: Arc<Limits>,
    stop: watch::Receiver<bool>,
    registry: Arc<Registry>,
    metrics: Arc<Metrics>,
}

impl Connection {
    /// Serves the connection while it holds `_permit`, its place under the cap.
    async fn serve(self, stream: TcpStream, peer: SocketAddr, _permit: OwnedSemaphorePermit) {
        let (tracker, _registered) = self.registry.register();
        self.metrics.connections_open.inc();
        let _open = OpenConnection(Arc::clone(&self.metrics));
        let stream = Tracked {
            inner: stream,
            tracker: Arc::clone(&tracker),
        };
        let evicted = Arc::clone(&tracker);
        tokio::select! {
            () = self.handshake_and_drive(stream, peer, tracker) => {}
            () = evicted.evict.notified() => {
                tracing::debug!(%peer, "quiet connection evicted for a new client");
            }
        }
    }

    async fn handshake_and_drive(
        self,
        stream: Tracked<TcpStream>,
        peer: SocketAddr,
        tracker: Arc<Tracker>,
    ) {
        match self.tls.clone() {
            None => self.drive(TokioIo::new(stream), &tracker).await,
            Some(acceptor) => {
                let handshake =
                    tokio::time::timeout(self.limits.header_read_timeout, acceptor.accept(stream))
                        .await;
                match handshake {
                    Ok(Ok(stream)) => self.drive(TokioIo::new(stream), &tracker).await,
                    Ok(Err(err)) => tracing::debug!(%peer, %err, "TLS handshake failed"),
                    Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                }
            }
        }
    }

    async fn drive<I>(mut self, io: TokioIo<I>, tracker: &Arc<Tracker>)
    where
        I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let mut builder = auto::Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(self.limits.header_read_timeout)
            .keep_alive(true);
        builder
            .http2()
            .timer(TokioTimer::new())
            .max_concurrent_streams(MAX_H2_STREAMS)
            .keep_alive_interval(Some(self.limits.idle_timeout))
            .keep_alive_timeout(self.limits.header_read_timeout);
        let service = Counted {
            inner: TowerToHyperService::new(self.app.clone()),
            tracker: Arc::clone(tracker),
        };
        let connection = builder.serve_connection(io, service);
        tokio::pin!(connection);
        let idle = self.limits.idle_timeout;
        let tick = (idle / 4).max(Duration::from_millis(100));
        let mut closing: Option<Instant> = None;
        loop {
            tokio::select! {
                _ = connection.as_mut() => return,
                () = stopped(&mut self.stop), if closing.is_none() => {
                    connection.as_mut().graceful_shutdown();
                    closing = Some(Instant::now());
                }
                () = tokio::time::sleep(tick) => {
                    if let Some(since) = closing {
                        if since.elapsed() >= CLOSE_GRACE {
                            return;
                        }
                    } else if tracker.activity.idle_for() >= idle
                        && tracker.in_flight.load(Ordering::Acquire) == 0
                    {
                        connection.as_mut().graceful_shutdown();
                        closing = Some(Instant::now());
                    }
                }
            }
        }
    }
}

/// Counts a connection as open until dropped.
struct OpenConnection(Arc<Metrics>);

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.0.connections_open.dec();
    }
}

/// Answers a connection over the cap with a 503 and closes it.
async fn shed(stream: TcpStream, tls: Option<TlsAcceptor>, _permit: OwnedSemaphorePermit) {
    let body = serde_json::to_string(&ErrorBody::new(
        "unavailable",
        "the service is at its connection limit; retry shortly".to_owned(),
    ))
    .unwrap_or_default();
    let response = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 1\r\n\
         connection: close\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    let _ = tokio::time::timeout(SHED_DEADLINE, async move {
        match tls {
            None => answer_and_close(stream, response.as_bytes()).await,
            Some(acceptor) => {
                if let Ok(stream) = acceptor.accept(stream).await {
                    answer_and_close(stream, response.as_bytes()).await;
                }
            }
        }
    })
    .await;
}

/// Writes `response`, ends the write side and drains what the client sent, so closing does
/// not reset the connection before the client reads the answer.
async fn answer_and_close<S: AsyncRead + AsyncWrite + Unpin>(mut stream: S, response: &[u8]) {
    if stream.write_all(response).await.is_err() {
        return;
    }
    let _ = stream.shutdown().await;
    let _ = tokio::time::timeout(SHED_DRAIN, async {
        let mut sink = [0_u8; 4096];
        let mut drained = 0;
        while drained < 64 * 1024 {
            match tokio::time::timeout(SHED_DRAIN_QUIET, stream.read(&mut sink)).await {
                Ok(Ok(0) | Err(_)) | Err(_) => break,
                Ok(Ok(read)) => drained += read,
            }
        }
    })
    .await;
}

/// When a connection last moved bytes, in milliseconds since it opened.
#[derive(Debug)]
struct Activity {
    opened: Instant,
    last: AtomicU64,
}

impl Activity {
    fn new() -> Self {
        Self {
            opened: Instant::now(),
            last: AtomicU64::new(0),
        }
    }

    fn touch(&self) {
        let now = u64::try_from(self.opened.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last.store(now, Ordering::Relaxed);
    }

    fn idle_for(&self) -> Duration {
        let last = Duration::from_millis(self.last.load(Ordering::Relaxed));
        self.opened.elapsed().saturating_sub(last)
    }
}

/// A stream that records when bytes last moved through it.
struct Tracked<S> {
    inner: S,
    tracker: Arc<Tracker>,
}

impl<S: AsyncRead + Unpin> AsyncRead for Tracked<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.tracker.activity.touch();
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Tracked<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(written)) if written > 0) {
            self.tracker.activity.touch();
        }
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// The router as a hyper service that counts the connection's requests in flight.
#[derive(Clone)]
struct Counted<S> {
    inner: S,
    tracker: Arc<Tracker>,
}

/// Counts one request in flight until dropped.
struct InFlight(Arc<Tracker>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

impl<S, R> hyper::service::Service<R> for Counted<S>
where
    S: hyper::service::Service<R>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn call(&self, request: R) -> Self::Future {
        self.tracker.in_flight.fetch_add(1, Ordering::AcqRel);
        let in_flight = InFlight(Arc::clone(&self.tracker));
        let response = self.inner.call(request);
        Box::pin(async move {
            let response = response.await;
            drop(in_flight);
            response
        })
    }
}

#[cfg(test)]
#[path = "listener_tests.rs"]
mod tests;
