//! A throwaway PostgreSQL server for tests.
//!
//! [`PgServer::start`] finds `initdb`/`pg_ctl` (`$PG_BIN`, then `PATH`,
//! then the newest `/usr/lib/postgresql/*/bin`), runs `initdb` into a fresh
//! temporary directory and starts the server on a free port of 127.0.0.1,
//! its unix socket inside that directory. Dropping the server (also while a
//! test unwinds from a panic) stops it and removes the directory.
//!
//! [`shared`] starts one server for the whole test binary, on first use,
//! whether the tests run in parallel or one at a time; it is stopped and
//! removed when the process exits (an `atexit` hook).
//!
//! Whatever ends the test process (Ctrl-C, `kill -INT -$pgid`, SIGKILL, an
//! abort), a watchdog cleans up: a `sh` started in its own process group
//! (so signals to the test's group, such as the terminal's Ctrl-C, do not
//! reach it) that ignores INT, QUIT, HUP and TERM and blocks reading a pipe
//! whose only writer is the test process. When that process is gone, for any
//! reason, the read ends; the watchdog stops the server (`pg_ctl stop -m
//! immediate`: the postmaster runs in its own session, so it would outlive
//! the test) and removes the directory.
//!
//! PostgreSQL refuses to run as root. When the tests run as root (as CI
//! does), the directory is handed to an unprivileged user (`$PG_TEST_USER`,
//! else `postgres`, else `nobody`) and `initdb`/`pg_ctl` run as that user
//! through `runuser` (or `su`). The tests connect over TCP with `trust`
//! authentication, as the database superuser `postgres`.
//!
//! Missing binaries are a panic that says how to install them: a CI
//! machine without PostgreSQL must fail, not skip.

use postgres::{Client, NoTls};
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A running server, stopped and deleted on drop.
pub struct PgServer {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
    user: Option<String>,
    /// The watchdog and the write end of its pipe (see the module docs).
    watchdog: Option<(Child, ChildStdin)>,
}

static SHARED: OnceLock<PgServer> = OnceLock::new();

/// The one server of this test binary: started by the first test that asks,
/// stopped and removed at process exit (or by the watchdog, if the process
/// is killed). Each test takes its own database ([`PgServer::fresh_database`]).
pub fn shared() -> &'static PgServer {
    SHARED.get_or_init(|| {
        let server = PgServer::start();
        // SAFETY: `atexit` is the C library's; `stop_shared` is an
        // `extern "C"` function that does not unwind (it catches panics).
        let registered = unsafe { atexit(stop_shared) } == 0;
        assert!(registered, "atexit refused the PostgreSQL clean-up hook");
        server
    })
}

unsafe extern "C" {
    fn atexit(callback: extern "C" fn()) -> std::os::raw::c_int;
}

/// Stops the shared server when the test binary exits normally (libtest
/// returns from `main` or calls `exit`): the cleanup is done when `cargo
/// test` returns, not a moment later by the watchdog.
extern "C" fn stop_shared() {
    if let Some(server) = SHARED.get() {
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| server.stop()));
    }
}

