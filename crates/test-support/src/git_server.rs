//! A loopback smart-HTTP Git server for tests ([`GitServer`]): `git http-backend` run as CGI
//! behind a small HTTP/1.1 server on `127.0.0.1:0`, serving the bare repositories under one
//! folder. It logs every request and can stall pack downloads part-way
//! ([`GitServer::stall_packs_after`]) so a test can kill a client mid-transfer
//! deterministically. [`GitRepo`] makes repositories; [`GitClientEnv`] is the environment a
//! client process needs to reach the server as `github.com` (`url.<server>.insteadOf`) and over
//! SSH (a `GIT_SSH_COMMAND` that runs `git upload-pack` locally), without touching the test
//! process's own environment.

use std::collections::HashMap;
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A running loopback Git server; stopped on drop.
#[derive(Debug)]
pub struct GitServer {
    addr: SocketAddr,
    state: Arc<State>,
    accept: Option<JoinHandle<()>>,
}

#[derive(Debug)]
struct State {
    root: PathBuf,
    protocol_v2: bool,
    shutdown: AtomicBool,
    requests: Mutex<Vec<String>>,
    stall: Mutex<Stall>,
    changed: Condvar,
}

#[derive(Debug, Default)]
struct Stall {
    /// Stall pack responses after this many body bytes.
    after: Option<usize>,
    /// Pack responses stalled so far.
    stalled: usize,
    /// Bumped by each release; a stalled response waits for a change.
    generation: u64,
}

impl GitServer {
    /// Serves the bare repositories under `root` (`<root>/<name>.git`, names may contain `/`).
    pub fn start(root: &Path) -> Self {
        Self::start_with(root, true)
    }

    /// Like [`GitServer::start`], but speaking only Git's v0 protocol, whose servers refuse to
    /// send a commit that no ref points at.
    pub fn start_v0(root: &Path) -> Self {
        Self::start_with(root, false)
    }

