//! Fault tests of the mutation smoke (`berth smoke plugin-analytics-mutation-smoke`) against
//! `berth app-server` and a real `berth serve`, with a small loopback HTTP proxy in between
//! (the smoke's `chatgpt_base_url`) that breaks one request: the service refusing the install
//! ends FAIL-CLEAN; an uninstall the service performed but whose answer was lost ends
//! FAIL-LOCAL-CACHE; an uninstall that never reached the service ends FAIL-DIRTY. The printed
//! recovery command then returns the account to its original state.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use berth_test_support::TestHome;

use crate::berth_bin;
use crate::remote::{Serve, plugin_source, remote_home};
use crate::smokes::{outcome, text};

/// What the proxy does to the plugin mutation requests.
#[derive(Clone)]
pub(crate) enum Fault {
    /// Forward everything.
    None,
    /// Run the hook, then forward, on the install's first request, the plugin's details with
    /// download URLs (`GET …/ps/plugins/{id}?includeDownloadUrls=true`).
    BeforeInstall(Arc<dyn Fn() + Send + Sync>),
    /// Forward `POST …/plugins/{id}/uninstall`, then answer 500 (the service uninstalled).
    LoseUninstallAnswer,
    /// Answer 500 to `POST …/plugins/{id}/uninstall` without forwarding it.
    RefuseUninstall,
    /// Forward `POST …/analytics-events/events`, then answer 500 (the service stored it).
    LoseAnalyticsAnswer,
    /// Never answer an analytics request (and do not forward it).
    HangAnalytics,
}

/// A loopback HTTP/1.1 proxy to `berth serve`, one connection at a time, `Connection: close`.
pub(crate) struct FaultProxy {
    address: String,
    fault: Arc<Mutex<Fault>>,
    stop: Arc<AtomicBool>,
}

impl FaultProxy {
    fn start(upstream_api_url: &str, fault: Fault) -> Self {
        Self::start_at(0, upstream_api_url, fault)
    }

    /// A proxy on a chosen port of 127.0.0.1 (0 picks one).
    pub(crate) fn start_at(port: u16, upstream_api_url: &str, fault: Fault) -> Self {
        let upstream = upstream_api_url
            .strip_prefix("http://")
            .and_then(|rest| rest.split('/').next())
            .unwrap()
            .to_owned();
        let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let fault = Arc::new(Mutex::new(fault));
        let stop = Arc::new(AtomicBool::new(false));
        let (shared, stopping) = (Arc::clone(&fault), Arc::clone(&stop));
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = client else { continue };
                let fault = shared.lock().unwrap().clone();
                let upstream = upstream.clone();
                std::thread::spawn(move || handle(client, &upstream, &fault));
            }
        });
        Self {
            address,
            fault,
            stop,
        }
    }

    fn api_url(&self) -> String {
        format!("http://{}/backend-api", self.address)
    }

    pub(crate) fn set(&self, fault: Fault) {
        *self.fault.lock().unwrap() = fault;
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(&self.address);
    }
}

/// Reads one request (head and `Content-Length` body).
fn read_request(stream: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    let mut bytes = Vec::new();
    let mut buffer = [0_u8; 8192];
    let head_end = loop {
        if let Some(end) = bytes.windows(4).position(|window| window == b"\r\n\r\n") {
            break end + 4;
        }
        let read = stream.read(&mut buffer).ok()?;
        if read == 0 {
            return None;
        }
        bytes.extend_from_slice(&buffer[..read]);
    };
    let head = String::from_utf8_lossy(&bytes[..head_end]).into_owned();
    let length = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    let mut body = bytes[head_end..].to_vec();
    while body.len() < length {
        let read = stream.read(&mut buffer).ok()?;
        if read == 0 {
            return None;
        }
        body.extend_from_slice(&buffer[..read]);
    }
    Some((head, body))
}

