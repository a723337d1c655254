//! A Ballista executor that knows the crate's conditions: the program a
//! cluster for `detach_parquet --scheduler` runs on each machine.
//!
//! ```text
//! cargo run --example ballista_executor --features datafusion -- \
//!     --scheduler HOST:PORT --bind HOST:PORT --grpc-port PORT --slots N \
//!     [--work-dir DIR] [--heartbeat SECS]
//! ```
//!
//! - `--scheduler HOST:PORT`: the scheduler (`ballista_scheduler`), which
//!   must be running: the executor registers with it when it starts.
//! - `--bind HOST:PORT`: the address it serves its results on (Arrow
//!   Flight; the scheduler, the other executors and clients fetch them);
//!   HOST is also the address it tells the scheduler.
//! - `--grpc-port PORT`: the port, on the same HOST, of the service the
//!   scheduler sends tasks to.
//! - `--slots N`: how many tasks it runs at a time.
//! - `--work-dir DIR`: where it keeps the intermediate results between
//!   stages (default: a new directory under the system's temporary
//!   directory). Not removed when it stops.
//! - `--heartbeat SECS`: how often it tells the scheduler it is alive
//!   (default 60, as Ballista's; shorter than the scheduler's
//!   `--executor-timeout`).
//!
//! It is Ballista's executor (`start_executor_process`) configured by
//! `catalog_filter::datafusion::ballista::executor_config`: the crate's
//! plan codecs, so that the filter's conditions and detach's record
//! rewrite decode here, and the session config of `session_state`. The
//! tables it reads are paths the client names: on several machines they
//! must be on storage shared at the same path. It runs until it is stopped
//! (SIGTERM, Ctrl-C: it then tells the scheduler and finishes its running
//! tasks), and prints nothing. A scheduler it cannot reach or a port it
//! cannot bind is `ballista_executor: REASON` on stderr and exit 2, as are
//! bad arguments (options in any order; `--help` prints the usage).

mod common;

use ballista_executor::executor_process::start_executor_process;
use catalog_filter::datafusion::ballista::executor_config;
use common::{Args, Program};
use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::process::ExitCode;
use std::sync::Arc;

const PROGRAM: Program = Program {
    name: "ballista_executor",
    usage: "usage: ballista_executor --scheduler HOST:PORT --bind HOST:PORT --grpc-port PORT --slots N\n                         [--work-dir DIR] [--heartbeat SECS]",
};

/// The command line.
struct Options {
    scheduler: (String, u16),
    bind: SocketAddr,
    grpc_port: u16,
    slots: NonZeroUsize,
    work_dir: Option<String>,
    heartbeat: Option<u64>,
}

impl Options {
    fn parse(args: &mut Args) -> Result<Options, String> {
        let (mut scheduler, mut bind, mut grpc_port, mut slots) = (None, None, None, None);
        let (mut work_dir, mut heartbeat) = (None, None);
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--scheduler" => {
                    let value = args.value("--scheduler", "a HOST:PORT")?;
                    let parsed = value
                        .rsplit_once(':')
                        .and_then(|(host, port)| Some((host.to_owned(), port.parse().ok()?)))
                        .filter(|(host, _)| !host.is_empty())
                        .ok_or_else(|| format!("--scheduler takes a HOST:PORT, not `{value}`"))?;
                    common::once(&mut scheduler, "--scheduler", parsed)?
                }
                "--bind" => {
                    let value = args.value("--bind", "a HOST:PORT")?;
                    let parsed = value.parse().map_err(|_| {
                        format!("--bind takes an IP address and port, not `{value}`")
                    })?;
                    common::once(&mut bind, "--bind", parsed)?
                }
                "--grpc-port" => {
                    let value = args.value("--grpc-port", "a PORT")?;
                    let parsed = value
                        .parse::<u16>()
                        .ok()
                        .filter(|p| *p > 0)
                        .ok_or_else(|| format!("--grpc-port takes a port, not `{value}`"))?;
                    common::once(&mut grpc_port, "--grpc-port", parsed)?
                }
                "--slots" => {
                    let value = args.value("--slots", "a number of tasks")?;
                    let parsed = value
                        .parse::<NonZeroUsize>()
                        .map_err(|_| format!("--slots takes a positive number, not `{value}`"))?;
                    common::once(&mut slots, "--slots", parsed)?
                }
                "--work-dir" => common::once(
                    &mut work_dir,
                    "--work-dir",
                    args.value("--work-dir", "a DIR")?,
                )?,
                "--heartbeat" => {
                    let value = args.value("--heartbeat", "a number of seconds")?;
                    let parsed = value
                        .parse::<u64>()
                        .ok()
                        .filter(|s| *s > 0)
                        .ok_or_else(|| {
                            format!("--heartbeat takes a positive number of seconds, not `{value}`")
                        })?;
                    common::once(&mut heartbeat, "--heartbeat", parsed)?
                }
                other => return Err(common::unknown(other)),
            }
        }
        Ok(Options {
            scheduler: scheduler.ok_or("--scheduler is required")?,
            bind: bind.ok_or("--bind is required")?,
            grpc_port: grpc_port.ok_or("--grpc-port is required")?,
            slots: slots.ok_or("--slots is required")?,
            work_dir,
            heartbeat,
        })
    }
}

fn main() -> ExitCode {
    let options = match PROGRAM.options(Options::parse) {
        Ok(options) => options,
        Err(code) => return code,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return PROGRAM.fail(&format!("cannot start a Tokio runtime: {e}")),
    };
    let mut config = executor_config();
    config.bind_host = options.bind.ip().to_string();
    config.external_host = Some(options.bind.ip().to_string());
    config.port = options.bind.port();
    config.grpc_port = options.grpc_port;
    (config.scheduler_host, config.scheduler_port) = options.scheduler.clone();
    config.vcores = options.slots.get();
    config.work_dir = options.work_dir.clone();
    if let Some(seconds) = options.heartbeat {
        config.executor_heartbeat_interval_seconds = seconds;
    }
    let scheduler = format!("{}:{}", options.scheduler.0, options.scheduler.1);
    match runtime.block_on(start_executor_process(Arc::new(config))) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => PROGRAM.fail(&format!("cannot serve the scheduler at {scheduler}: {e}")),
    }
}
