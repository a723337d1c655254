//! A real cluster: the `ballista_scheduler` example and two
//! `ballista_executor`s as processes of their own on 127.0.0.1, and
//! `detach_parquet --scheduler` on them answering and writing what
//! `detach --json` does.
#![cfg(feature = "datafusion")]

#[path = "support/program.rs"]
mod program;

use program::{assert_conventions, example, run_text};
use serde_json::Value;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A fresh directory for one case.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "catalog-filter-cluster-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A free port of 127.0.0.1 (free when asked: the program binding it
/// next is almost always the first to).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A scheduler and executors, as processes; killed (and waited for) when
/// dropped, whether the test passed or not.
struct Cluster {
    scheduler: SocketAddr,
    /// `(name, process)`; the scheduler first.
    processes: Vec<(String, Child)>,
    /// Where the processes' stderr and the executors' work go.
    dir: PathBuf,
}

impl Cluster {
    /// Starts a scheduler (executors taken for dead after
    /// `executor_timeout` seconds without a heartbeat, sent every second)
    /// and `executors` executors of 2 slots, and waits until each listens.
    fn start(dir: &Path, executors: usize, executor_timeout: u64) -> Cluster {
        let scheduler: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
        let mut cluster = Cluster {
            scheduler,
            processes: Vec::new(),
            dir: dir.to_owned(),
        };
        cluster.spawn(
            "scheduler",
            "ballista_scheduler",
            &[
                "--bind",
                &scheduler.to_string(),
                "--executor-timeout",
                &executor_timeout.to_string(),
            ],
        );
        cluster.wait_listening(0, scheduler);
        for i in 0..executors {
            let flight: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
            let work = dir.join(format!("work-{i}"));
            std::fs::create_dir_all(&work).unwrap();
            cluster.spawn(
                &format!("executor-{i}"),
                "ballista_executor",
                &[
                    "--scheduler",
                    &scheduler.to_string(),
                    "--bind",
                    &flight.to_string(),
                    "--grpc-port",
                    &free_port().to_string(),
                    "--slots",
                    "2",
                    "--heartbeat",
                    "1",
                    "--work-dir",
                    work.to_str().unwrap(),
                ],
            );
            // The executor serves its results once registered.
            let index = cluster.processes.len() - 1;
            cluster.wait_listening(index, flight);
        }
        cluster
    }

    fn spawn(&mut self, name: &str, program: &str, args: &[&str]) {
        let stderr = std::fs::File::create(self.dir.join(format!("{name}.stderr"))).unwrap();
        let child = Command::new(example(program))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {program}: {e}"));
        self.processes.push((name.to_owned(), child));
    }

