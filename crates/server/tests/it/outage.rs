//! `PostgreSQL` outages (issue 11 C): with the database down or hanging, every request is
//! answered 503 with `Retry-After` within a bounded time, never 500 and never a hang; once the
//! database is back the same server answers again. The outage is made by a loopback proxy
//! between the server and `PostgreSQL` that can refuse connections or swallow traffic.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

use berth_server::{PublishOptions, ServerConfig};
use reqwest::StatusCode;
use tokio::io::AsyncWriteExt as _;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::support::{Backend, TestServer, database_url};

const UP: u8 = 0;
/// Connections are closed and new ones refused, as when the server stops.
const DOWN: u8 = 1;
/// Connections stay open but nothing is forwarded, as when the network or server hangs.
const HANGING: u8 = 2;

/// A TCP proxy to `upstream` whose mode the test switches.
struct Proxy {
    addr: std::net::SocketAddr,
    mode: Arc<AtomicU8>,
    /// Bumped when the mode changes, so open connections re-check it.
    changed: watch::Sender<u8>,
}

impl Proxy {
    async fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mode = Arc::new(AtomicU8::new(UP));
        let (mode_changes, _) = watch::channel(UP);
        let proxy_mode = Arc::clone(&mode);
        let notify = mode_changes.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else {
                    return;
                };
                match proxy_mode.load(Ordering::SeqCst) {
                    DOWN => {
                        let _ = client.shutdown().await;
                        continue;
                    }
                    HANGING => {
                        // Hold the connection without ever answering.
                        let mut changes = notify.subscribe();
                        tokio::spawn(async move {
                            let _ = changes.changed().await;
                            drop(client);
                        });
                        continue;
                    }
                    _ => {}
                }
                let upstream = upstream.clone();
                let mut changes = notify.subscribe();
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(&upstream).await else {
                        return;
                    };
                    let outage = async {
                        let mode = changes.wait_for(|mode| *mode != UP).await.map(|mode| *mode);
                        mode.unwrap_or(DOWN)
                    };
                    let cut = tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => None,
                        // Any outage cuts (DOWN) or stalls (HANGING) connections already open.
                        mode = outage => Some(mode),
                    };
                    if cut == Some(HANGING) {
                        let _ = changes.wait_for(|mode| *mode != HANGING).await.map(|_| ());
                    }
                });
            }
        });
        Self {
            addr,
            mode,
            changed: mode_changes,
        }
    }

    fn set(&self, mode: u8) {
        self.mode.store(mode, Ordering::SeqCst);
        self.changed.send_replace(mode);
    }
}

/// Sends one read and one write and checks each is answered 503 with `Retry-After` in time.
async fn expect_unavailable(server: &TestServer, deadline: Duration) {
    for (method, path) in [
        ("GET", "/ps/plugins/list".to_owned()),
        ("POST", "/ps/plugins/plugins~Plugin_p0/install".to_owned()),
    ] {
        let started = Instant::now();
        let response = server
            .client
            .request(method.parse().unwrap(), format!("{}{path}", server.api))
            .bearer_auth(&server.token)
            .header("chatgpt-account-id", &server.account)
            .timeout(deadline + Duration::from_secs(10))
            .send()
            .await
            .unwrap();
        let took = started.elapsed();
        assert_eq!(
            response.status(),
            StatusCode::SERVICE_UNAVAILABLE,
            "{method} {path} during the outage"
        );
        assert!(response.headers().contains_key("retry-after"));
        assert!(
            took <= deadline,
            "{method} {path} took {took:?}, more than {deadline:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_outage_is_answered_503_in_bounded_time_and_recovers() {
    let Some(Some(url)) = database_url(Backend::Postgres).await else {
        return;
    };
    let (prefix, rest) = url.split_once('@').unwrap();
    let (upstream, database) = rest.split_once('/').unwrap();
    let proxy = Proxy::start(upstream.to_owned()).await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = ServerConfig::new(dir.path().join("data"));
    config.bind = "127.0.0.1:0".parse().unwrap();
    config.database_url = Some(format!("{prefix}@{}/{database}", proxy.addr));
    config.limits.request_timeout = Duration::from_secs(3);
    let server = TestServer::start_with(config, dir).await;
    server.publish("p0", PublishOptions::default()).await;
    assert_eq!(server.get("/ps/plugins/list").await.0, StatusCode::OK);

    // The request timeout (3 s) bounds every answer; the pool gives up on a connection in 5 s.
    let deadline = Duration::from_secs(6);
    for mode in [DOWN, HANGING] {
        proxy.set(mode);
        expect_unavailable(&server, deadline).await;
        proxy.set(UP);
        let back = Instant::now();
        loop {
            let (list, _) = server.get("/ps/plugins/list").await;
            let (install, _) = server.post("/ps/plugins/plugins~Plugin_p0/install").await;
            if list == StatusCode::OK && install == StatusCode::OK {
                break;
            }
            assert!(
                back.elapsed() < Duration::from_secs(20),
                "still {list} / {install} after the database came back"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        for _ in 0..5 {
            assert_eq!(server.get("/ps/plugins/list").await.0, StatusCode::OK);
        }
    }
    server.shutdown().await;
}
