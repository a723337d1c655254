//! Elastic Path `detach_nodes` over a catalog kept as Parquet tables, on
//! DataFusion (one process) or on a Ballista cluster.
//!
//! ```text
//! cargo run --example detach_parquet --features datafusion -- \
//!     --dir DIR --filter FILTER --node ID... [--out OUT] \
//!     [--from-json FILE [--partitions N]] [--to-json FILE] [--removals] \
//!     [--memory-limit MIB] [--timeout SECS] [--ballista | --scheduler HOST:PORT]
//! ```
//!
//! - `--dir DIR`: the catalog's tables, in either layout: `DIR/<table>.parquet`,
//!   as `catalog_filter::datafusion::tables::export_parquet` writes them,
//!   or with `products` and `product_nodes` split into partitions, as
//!   `catalog_filter::datafusion::partition::export_parquet_partitioned`
//!   writes them.
//! - `--from-json FILE`: first writes the tables of the JSON snapshot FILE
//!   into DIR (creating it, replacing the tables there); with
//!   `--partitions N`, in N partitions.
//! - `--filter` and `--node` (one or more ids; repeatable): the request.
//! - `--out OUT`: where the tables after the detach are written (default
//!   `DIR.detached`; never DIR under any spelling: the input files are not
//!   modified, and such an OUT is refused before anything is written).
//!   The detach runs where the data is
//!   (`catalog_filter::datafusion::detach::detach_dir`): one partition at a
//!   time, into a new directory renamed to OUT when complete.
//! - `--removals`: also writes the removed memberships as the table
//!   `OUT/removals` (a record of what changed).
//! - `--memory-limit MIB`: DataFusion's memory limit, in MiB (a partition
//!   whose joins need more fails with DataFusion's "resources exhausted"
//!   instead of growing the process).
//! - `--timeout SECS`: gives up after SECS seconds, exit 2, OUT left as it
//!   was. Ctrl-C and SIGTERM do the same at once. (On a Ballista cluster
//!   that lost an executor mid-job, Ballista 55 neither reschedules its
//!   tasks nor fails the job: the job would wait forever.)
//! - `--to-json FILE`: writes the snapshot after the request as JSON (the
//!   input's, unchanged, when the request is refused).
//! - `--ballista`: runs the plan on a Ballista scheduler with two
//!   executors started in this process on 127.0.0.1.
//! - `--scheduler HOST:PORT`: runs the plan on the Ballista cluster whose
//!   scheduler is at HOST:PORT (the `ballista_scheduler` and
//!   `ballista_executor` examples; the executors must see DIR and OUT at
//!   the same paths).
//!
//! It prints one line, `{"status":200,"body":{...}}`, with the status and
//! body `detach --json` answers for the same catalog and request (the
//! caller holds an admin token), and exits 0 whenever it printed one (a
//! `--from-json` snapshot that fails its integrity checks is the 500
//! answer, and nothing is written). Bad
//! arguments, and files that cannot be read or written (a missing table, a
//! Parquet file of the wrong layout), are `detach_parquet: REASON` on
//! stderr and exit 2, as in the other examples (options in any order;
//! `--help` prints the usage).

mod common;

use ::ballista::prelude::SessionContextExt;
use catalog_filter::Limits;
use catalog_filter::catalog::Catalog;
use catalog_filter::datafusion::ballista::{LocalCluster, session_state};
use catalog_filter::datafusion::detach::{self, DirOptions};
use catalog_filter::datafusion::{partition, tables};
use catalog_filter::elasticpath::detach::{Answer, DetachNodesRequest, integrity_error};
use common::{Args, Program};
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::prelude::SessionConfig;
use datafusion::prelude::SessionContext;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

const PROGRAM: Program = Program {
    name: "detach_parquet",
    usage: "usage: detach_parquet --dir DIR --filter FILTER --node ID... [--out OUT]\n                      [--from-json FILE [--partitions N]] [--to-json FILE]\n                      [--removals] [--memory-limit MIB] [--timeout SECS]\n                      [--ballista | --scheduler HOST:PORT]",
};

/// The command line.
#[derive(Debug, Default)]
struct Options {
    dir: PathBuf,
    filter: String,
    nodes: Vec<String>,
    out: Option<PathBuf>,
    from_json: Option<String>,
    to_json: Option<PathBuf>,
    partitions: Option<NonZeroUsize>,
    removals: bool,
    memory_limit: Option<usize>,
    timeout: Option<Duration>,
    ballista: bool,
    scheduler: Option<String>,
}