    /// Waits until process `index` accepts connections on `addr`; panics
    /// with its stderr if it ends first or takes over 30 s.
    fn wait_listening(&mut self, index: usize, addr: SocketAddr) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return;
            }
            let (name, child) = &mut self.processes[index];
            let name = name.clone();
            if let Some(status) = child.try_wait().unwrap() {
                panic!("{name} ended ({status}): {}", self.stderr(index));
            }
            assert!(
                Instant::now() < deadline,
                "{name} does not listen on {addr}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// What process `index` wrote on stderr.
    fn stderr(&self, index: usize) -> String {
        let name = &self.processes[index].0;
        std::fs::read_to_string(self.dir.join(format!("{name}.stderr"))).unwrap_or_default()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for (_, child) in &mut self.processes {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `detach --json`'s answer line for `catalog` (JSON text) and the request.
fn detach_json(catalog: &str, filter: &str, nodes: &[&str]) -> Value {
    let input = serde_json::json!({
        "request": {"data": {"filter": filter, "node_ids": nodes}},
    });
    let input = input
        .to_string()
        .replacen('{', &format!("{{\"catalog\":{catalog},"), 1);
    let (code, stdout, stderr) = run_text("detach", &["--json"], input.as_bytes());
    assert_eq!(code, Some(0), "{stderr}");
    serde_json::from_str(&stdout).unwrap()
}

fn sample() -> String {
    let request: Value =
        serde_json::from_str(include_str!("../examples/data/request.json")).unwrap();
    request["catalog"].to_string()
}

/// `detach_parquet --scheduler` on `catalog` (JSON text) in `dir`: its
/// exit code, answer line (or stderr) and the snapshot it wrote.
fn detach_parquet(
    scheduler: SocketAddr,
    dir: &Path,
    catalog: &str,
    filter: &str,
    nodes: &[&str],
) -> (Option<i32>, String, String) {
    let input = dir.join("catalog.json");
    std::fs::write(&input, catalog).unwrap();
    let tables = dir.join("tables");
    let out = dir.join("after.json");
    let scheduler = scheduler.to_string();
    let mut args = vec![
        "--scheduler",
        &scheduler,
        "--from-json",
        input.to_str().unwrap(),
        "--dir",
        tables.to_str().unwrap(),
        "--to-json",
        out.to_str().unwrap(),
        "--filter",
        filter,
        "--node",
    ];
    args.extend(nodes);
    let (code, stdout, stderr) = run_text("detach_parquet", &args, b"");
    let after = std::fs::read_to_string(&out).unwrap_or_default();
    (code, if code == Some(0) { stdout } else { stderr }, after)
}

#[test]
fn a_cluster_of_processes_answers_and_writes_what_detach_json_does() {
    let dir = scratch("sample");
    let cluster = Cluster::start(&dir, 2, 3);
    let catalog = sample();
    let nodes = [
        "a1b2c3d4-0000-4000-8000-00000000a002",
        "node-fiction",
        "node-does-not-exist",
    ];
    // A native condition and one the evaluator's UDF runs (`like` on a
    // list), so that both the plan codecs and the record rewrite decode on the
    // executors.
    for (case, filter) in [
        ("native", "eq(templates,book):eq(status,live)"),
        ("udf", "like(tags,sa*)"),
    ] {
        let case_dir = dir.join(case);
        std::fs::create_dir_all(&case_dir).unwrap();
        let want = detach_json(&catalog, filter, &nodes);
        assert_eq!(want["status"], 200, "{filter}");
        let (code, answer, after) =
            detach_parquet(cluster.scheduler, &case_dir, &catalog, filter, &nodes);
        assert_eq!(code, Some(0), "{filter}: {answer}");
        let answer: Value = serde_json::from_str(&answer).unwrap();
        assert_eq!(answer["status"], want["status"], "{filter}");
        assert_eq!(answer["body"], want["body"], "{filter}");
        assert_eq!(after, want["catalog"].to_string(), "{filter}");
    }
    drop(cluster);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_cluster_programs_follow_the_conventions() {
    assert_conventions(
        "ballista_scheduler",
        "usage: ballista_scheduler --bind HOST:PORT [--executor-timeout SECS]",
        &[&["--help"], &["--bind", "x", "-h"]],
        &[
            (&[], "--bind is required"),
            (
                &["--bind", "localhost:1"],
                "--bind takes an IP address and port, not `localhost:1`",
            ),
            (
                &["--bind", "127.0.0.1:1", "--executor-timeout", "0"],
                "--executor-timeout takes a positive number of seconds, not `0`",
            ),
            (
                &["--bind", "127.0.0.1:1", "--bind", "127.0.0.1:2"],
                "--bind given twice",
            ),
        ],
    );
    let usage = "usage: ballista_executor --scheduler HOST:PORT --bind HOST:PORT --grpc-port PORT --slots N\n                         [--work-dir DIR] [--heartbeat SECS]";
    let ok = [
        "--scheduler",
        "h:1",
        "--bind",
        "127.0.0.1:2",
        "--grpc-port",
        "3",
    ];
    assert_conventions(
        "ballista_executor",
        usage,
        &[&["--help"], &["--slots", "-h"]],
        &[
            (&ok, "--slots is required"),
            (
                &[&ok[..], &["--slots", "0"]].concat(),
                "--slots takes a positive number, not `0`",
            ),
            (
                &["--scheduler", "h"],
                "--scheduler takes a HOST:PORT, not `h`",
            ),
            (&["--grpc-port", "x"], "--grpc-port takes a port, not `x`"),
            (
                &[&ok[..], &["--slots", "1", "--fast"]].concat(),
                "unknown argument `--fast`",
            ),
        ],
    );
    // A scheduler that is not there: a reason, exit 2.
    let port = free_port().to_string();
    let scheduler = format!("127.0.0.1:{port}");
    let (code, stdout, stderr) = run_text(
        "ballista_executor",
        &[
            "--scheduler",
            &scheduler,
            "--bind",
            &format!("127.0.0.1:{}", free_port()),
            "--grpc-port",
            &free_port().to_string(),
            "--slots",
            "1",
        ],
        b"",
    );
    assert_eq!((code, stdout.as_str()), (Some(2), ""));
    assert!(
        stderr.starts_with(&format!(
            "ballista_executor: cannot serve the scheduler at {scheduler}: "
        )),
        "{stderr}"
    );
}

#[path = "support/faults.rs"]
mod faults;

#[test]
fn an_executor_lost_mid_detach_leaves_the_previous_output_and_the_inputs() {
    let dir = scratch("lost");
    let mut cluster = Cluster::start(&dir, 2, 3);
    let catalog = faults::prepare(&example("detach_parquet"), &dir, 20_000);
    let hierarchies = faults::hierarchies(&catalog);
    let inputs = faults::files(&dir.join("tables"));
    let previous = faults::files(&dir.join("out"));
    let out = dir.join("out");
    let nodes: Vec<&str> = hierarchies.iter().map(String::as_str).collect();
    let want = detach_json(&catalog, "like(name,*)", &nodes);

    let scheduler = cluster.scheduler.to_string();
    let mut command = Command::new(example("detach_parquet"));
    command
        .args(["--scheduler", &scheduler, "--timeout", "30"])
        .args(["--dir", dir.join("tables").to_str().unwrap()])
        .args(["--out", out.to_str().unwrap()])
        .args(["--filter", "like(name,*)"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for h in &nodes {
        command.args(["--node", h]);
    }
    let mut job = command.spawn().unwrap();
    let killed = faults::wait_writing(&mut job, &out);
    if killed {
        // SIGKILL to the second executor.
        let (_, executor) = &mut cluster.processes[2];
        executor.kill().unwrap();
        let _ = executor.wait();
    }
    let (code, stdout, stderr) = faults::finish(job, Duration::from_secs(120));
    match code {
        // Ballista finished the job without the executor: the in-memory
        // answer, and the output replaced.
        Some(0) => {
            let answer: Value = serde_json::from_str(&stdout).unwrap();
            assert_eq!(answer["body"], want["body"]);
            assert!(!out.join("previous.txt").exists());
            // The snapshot the output holds is the in-memory one.
            let snapshot = dir.join("after.json");
            let (code, _, stderr) = run_text(
                "detach_parquet",
                &[
                    "--dir",
                    out.to_str().unwrap(),
                    "--out",
                    dir.join("unused").to_str().unwrap(),
                    "--to-json",
                    snapshot.to_str().unwrap(),
                    "--filter",
                    "like(name,*)",
                    "--node",
                    "no-such-node",
                ],
                b"",
            );
            assert_eq!(code, Some(0), "{stderr}");
            let after: Value =
                serde_json::from_str(&std::fs::read_to_string(&snapshot).unwrap()).unwrap();
            assert_eq!(after, want["catalog"]);
            eprintln!("note: the job finished without the lost executor (killed: {killed})");
        }
        // It did not: a clear error, and nothing changed.
        _ => {
            assert_eq!((code, stdout.as_str()), (Some(2), ""), "{stderr}");
            assert!(
                stderr.starts_with("detach_parquet: no answer within 30 s;"),
                "{stderr}"
            );
            assert_eq!(faults::files(&out), previous);
            eprintln!("note: the job waited for the lost executor until the timeout");
        }
    }
    assert_eq!(faults::files(&dir.join("tables")), inputs);
    assert_eq!(faults::partials(&out), Vec::<PathBuf>::new());
    drop(cluster);
    let _ = std::fs::remove_dir_all(&dir);
}

#[path = "support/generate.rs"]
#[allow(dead_code)]
mod generate;

#[test]
fn a_cluster_of_processes_selects_and_detaches_as_memory_on_generated_catalogs() {
    use ::ballista::prelude::SessionContextExt;
    use catalog_filter::datafusion::detach::{DirOptions, detach_dir};
    use catalog_filter::datafusion::{ballista, partition, select_ids, tables};
    use catalog_filter::elasticpath::detach as reference;
    use catalog_filter::schema::Schema;
    use catalog_filter::synthetic::SplitMix64;
    use catalog_filter::{CompilerBuilder, Limits};
    use datafusion::prelude::SessionContext;

    let dir = scratch("differential");
    let cluster = Cluster::start(&dir, 2, 3);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let ctx = rt
        .block_on(SessionContext::remote_with_state(
            &format!("df://{}", cluster.scheduler),
            ballista::session_state(),
        ))
        .unwrap();
    let limits = Limits {
        max_conditions: 64,
        ..generate::LIMITS
    };
    let (mut checked, mut matched, mut removed) = (0, 0, 0);
    for seed in 0..4u64 {
        // Generated catalogs with hostile texts and free-form values of
        // every kind; every operator and OR groups; the single-file layout
        // and partitions.
        let catalog = generate::catalog(seed, 40 + 20 * seed as usize, 12);
        let tables_dir = dir.join(format!("tables-{seed}"));
        match seed % 2 {
            0 => tables::export_parquet(&catalog, &tables_dir).unwrap(),
            _ => partition::export_parquet_partitioned(
                &catalog,
                &tables_dir,
                std::num::NonZeroUsize::new(3).unwrap(),
            )
            .unwrap(),
        }
        rt.block_on(tables::register_parquet(&ctx, &tables_dir))
            .unwrap();
        let mut rng = SplitMix64::new(seed);
        for _ in 0..6 {
            let text = generate::every_operator_filter(&mut rng, &catalog);
            let filter = match CompilerBuilder::new()
                .schema(Schema::every_operator())
                .limits(limits)
                .build()
                .compile(&text)
            {
                Ok(f) => f,
                Err(e) if e.to_string().contains("too complex") => continue,
                Err(e) => panic!("{text}: {e}"),
            };
            let mut want: Vec<uuid::Uuid> = catalog.select(&filter).map(|(_, p)| p.id).collect();
            want.sort_unstable();
            let got = rt.block_on(select_ids(&ctx, &filter)).unwrap();
            assert_eq!(got, want, "seed {seed}: {text}");
            checked += 1;
            matched += usize::from(!want.is_empty());
        }
        // A detach on the cluster writes what the in-memory apply does.
        let request = reference::DetachNodesRequest::new(
            generate::filter(&mut rng, &catalog),
            generate::node_ids(&mut rng, &catalog),
        );
        let out = dir.join(format!("out-{seed}"));
        let got = rt
            .block_on(detach_dir(
                &ctx,
                &tables_dir,
                &request,
                &generate::LIMITS,
                &out,
                &DirOptions::new(),
            ))
            .unwrap();
        match (
            got,
            generate::planned(&catalog, &request, &generate::LIMITS),
        ) {
            (Ok(detached), Ok((response, removals))) => {
                assert_eq!(serde_json::to_string(&detached.response).unwrap(), response);
                assert_eq!(detached.memberships_removed, removals.len() as u64);
                removed += removals.len();
                let mut after = catalog.clone();
                let plan = reference::plan(&catalog, &request, &generate::LIMITS).unwrap();
                reference::apply(&mut after, &plan);
                let local = SessionContext::new();
                rt.block_on(tables::register_parquet(&local, &out)).unwrap();
                let mut text = Vec::new();
                rt.block_on(tables::write_json(&local, &mut text)).unwrap();
                assert_eq!(
                    String::from_utf8(text).unwrap(),
                    after.to_json(),
                    "seed {seed}"
                );
            }
            (Err(envelope), Err(want)) => {
                assert_eq!(serde_json::to_string(&envelope).unwrap(), want);
            }
            (got, want) => panic!("seed {seed}: {got:?} against {want:?}"),
        }
    }
    assert!(checked >= 20, "{checked} filters");
    assert!(matched * 4 > checked, "only {matched} of {checked} matched");
    assert!(removed > 0, "no detach removed anything");
    drop(ctx);
    rt.shutdown_background();
    drop(cluster);
    let _ = std::fs::remove_dir_all(&dir);
}
