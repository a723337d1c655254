//! The server tests' helpers (`tests/server.rs`, `tests/server_faults.rs`):
//! `catalog-filter-server` started as a process on 127.0.0.1:0, on a state
//! directory of its own, and talked to with reqwest or a raw socket.
//!
//! Included with `#[path = "support/server.rs"] mod server_support;` (the
//! rest of `support/` needs the `postgres` feature). Each file uses a part.
#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/server");

pub fn fixture(name: &str) -> String {
    std::fs::read_to_string(Path::new(FIXTURES).join(name)).unwrap()
}

/// A fresh directory under the system's temporary directory.
pub fn temp_dir() -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "catalog-filter-server-test-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Sends SIGTERM to process `pid` (the shell's `kill`, there wherever `sh` is).
pub fn sigterm(pid: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("kill -TERM {pid}")])
        .status()
        .unwrap()
        .success()
}

/// A running server process.
pub struct Server {
    pub child: Child,
    pub base: String,
    pub dir: PathBuf,
    pub client: reqwest::Client,
}

impl Server {
    /// Starts a server with `config` on a fresh state directory.
    pub fn start_with(config: String) -> Server {
        let dir = temp_dir();
        std::fs::write(dir.join("config.toml"), config).unwrap();
        Server::start_in(dir)
    }

    /// Starts a server on the state of `dir` (as left by an earlier one).
    pub fn start_in(dir: PathBuf) -> Server {
        let config = dir.join("config.toml");
        Server::spawn(dir, Some(config))
    }

    /// Starts a server with `--config config` (none: the sample data).
    pub fn spawn(dir: PathBuf, config: Option<PathBuf>) -> Server {
        Server::spawn_under(&[], dir, config)
    }

    /// Starts a server under `wrapper` (a program and its arguments that
    /// run the command after them, as `strace -o FILE` does; none: the
    /// server itself), with `--config config` (none: the sample data).
    pub fn spawn_under(
        wrapper: &[&std::ffi::OsStr],
        dir: PathBuf,
        config: Option<PathBuf>,
    ) -> Server {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("server.log"))
            .unwrap();
        let program = std::ffi::OsStr::new(env!("CARGO_BIN_EXE_catalog-filter-server"));
        let (first, rest) = match wrapper.split_first() {
            Some((first, rest)) => (*first, rest),
            None => (program, &[][..]),
        };
        let mut command = Command::new(first);
        command.args(rest);
        if !wrapper.is_empty() {
            command.arg(program);
        }
        if let Some(config) = config {
            command.arg("--config").arg(config);
        }
        let mut child = command
            .arg("--listen")
            .arg("127.0.0.1:0")
            .arg("--state")
            .arg(dir.join("state"))
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base = line
            .trim()
            .strip_prefix("catalog-filter-server listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        Server {
            child,
            base,
            dir,
            client: reqwest::Client::new(),
        }
    }

    /// One request; the status, the body as JSON and the headers.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
    ) -> (u16, Value, reqwest::header::HeaderMap) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        if let Some(body) = body {
            request = request
                .header("Content-Type", "application/json")
                .body(body.to_owned());
        }
        self.send(request).await
    }

    pub async fn send(
        &self,
        request: reqwest::RequestBuilder,
    ) -> (u16, Value, reqwest::header::HeaderMap) {
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("status {status}: body {text:?} is not JSON: {e}"));
        (status, value, headers)
    }

    pub async fn detach(&self, token: &str, body: Value) -> (u16, Value) {
        let (s, v, _) = self
            .call(
                "POST",
                "/pcm/products/detach_nodes",
                Some(token),
                Some(&body.to_string()),
            )
            .await;
        (s, v)
    }

    pub async fn products(&self, token: &str, query: &str) -> (u16, Value) {
        let (s, v, _) = self
            .call("GET", &format!("/pcm/products{query}"), Some(token), None)
            .await;
        (s, v)
    }

    pub async fn unassign(
        &self,
        token: &str,
        store: &str,
        category: &str,
        body: Value,
    ) -> (u16, Value) {
        let path = format!("/api/v3/{store}/categories/{category}/unassignProducts");
        let (s, v, _) = self
            .call("POST", &path, Some(token), Some(&body.to_string()))
            .await;
        (s, v)
    }

    /// SIGTERM, and the exit status.
    pub fn terminate(self) -> PathBuf {
        let pid = self.child.id().to_string();
        assert!(sigterm(&pid));
        self.terminate_wait()
    }

    /// Waits for the server to stop (after a SIGTERM); it exits 0.
    pub fn terminate_wait(mut self) -> PathBuf {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "exit status {status}");
                break;
            }
            assert!(Instant::now() < deadline, "the server did not stop");
            std::thread::sleep(Duration::from_millis(20));
        }
        std::mem::take(&mut self.dir)
    }

    /// SIGKILL: no shutdown, no flush.
    pub fn kill(mut self) -> PathBuf {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        std::mem::take(&mut self.dir)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // Unless `kill` or `terminate` handed the directory on.
        if !self.dir.as_os_str().is_empty() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Sends `request` on a new connection to `server` and keeps the connection
/// open (never a FIN from the client); returns what came back within
/// `within` (until the server closed the connection) and how long it took.
pub fn raw_exchange(server: &Server, request: &[u8], within: Duration) -> (String, Duration) {
    use std::io::{Read, Write};
    let addr = server.base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    let start = Instant::now();
    stream.write_all(request).unwrap();
    stream.set_read_timeout(Some(within)).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    (
        String::from_utf8_lossy(&answer).into_owned(),
        start.elapsed(),
    )
}

/// The `snapshot-*` files of `store` under the state of `dir`, sorted.
pub fn snapshots(dir: &Path, store: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.join("state").join(store))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("snapshot-"))
        .collect();
    names.sort();
    names
}