impl PgServer {
    /// Starts a fresh server, or panics saying why.
    pub fn start() -> PgServer {
        let bin = find_bin();
        let user = unprivileged_user();
        let unique = format!(
            "catalog-filter-pg-{}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0)
        );
        let dir = std::env::temp_dir().join(unique);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
        let mut server = PgServer {
            dir,
            bin,
            port: 0,
            user,
            watchdog: None,
        };
        if let Some(user) = &server.user {
            let status = Command::new("chown")
                .arg(format!("{user}:"))
                .arg(&server.dir)
                .status();
            assert!(
                status.is_ok_and(|s| s.success()),
                "could not hand {} to user {user}",
                server.dir.display()
            );
        }
        server.spawn_watchdog();
        let data = server.data();
        let initdb = server.run(
            "initdb",
            &[
                "-D",
                path_str(&data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ],
        );
        assert!(initdb.0, "initdb failed:\n{}", initdb.1);
        // A free port can be taken between our probe and the server's bind:
        // try a few.
        let mut last = String::new();
        for _ in 0..5 {
            server.port = free_port();
            let options = format!(
                "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off \
                 -c synchronous_commit=off -c full_page_writes=off -c max_connections=40",
                server.port,
                path_str(&server.dir)
            );
            let log = server.dir.join("server.log");
            let (ok, out) = server.run(
                "pg_ctl",
                &[
                    "-D",
                    path_str(&data),
                    "-l",
                    path_str(&log),
                    "-o",
                    &options,
                    "-w",
                    "-t",
                    "60",
                    "start",
                ],
            );
            if ok {
                return server;
            }
            last = format!(
                "{out}\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        }
        panic!("pg_ctl start failed:\n{last}");
    }

    /// The server's port on 127.0.0.1.
    #[allow(dead_code)]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The directory of the server binaries (`initdb`, `pg_ctl`).
    #[allow(dead_code)]
    pub fn bin(&self) -> &Path {
        &self.bin
    }

    /// The temporary directory holding the data and the socket.
    #[allow(dead_code)]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Connects to database `dbname` as `postgres`.
    pub fn connect(&self, dbname: &str) -> Client {
        let config = format!(
            "host=127.0.0.1 port={} user=postgres dbname={dbname}",
            self.port
        );
        Client::connect(&config, NoTls).unwrap_or_else(|e| panic!("connecting to {config}: {e}"))
    }

    /// Creates a new, empty database with the reference schema and connects
    /// to it: each test gets its own, so tests can run in parallel.
    pub fn fresh_database(&self) -> Client {
        let name = format!("cf_test_{}", COUNTER.fetch_add(1, Ordering::Relaxed));
        let mut admin = self.connect("postgres");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
        let mut client = self.connect(&name);
        catalog_filter::sql::pg::create_schema(&mut client)
            .unwrap_or_else(|e| panic!("creating the schema: {e}"));
        client
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// Runs a PostgreSQL program (as the unprivileged user when root);
    /// returns success and the combined output.
    fn run(&self, program: &str, args: &[&str]) -> (bool, String) {
        let exe = self.bin.join(program);
        let mut cmd = match &self.user {
            None => Command::new(&exe),
            Some(user) if has_program("runuser") => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&exe);
                c
            }
            Some(user) => {
                let mut line = shell_quote(path_str(&exe));
                for a in args {
                    line.push(' ');
                    line.push_str(&shell_quote(a));
                }
                let mut c = Command::new("su");
                c.args(["-s", "/bin/sh", user, "-c", &line]);
                let out = c.stdin(Stdio::null()).output();
                return match out {
                    Ok(o) => (o.status.success(), output_text(&o)),
                    Err(e) => (false, format!("running su: {e}")),
                };
            }
        };
        cmd.args(args).current_dir(&self.dir).stdin(Stdio::null());
        match cmd.output() {
            Ok(o) => (o.status.success(), output_text(&o)),
            Err(e) => (false, format!("running {}: {e}", exe.display())),
        }
    }

    /// Stops the server (when running) and removes its directory. Idempotent.
    fn stop(&self) {
        if self.port != 0 || self.data().join("postmaster.pid").exists() {
            let data = self.data();
            let _ = self.run(
                "pg_ctl",
                &["-D", path_str(&data), "-m", "immediate", "-w", "stop"],
            );
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }

    /// Starts the watchdog (see the module docs) that stops the server and
    /// deletes the directory if this process ends without doing so.
    fn spawn_watchdog(&mut self) {
        let pg_ctl = shell_quote(path_str(&self.bin.join("pg_ctl")));
        let data = shell_quote(path_str(&self.data()));
        let dir = shell_quote(path_str(&self.dir));
        let stop = match &self.user {
            Some(user) => format!(
                "runuser -u {} -- {pg_ctl} -D {data} -m immediate stop || su -s /bin/sh {} -c \"{pg_ctl} -D {data} -m immediate stop\"",
                shell_quote(user),
                shell_quote(user)
            ),
            None => format!("{pg_ctl} -D {data} -m immediate stop"),
        };
        // `cat` returns when the last writer of its stdin is gone: the
        // write end is this process's alone (Rust opens pipes close-on-exec,
        // so no server process inherits it).
        // Then, while the directory exists: stop the server if it has a pid
        // file; if not, look again for a moment (the test may have died just
        // after `pg_ctl start` forked a postmaster that has not yet written
        // its pid file). Last, remove the directory.
        let script = format!(
            "trap '' INT QUIT HUP TERM; cat >/dev/null; \
             for i in 1 2 3 4 5 6 7 8 9 10; do \
               [ -d {dir} ] || exit 0; \
               if [ -f {data}/postmaster.pid ]; then {stop}; break; fi; sleep 0.3; \
             done >/dev/null 2>&1; rm -rf {dir}"
        );
        let mut child = Command::new("sh")
            .args(["-c", &script])
            // Its own process group: outside the test's, which Ctrl-C hits.
            .process_group(0)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("starting the PostgreSQL watchdog (sh): {e}"));
        let pipe = child.stdin.take().expect("piped stdin");
        self.watchdog = Some((child, pipe));
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        self.stop();
        if let Some((mut child, pipe)) = self.watchdog.take() {
            // Nothing is left for the watchdog to do: end it (its `cat` ends
            // when the pipe closes).
            let _ = child.kill();
            let _ = child.wait();
            drop(pipe);
        }
    }
}

fn output_text(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn path_str(p: &Path) -> &str {
    p.to_str()
        .unwrap_or_else(|| panic!("non-UTF-8 path {}", p.display()))
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

fn has_program(name: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(name).is_file()))
}

/// The directory holding `initdb` and `pg_ctl`.
fn find_bin() -> PathBuf {
    let has_both = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Some(dir) = std::env::var_os("PG_BIN").map(PathBuf::from) {
        assert!(
            has_both(&dir),
            "PG_BIN={} has no initdb and pg_ctl",
            dir.display()
        );
        return dir;
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            if has_both(&dir) {
                return dir;
            }
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            has_both(&bin).then_some((version, bin))
        })
        .collect();
    versions.sort();
    match versions.pop() {
        Some((_, bin)) => bin,
        None => panic!(
            "PostgreSQL server binaries (initdb, pg_ctl) not found in $PG_BIN, $PATH or \
             /usr/lib/postgresql/*/bin. Install them (Debian/Ubuntu: \
             `apt-get install -y postgresql`) or set PG_BIN. These tests need a real server."
        ),
    }
}

/// `Some(user)` when running as root: the user to run PostgreSQL as.
fn unprivileged_user() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let uid = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|rest| rest.split_whitespace().nth(1).map(str::to_owned))
        .or_else(|| {
            Command::new("id")
                .arg("-u")
                .output()
                .ok()
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        });
    if uid.as_deref() != Some("0") {
        return None;
    }
    let candidates = std::env::var("PG_TEST_USER")
        .ok()
        .into_iter()
        .chain(["postgres".to_owned(), "nobody".to_owned()]);
    for user in candidates {
        let exists = Command::new("id")
            .arg("-u")
            .arg(&user)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if exists {
            return Some(user);
        }
    }
    panic!("running as root, and no unprivileged user (postgres, nobody) to run PostgreSQL as");
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("finding a free port: {e}"))
}