    fn start_with(root: &Path, protocol_v2: bool) -> Self {
        std::fs::create_dir_all(root).expect("create the git server root");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the git server");
        let addr = listener.local_addr().expect("git server address");
        let state = Arc::new(State {
            root: root.to_path_buf(),
            protocol_v2,
            shutdown: AtomicBool::new(false),
            requests: Mutex::new(Vec::new()),
            stall: Mutex::new(Stall::default()),
            changed: Condvar::new(),
        });
        let accept_state = Arc::clone(&state);
        let accept = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if accept_state.shutdown.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let state = Arc::clone(&accept_state);
                std::thread::spawn(move || {
                    // A client that hangs up mid-response is not the server's failure.
                    let _ = handle(&state, stream);
                });
            }
        });
        Self {
            addr,
            state,
            accept: Some(accept),
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The clone URL of `<root>/<repo>.git`.
    pub fn url(&self, repo: &str) -> String {
        format!("{}/{repo}.git", self.base_url())
    }

    /// The folder holding the bare repositories.
    pub fn root(&self) -> &Path {
        &self.state.root
    }

    /// Every request so far, as `METHOD /path?query`.
    pub fn requests(&self) -> Vec<String> {
        lock(&self.state.requests).clone()
    }

    /// Forgets the requests logged so far.
    pub fn clear_requests(&self) {
        lock(&self.state.requests).clear();
    }

    /// How many `git-upload-pack` conversations (fetches, clones, ls-remotes) were started for
    /// `repo`: its `info/refs` requests.
    pub fn upload_pack_sessions(&self, repo: &str) -> usize {
        let prefix = format!("GET /{repo}.git/info/refs?service=git-upload-pack");
        lock(&self.state.requests)
            .iter()
            .filter(|request| request.starts_with(&prefix))
            .count()
    }

    /// From now on, every response that carries a pack stops after `bytes` bytes of body and
    /// hangs until [`GitServer::release_stalls`] or drop.
    pub fn stall_packs_after(&self, bytes: usize) {
        lock(&self.state.stall).after = Some(bytes);
    }

    /// Waits until at least one pack response is stalled; false after `timeout`.
    pub fn wait_for_stall(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut stall = lock(&self.state.stall);
        while stall.stalled == 0 {
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            stall = self
                .state
                .changed
                .wait_timeout(stall, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        true
    }

    /// Stops stalling: stalled responses end (without the rest of their body) and new ones
    /// are served whole.
    pub fn release_stalls(&self) {
        let mut stall = lock(&self.state.stall);
        stall.after = None;
        stall.stalled = 0;
        stall.generation += 1;
        self.state.changed.notify_all();
    }
}

impl Drop for GitServer {
    fn drop(&mut self) {
        self.state.shutdown.store(true, Ordering::SeqCst);
        self.release_stalls();
        let _ = TcpStream::connect(self.addr);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Serves one request, then closes the connection.
fn handle(state: &State, stream: TcpStream) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut parts = request_line.split_whitespace();
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return Ok(());
    };
    let (method, target) = (method.to_owned(), target.to_owned());
    let mut headers = HashMap::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
        }
    }
    lock(&state.requests).push(format!("{method} {target}"));
    if headers
        .get("expect")
        .is_some_and(|value| value.eq_ignore_ascii_case("100-continue"))
    {
        writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
    }
    let body = read_body(&mut reader, &headers)?;
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let mut backend = Command::new("git");
    backend
        .arg("http-backend")
        .env("GIT_PROJECT_ROOT", &state.root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_COUNT", "1")
        .env("GIT_CONFIG_KEY_0", "uploadpack.allowFilter")
        .env("GIT_CONFIG_VALUE_0", "true")
        .env("PATH_INFO", path)
        .env("QUERY_STRING", query)
        .env("REQUEST_METHOD", &method)
        .env("REMOTE_ADDR", "127.0.0.1")
        .env("CONTENT_LENGTH", body.len().to_string())
        .env(
            "CONTENT_TYPE",
            headers.get("content-type").map_or("", String::as_str),
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(encoding) = headers.get("content-encoding") {
        backend.env("HTTP_CONTENT_ENCODING", encoding);
    }
    if state.protocol_v2
        && let Some(protocol) = headers.get("git-protocol")
    {
        backend.env("GIT_PROTOCOL", protocol);
    }
    let mut child = backend.spawn()?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    let feeder = std::thread::spawn(move || {
        let _ = stdin.write_all(&body);
    });
    let mut out = BufReader::new(child.stdout.take().expect("piped stdout"));
    let mut status = "200 OK".to_owned();
    let mut response_headers = String::new();
    loop {
        let mut line = String::new();
        if out.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
        match line.split_once(':') {
            Some((name, value)) if name.eq_ignore_ascii_case("status") => {
                value.trim().clone_into(&mut status);
            }
            Some(_) => {
                response_headers.push_str(line.trim_end());
                response_headers.push_str("\r\n");
            }
            None => {}
        }
    }
    writer.write_all(
        format!("HTTP/1.1 {status}\r\n{response_headers}Connection: close\r\n\r\n").as_bytes(),
    )?;
    let result = copy_body(state, &mut out, &mut writer);
    let _ = child.kill();
    let _ = child.wait();
    let _ = feeder.join();
    result
}

fn read_body(
    reader: &mut BufReader<TcpStream>,
    headers: &HashMap<String, String>,
) -> std::io::Result<Vec<u8>> {
    let mut body = Vec::new();
    if headers
        .get("transfer-encoding")
        .is_some_and(|value| value.eq_ignore_ascii_case("chunked"))
    {
        loop {
            let mut size_line = String::new();
            reader.read_line(&mut size_line)?;
            let size_text = size_line.trim().split(';').next().unwrap_or("0");
            let size = usize::from_str_radix(size_text, 16).unwrap_or(0);
            if size == 0 {
                let mut trailer = String::new();
                reader.read_line(&mut trailer)?;
                break;
            }
            let start = body.len();
            body.resize(start + size, 0);
            reader.read_exact(&mut body[start..])?;
            let mut crlf = String::new();
            reader.read_line(&mut crlf)?;
        }
    } else if let Some(length) = headers
        .get("content-length")
        .and_then(|value| value.parse::<usize>().ok())
    {
        body.resize(length, 0);
        reader.read_exact(&mut body)?;
    }
    Ok(body)
}

/// Streams the CGI body to the client, stalling it part-way when asked and the body carries a
/// pack (its first 64 KiB hold the `packfile` section or a `PACK` header).
fn copy_body(state: &State, out: &mut impl Read, writer: &mut TcpStream) -> std::io::Result<()> {
    const PROBE: usize = 64 * 1024;
    let mut head = Vec::new();
    let mut buffer = vec![0_u8; 64 * 1024];
    let mut ended = false;
    while head.len() < PROBE && !carries_pack(&head) {
        let read = out.read(&mut buffer)?;
        if read == 0 {
            ended = true;
            break;
        }
        head.extend_from_slice(&buffer[..read]);
    }
    let stall_after = lock(&state.stall).after;
    if let Some(after) = stall_after.filter(|_| carries_pack(&head)) {
        // Send what is already here up to `after`, reading more if the pack starts later.
        while head.len() < after && !ended {
            let read = out.read(&mut buffer)?;
            if read == 0 {
                ended = true;
            }
            head.extend_from_slice(&buffer[..read]);
        }
        writer.write_all(&head[..after.min(head.len())])?;
        writer.flush()?;
        wait_until_released(state);
        return Ok(());
    }
    writer.write_all(&head)?;
    if ended {
        return Ok(());
    }
    std::io::copy(out, writer)?;
    Ok(())
}

fn carries_pack(head: &[u8]) -> bool {
    contains(head, b"packfile") || contains(head, b"PACK")
}

fn wait_until_released(state: &State) {
    let mut stall = lock(&state.stall);
    stall.stalled += 1;
    let generation = stall.generation;
    state.changed.notify_all();
    while stall.generation == generation && !state.shutdown.load(Ordering::SeqCst) {
        stall = state
            .changed
            .wait(stall)
            .unwrap_or_else(PoisonError::into_inner);
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// A repository made by a test: a working copy at `<root>/work/<name>` whose commits are
/// pushed to the bare `<root>/repos/<name>.git` that a [`GitServer`] on `<root>/repos` serves.
#[derive(Debug, Clone)]
pub struct GitRepo {
    name: String,
    work: PathBuf,
    bare: PathBuf,
}

impl GitRepo {
    /// Creates an empty repository `name` (branch `main`) under `root`.
    pub fn create(root: &Path, name: &str) -> Self {
        let work = root.join("work").join(name);
        let bare = root.join("repos").join(format!("{name}.git"));
        std::fs::create_dir_all(&work).expect("create the work tree");
        std::fs::create_dir_all(bare.parent().expect("bare parent")).expect("create repos dir");
        let repo = Self {
            name: name.to_owned(),
            work,
            bare,
        };
        repo.git(&["init", "--quiet", "--initial-branch=main"]);
        run_git(
            Path::new("."),
            &[
                "init",
                "--quiet",
                "--bare",
                "--initial-branch=main",
                repo.bare.to_str().expect("utf-8 path"),
            ],
        );
        repo.git(&[
            "remote",
            "add",
            "origin",
            repo.bare.to_str().expect("utf-8 path"),
        ]);
        repo
    }

    /// The repository name (as in [`GitServer::url`]).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The working copy.
    pub fn work_dir(&self) -> &Path {
        &self.work
    }

    /// The bare repository the server serves.
    pub fn bare_dir(&self) -> &Path {
        &self.bare
    }

    /// Writes a file of the working copy.
    pub fn write(&self, relative: &str, text: &str) -> &Self {
        crate::write(&self.work.join(relative), text);
        self
    }

    /// Deletes a file or folder of the working copy.
    pub fn remove(&self, relative: &str) -> &Self {
        let path = self.work.join(relative);
        if path.is_dir() {
            std::fs::remove_dir_all(&path).expect("remove folder");
        } else {
            std::fs::remove_file(&path).expect("remove file");
        }
        self
    }

    /// Commits everything in the working copy, pushes every branch and tag, and returns the
    /// new commit id.
    pub fn commit(&self, message: &str) -> String {
        self.git(&["add", "--all"]);
        self.git(&["commit", "--quiet", "--allow-empty", "-m", message]);
        self.push();
        self.head()
    }

    /// Creates (or moves) a lightweight tag at `HEAD` and pushes it.
    pub fn tag(&self, name: &str) -> &Self {
        self.git(&["tag", "--force", name]);
        self.push();
        self
    }

    /// Creates (or moves) an annotated tag at `HEAD` and pushes it.
    pub fn annotated_tag(&self, name: &str) -> &Self {
        self.git(&["tag", "--force", "--annotate", "-m", name, name]);
        self.push();
        self
    }

    /// Creates or resets branch `name` at `HEAD` without switching to it, and pushes it.
    pub fn branch(&self, name: &str) -> &Self {
        self.git(&["branch", "--force", name]);
        self.push();
        self
    }

    /// Switches the working copy to branch `name`.
    pub fn switch(&self, name: &str) -> &Self {
        self.git(&["switch", "--quiet", name]);
        self
    }

    /// The working copy's `HEAD` commit.
    pub fn head(&self) -> String {
        self.git(&["rev-parse", "HEAD"]).trim().to_owned()
    }

    /// Runs `git ARGS` in the working copy and returns its stdout.
    pub fn git(&self, args: &[&str]) -> String {
        run_git(&self.work, args)
    }

    fn push(&self) {
        self.git(&["push", "--quiet", "--force", "origin", "--all"]);
        self.git(&["push", "--quiet", "--force", "origin", "--tags"]);
    }
}

fn run_git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "berth test")
        .env("GIT_AUTHOR_EMAIL", "test@berth.invalid")
        .env("GIT_COMMITTER_NAME", "berth test")
        .env("GIT_COMMITTER_EMAIL", "test@berth.invalid")
        .output()
        .expect("run git");
    assert!(
        output.status.success(),
        "git {args:?} in {} failed: {}",
        dir.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8 git output")
}

/// The environment a Git client process needs in tests: a global Git config that sends
/// `https://github.com/` to the loopback server, no system config, no prompts, and an SSH
/// stand-in that serves `<server root>/<path>` with a local `git upload-pack`.
#[derive(Debug, Clone)]
pub struct GitClientEnv {
    vars: Vec<(String, OsString)>,
    ssh_log: PathBuf,
}

impl GitClientEnv {
    /// Writes the config and SSH script into `dir` for `server`.
    pub fn new(dir: &Path, server: &GitServer) -> Self {
        std::fs::create_dir_all(dir).expect("create the git client env dir");
        let config = dir.join("gitconfig");
        crate::write(
            &config,
            &format!(
                "[url \"{}/\"]\n\tinsteadOf = https://github.com/\n[init]\n\tdefaultBranch = main\n",
                server.base_url()
            ),
        );
        let ssh_log = dir.join("ssh.log");
        let script = dir.join("ssh");
        crate::write(
            &script,
            &format!(
                "#!/bin/sh\n# Stand-in for ssh: serves the requested repository with a local git upload-pack.\nif [ \"$1\" = \"-G\" ]; then exit 0; fi\necho \"$*\" >> '{log}'\nfor last; do :; done\neval \"set -- $last\"\npath=\"${{2#/}}\"\nexec git upload-pack '{root}/'\"$path\"\n",
                log = ssh_log.display(),
                root = server.root().display(),
            ),
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
                .expect("make the ssh stand-in executable");
        }
        let vars = vec![
            ("GIT_CONFIG_GLOBAL".to_owned(), config.into_os_string()),
            ("GIT_CONFIG_NOSYSTEM".to_owned(), "1".into()),
            ("GIT_TERMINAL_PROMPT".to_owned(), "0".into()),
            ("GIT_SSH_COMMAND".to_owned(), script.into_os_string()),
        ];
        Self { vars, ssh_log }
    }

    /// The variables to set on a child process.
    pub fn vars(&self) -> &[(String, OsString)] {
        &self.vars
    }

    /// Sets the variables on `command`.
    pub fn apply<'a>(&self, command: &'a mut Command) -> &'a mut Command {
        for (key, value) in &self.vars {
            command.env(key, value);
        }
        command
    }

    /// The SSH stand-in's log: one line of arguments per connection.
    pub fn ssh_log(&self) -> String {
        std::fs::read_to_string(&self.ssh_log).unwrap_or_default()
    }
}
