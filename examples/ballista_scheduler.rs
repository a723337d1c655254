//! A Ballista scheduler that knows the crate's conditions: the program a
//! cluster for `detach_parquet --scheduler` starts first.
//!
//! ```text
//! cargo run --example ballista_scheduler --features datafusion -- \
//!     --bind HOST:PORT [--executor-timeout SECS]
//! ```
//!
//! - `--bind HOST:PORT`: the address clients and executors connect to.
//! - `--executor-timeout SECS`: an executor not heard from for SECS seconds
//!   is taken for dead, its tasks run again elsewhere (default 180, as
//!   Ballista's; an executor's `--heartbeat` must be shorter).
//!
//! It is Ballista's scheduler (`start_server`) configured by
//! `catalog_filter::datafusion::ballista::scheduler_config`: the crate's
//! plan codecs, so that the filter's conditions and detach's record
//! rewrite decode here, and the session config of `session_state`. It
//! runs until it is stopped (SIGTERM, Ctrl-C); it prints nothing (Ballista
//! logs through `log`, and no logger is installed). An address it cannot
//! bind is `ballista_scheduler: REASON` on stderr and exit 2, as are bad
//! arguments (options in any order; `--help` prints the usage).

mod common;

use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::scheduler_process::start_server;
use catalog_filter::datafusion::ballista::scheduler_config;
use common::{Args, Program};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

const PROGRAM: Program = Program {
    name: "ballista_scheduler",
    usage: "usage: ballista_scheduler --bind HOST:PORT [--executor-timeout SECS]",
};

/// The command line.
struct Options {
    bind: SocketAddr,
    executor_timeout: Option<u64>,
}

impl Options {
    fn parse(args: &mut Args) -> Result<Options, String> {
        let (mut bind, mut executor_timeout) = (None, None);
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--bind" => common::once(&mut bind, "--bind", address(args, "--bind")?)?,
                "--executor-timeout" => common::once(
                    &mut executor_timeout,
                    "--executor-timeout",
                    seconds(args, "--executor-timeout")?,
                )?,
                other => return Err(common::unknown(other)),
            }
        }
        Ok(Options {
            bind: bind.ok_or("--bind is required")?,
            executor_timeout,
        })
    }
}

/// The value of `option` as a socket address.
fn address(args: &mut Args, option: &str) -> Result<SocketAddr, String> {
    let value = args.value(option, "a HOST:PORT")?;
    value
        .parse()
        .map_err(|_| format!("{option} takes an IP address and port, not `{value}`"))
}

/// The value of `option` as a positive number of seconds.
fn seconds(args: &mut Args, option: &str) -> Result<u64, String> {
    let value = args.value(option, "a number of seconds")?;
    value
        .parse::<u64>()
        .ok()
        .filter(|s| *s > 0)
        .ok_or_else(|| format!("{option} takes a positive number of seconds, not `{value}`"))
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
    match runtime.block_on(run(&options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(reason) => PROGRAM.fail(&reason),
    }
}

/// Serves until the process is stopped, or says why it cannot.
async fn run(options: &Options) -> Result<(), String> {
    let mut config = scheduler_config();
    config.bind_host = options.bind.ip().to_string();
    config.bind_port = options.bind.port();
    config.external_host = options.bind.ip().to_string();
    if let Some(timeout) = options.executor_timeout {
        config.executor_timeout_seconds = timeout;
        // Checked three times per timeout, so a dead executor is found
        // between one and 1⅓ timeouts after its last heartbeat.
        config.expire_dead_executor_interval_seconds = (timeout / 3).max(1);
        config.no_executors_grace_period_seconds = timeout;
    }
    let cannot = |e: &dyn std::fmt::Display| format!("cannot serve on {}: {e}", options.bind);
    let cluster = BallistaCluster::new_from_config(&config)
        .await
        .map_err(|e| cannot(&e))?;
    start_server(cluster, options.bind, Arc::new(config))
        .await
        .map_err(|e| cannot(&e))
}