impl Options {
    fn parse(args: &mut Args) -> Result<Options, String> {
        let (mut dir, mut filter, mut options) = (None, None, Options::default());
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--dir" => common::once(
                    &mut dir,
                    "--dir",
                    PathBuf::from(args.value("--dir", "a DIR")?),
                )?,
                "--filter" => {
                    common::once(&mut filter, "--filter", args.value("--filter", "a FILTER")?)?
                }
                "--node" => options.nodes.extend(args.values("--node")?),
                "--out" => common::once(
                    &mut options.out,
                    "--out",
                    PathBuf::from(args.value("--out", "a DIR")?),
                )?,
                "--from-json" => common::once(
                    &mut options.from_json,
                    "--from-json",
                    args.value("--from-json", "a FILE")?,
                )?,
                "--to-json" => common::once(
                    &mut options.to_json,
                    "--to-json",
                    PathBuf::from(args.value("--to-json", "a FILE")?),
                )?,
                "--partitions" => {
                    let n = args.value("--partitions", "a number of partitions")?;
                    let n = n
                        .parse::<NonZeroUsize>()
                        .map_err(|_| format!("--partitions takes a positive number, not `{n}`"))?;
                    common::once(&mut options.partitions, "--partitions", n)?
                }
                "--memory-limit" => {
                    let n = args.value("--memory-limit", "a size in MiB")?;
                    let mib = n
                        .parse::<usize>()
                        .ok()
                        .filter(|m| *m > 0)
                        .and_then(|m| m.checked_mul(1 << 20))
                        .ok_or_else(|| format!("--memory-limit takes a size in MiB, not `{n}`"))?;
                    common::once(&mut options.memory_limit, "--memory-limit", mib)?
                }
                "--timeout" => {
                    let n = args.value("--timeout", "a number of seconds")?;
                    let secs = n.parse::<u64>().ok().filter(|s| *s > 0).ok_or_else(|| {
                        format!("--timeout takes a positive number of seconds, not `{n}`")
                    })?;
                    common::once(&mut options.timeout, "--timeout", Duration::from_secs(secs))?
                }
                "--removals" if options.removals => return Err("--removals given twice".to_owned()),
                "--removals" => options.removals = true,
                "--ballista" if options.ballista => return Err("--ballista given twice".to_owned()),
                "--ballista" => options.ballista = true,
                "--scheduler" => common::once(
                    &mut options.scheduler,
                    "--scheduler",
                    args.value("--scheduler", "a HOST:PORT")?,
                )?,
                other => return Err(common::unknown(other)),
            }
        }
        options.dir = dir.ok_or("--dir is required")?;
        options.filter = filter.ok_or("--filter is required")?;
        if options.nodes.is_empty() {
            return Err("--node is required".to_owned());
        }
        if options.ballista && options.scheduler.is_some() {
            return Err("--ballista and --scheduler exclude each other".to_owned());
        }
        if options.partitions.is_some() && options.from_json.is_none() {
            return Err(
                "--partitions needs --from-json (it is how the tables are written)".to_owned(),
            );
        }
        Ok(options)
    }

    /// Where the tables after the detach go.
    fn out(&self) -> PathBuf {
        self.out.clone().unwrap_or_else(|| {
            let mut name = self.dir.as_os_str().to_owned();
            name.push(".detached");
            PathBuf::from(name)
        })
    }
}

/// The runtime's blocking threads, which DataFusion's file reads and
/// writes run on. Tokio allows 512; each thread that allocates may get a
/// malloc arena of its own, which keeps what it freed. Bounded to 4, the
/// 1M-product detach of `benches/detach_dir.sh` peaked at 203-212 MB
/// instead of 287-298 MB, in the same time.
const BLOCKING_THREADS: usize = 4;