fn handle(mut client: TcpStream, upstream: &str, fault: &Fault) {
    let Some((head, body)) = read_request(&mut client) else {
        return;
    };
    let request_line = head.lines().next().unwrap_or_default().to_owned();
    let is_post = |suffix: &str| {
        request_line.starts_with("POST ")
            && request_line
                .split(' ')
                .nth(1)
                .is_some_and(|path| path.split('?').next().unwrap().ends_with(suffix))
    };
    let install = request_line.starts_with("GET ")
        && request_line.contains("/ps/plugins/plugins~")
        && request_line.contains("includeDownloadUrls=true");
    let uninstall = is_post("/uninstall");
    let analytics = is_post("/analytics-events/events");
    let error = b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: 29\r\nConnection: close\r\n\r\n{\"error\":\"injected by proxy\"}";
    match fault {
        Fault::RefuseUninstall if uninstall => {
            let _ = client.write_all(error);
            return;
        }
        Fault::BeforeInstall(hook) if install => hook(),
        Fault::HangAnalytics if analytics => {
            // Hold the connection open without a word until the client gives up.
            let _ = client.read_to_end(&mut Vec::new());
            return;
        }
        _ => {}
    }
    // Forward with `Connection: close`, so the answer ends at EOF.
    let mut forwarded = String::new();
    for line in head.trim_end().lines() {
        let name = line.split(':').next().unwrap_or_default();
        if !name.eq_ignore_ascii_case("connection") {
            forwarded.push_str(line);
            forwarded.push_str("\r\n");
        }
    }
    forwarded.push_str("Connection: close\r\n\r\n");
    let mut server = TcpStream::connect(upstream).unwrap();
    server.write_all(forwarded.as_bytes()).unwrap();
    server.write_all(&body).unwrap();
    let mut answer = Vec::new();
    let _ = server.read_to_end(&mut answer);
    let lose = match fault {
        Fault::LoseUninstallAnswer => uninstall,
        Fault::LoseAnalyticsAnswer => analytics,
        _ => false,
    };
    if lose {
        let _ = client.write_all(error);
    } else {
        let _ = client.write_all(&answer);
    }
}

struct World {
    serve: Serve,
    home: TestHome,
    remote_id: String,
    proxy: FaultProxy,
}

fn world(fault: Fault) -> World {
    let serve = Serve::start();
    let sources = tempfile::tempdir().unwrap();
    let remote_id = serve.publish(
        &plugin_source(sources.path(), "beta", "2.0.0", "Beta says hi."),
        &[],
    );
    let home = remote_home(&serve);
    let proxy = FaultProxy::start(&serve.api_url, fault);
    World {
        serve,
        home,
        remote_id,
        proxy,
    }
}

impl World {
    /// The mutation smoke with the service reached through the proxy.
    fn mutation_smoke(&self) -> Output {
        let base_url = format!("chatgpt_base_url=\"{}\"", self.proxy.api_url());
        self.command(berth_bin())
            .args([
                "smoke",
                "-c",
                &base_url,
                "plugin-analytics-mutation-smoke",
                "--remote-plugin-id",
                &self.remote_id,
                "--confirm-account-mutation",
            ])
            .output()
            .unwrap()
    }

    fn command(&self, program: &std::path::Path) -> Command {
        let mut command = self.home.command(program);
        command.env("CODEX_TEST_ALLOW_HTTP_REMOTE_PLUGIN_BUNDLE_DOWNLOADS", "1");
        command
    }

    /// Runs the recovery command the smoke printed, through a shell as an operator would.
    fn run_recovery(&self, smoke: &Output) -> Output {
        let stdout = String::from_utf8_lossy(&smoke.stdout);
        let recovery = stdout
            .lines()
            .find_map(|line| line.strip_prefix("recover with: "))
            .unwrap_or_else(|| panic!("no recovery command printed:\n{stdout}"));
        assert!(
            recovery.contains(" plugin-remote-uninstall --remote-plugin-id ")
                && recovery.contains(&self.proxy.api_url()),
            "{recovery}"
        );
        self.command(std::path::Path::new("sh"))
            .arg("-c")
            .arg(recovery)
            .output()
            .unwrap()
    }

    /// Whether the service lists the plugin as installed (asked directly, not via the proxy).
    fn installed_on_service(&self) -> bool {
        let output = self
            .command(berth_bin())
            .args(["plugin", "list", "--json"])
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", text(&output));
        let listed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        listed["installed"]
            .as_array()
            .unwrap()
            .iter()
            .any(|entry| entry.to_string().contains(&self.remote_id))
    }

    fn cache_dir(&self) -> std::path::PathBuf {
        self.home
            .codex_home()
            .join("plugins/cache/openai-curated-remote/beta")
    }

    /// The original state: not installed on the service, no cache folder, no sidecar.
    fn assert_original_state(&self) {
        assert!(
            !self.installed_on_service(),
            "still installed on the service"
        );
        assert!(
            !self
                .cache_dir()
                .join(".codex-remote-plugin-install.json")
                .exists(),
            "sidecar left behind"
        );
        assert!(!self.cache_dir().exists(), "cache folder left behind");
    }
}

#[test]
fn mutation_smoke_is_fail_clean_when_the_service_refuses_the_install() {
    // The plugin passes the smoke's guards, then an admin disables it as the install starts;
    // the service reports it DISABLED_BY_ADMIN and the install is refused before anything is
    // downloaded.
    let world = world(Fault::None);
    let data_dir = world.serve.data_dir.clone();
    let remote_id = world.remote_id.clone();
    world.proxy.set(Fault::BeforeInstall(Arc::new(move || {
        let output = Command::new(berth_bin())
            .args(["serve", "status", "--data-dir"])
            .arg(&data_dir)
            .args([remote_id.as_str(), "DISABLED_BY_ADMIN"])
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
    })));
    let output = world.mutation_smoke();
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let line = outcome(&output);
    assert!(
        line.starts_with("FAIL-CLEAN: plugin/install failed: ")
            && line.ends_with("; original uninstalled state restored"),
        "{}",
        text(&output)
    );
    assert!(
        !String::from_utf8_lossy(&output.stdout).contains("recover with:"),
        "{}",
        text(&output)
    );
    world.assert_original_state();
}

#[test]
fn mutation_smoke_is_fail_local_cache_when_the_uninstall_answer_is_lost_and_recovery_cleans_up() {
    let world = world(Fault::LoseUninstallAnswer);
    let output = world.mutation_smoke();
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        outcome(&output).starts_with(
            "FAIL-LOCAL-CACHE: the service is uninstalled but plugin/uninstall failed: "
        ),
        "{}",
        text(&output)
    );
    assert!(!world.installed_on_service());
    world.proxy.set(Fault::None);
    let recovered = world.run_recovery(&output);
    assert_eq!(
        outcome(&recovered),
        format!("PASS: `{}` is uninstalled", world.remote_id),
        "{}",
        text(&recovered)
    );
    world.assert_original_state();
}

#[test]
fn mutation_smoke_is_fail_dirty_when_the_uninstall_never_reaches_the_service_and_recovery_restores()
{
    let world = world(Fault::RefuseUninstall);
    let output = world.mutation_smoke();
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        outcome(&output).starts_with(&format!(
            "FAIL-DIRTY: `{}` is still installed on the service after cleanup: ",
            world.remote_id
        )),
        "{}",
        text(&output)
    );
    assert!(world.installed_on_service());
    assert!(world.cache_dir().exists());
    world.proxy.set(Fault::None);
    let recovered = world.run_recovery(&output);
    assert_eq!(
        outcome(&recovered),
        format!("PASS: `{}` is uninstalled", world.remote_id),
        "{}",
        text(&recovered)
    );
    world.assert_original_state();
}