fn main() -> ExitCode {
    let options = match PROGRAM.options(Options::parse) {
        Ok(options) => options,
        Err(code) => return code,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(BLOCKING_THREADS)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return PROGRAM.fail(&format!("cannot start a Tokio runtime: {e}")),
    };
    let result = runtime.block_on(async {
        tokio::select! {
            result = run(&options) => result,
            () = deadline(options.timeout) => Err(format!(
                "no answer within {} s; {} is left as it was (on a cluster, an executor may \
                 have been lost: Ballista neither reschedules its tasks nor fails the job)",
                options.timeout.map_or(0, |t| t.as_secs()),
                options.out().display()
            )),
            reason = interrupted() => Err(format!(
                "{reason}; {} is left as it was",
                options.out().display()
            )),
        }
    });
    // The cluster's tasks end with the runtime. Work that was cut short
    // may still write to the staging directory until it stops: removed
    // after it has.
    runtime.shutdown_timeout(Duration::from_secs(10));
    if result.is_err() {
        if let Some(partial) = detach::partial_dir(&options.out()) {
            let _ = std::fs::remove_dir_all(partial);
        }
    }
    match result {
        Ok(answer) => {
            println!("{}", serde_json::to_string(&answer).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Err(reason) => PROGRAM.fail(&reason),
    }
}

/// Never, or after `timeout`.
async fn deadline(timeout: Option<Duration>) {
    match timeout {
        Some(t) => tokio::time::sleep(t).await,
        None => std::future::pending().await,
    }
}

/// When the program is asked to stop (Ctrl-C, SIGTERM): which way.
async fn interrupted() -> &'static str {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => "interrupted",
        () = terminate => "terminated",
    }
}

/// Does what the options say; the answer to print, or why it could not.
async fn run(options: &Options) -> Result<Answer, String> {
    if let Some(file) = &options.from_json {
        let text = common::read_file(file)?;
        match Catalog::from_json(&text) {
            Ok(catalog) => match options.partitions {
                Some(n) => partition::export_parquet_partitioned(&catalog, &options.dir, n),
                None => tables::export_parquet(&catalog, &options.dir),
            }
            .map_err(|e| format!("cannot write the tables: {e}"))?,
            // As `detach --json` answers a catalog that fails its checks.
            Err(e) => match e.integrity() {
                Some(errors) => return Ok(Answer::error(integrity_error(errors))),
                None => return Err(format!("cannot load {file}: {e}")),
            },
        }
    }
    let ctx = if let Some(addr) = &options.scheduler {
        SessionContext::remote_with_state(&format!("df://{addr}"), session_state())
            .await
            .map_err(|e| format!("cannot connect to the scheduler at {addr}: {e}"))?
    } else if options.ballista {
        let cluster = LocalCluster::start(2, 2).await.map_err(|e| e.to_string())?;
        cluster.context().await.map_err(|e| e.to_string())?
    } else {
        let mut runtime = RuntimeEnvBuilder::new();
        if let Some(bytes) = options.memory_limit {
            runtime = runtime.with_memory_limit(bytes, 1.0);
        }
        let runtime = runtime.build_arc().map_err(|e| e.to_string())?;
        SessionContext::new_with_config_rt(SessionConfig::new(), runtime)
    };
    let request = DetachNodesRequest::new(options.filter.clone(), options.nodes.clone());
    let out = options.out();
    let detached = detach::detach_dir(
        &ctx,
        &options.dir,
        &request,
        &Limits::default(),
        &out,
        &DirOptions::new().removals(options.removals),
    )
    .await
    .map_err(|e| e.to_string())?;
    let (answer, after) = match detached {
        Ok(detached) => {
            // What was done, for the operator (stdout is the answer).
            eprintln!(
                "detach_parquet: {} memberships removed in {} partitions",
                detached.memberships_removed, detached.partitions
            );
            (Answer::ok(detached.response), out)
        }
        Err(envelope) => (Answer::error(envelope), options.dir.clone()),
    };
    if let Some(file) = &options.to_json {
        write_json(&after, file).await?;
    }
    Ok(answer)
}

/// Writes the snapshot of the tables in `dir` to `file` as JSON.
async fn write_json(dir: &Path, file: &Path) -> Result<(), String> {
    let ctx = SessionContext::new();
    tables::register_parquet(&ctx, dir)
        .await
        .map_err(|e| e.to_string())?;
    let cannot = |e: &dyn std::fmt::Display| format!("cannot write {}: {e}", file.display());
    let out = std::fs::File::create(file).map_err(|e| cannot(&e))?;
    let mut out = std::io::BufWriter::new(out);
    tables::write_json(&ctx, &mut out)
        .await
        .map_err(|e| cannot(&e))?;
    std::io::Write::flush(&mut out).map_err(|e| cannot(&e))
}
