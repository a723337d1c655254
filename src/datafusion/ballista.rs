//! The same plans on Ballista, DataFusion's distributed scheduler.
//!
//! A Ballista client is a [`SessionContext`] whose queries run on a
//! scheduler and its executors instead of in the calling process; every
//! function of this back end takes a context, so
//! [`select_ids`](super::select_ids),
//! [`detach::plan`](super::detach::plan) and
//! [`detach::apply_to_dir`](super::detach::apply_to_dir) run on Ballista
//! unchanged. Two things differ from one machine:
//!
//! - **Codecs.** Conditions that run the crate's evaluator are UDFs with
//!   state; the scheduler, the executors and the client must all use the
//!   [`codec`](super::codec)s, which [`session_state`] sets.
//! - **Tables are files.** Executors read tables by path, so register them
//!   with [`tables::register_parquet`](super::tables::register_parquet)
//!   (in-memory tables stay in the client); on several machines the
//!   directory must be shared storage (or an object store) at the same
//!   path everywhere.
//!
//! [`LocalCluster`] starts a scheduler and executors on 127.0.0.1 inside
//! the calling process (free ports), for tests and the `detach_parquet`
//! example. A deployment runs a scheduler and executors as programs of
//! their own, configured by [`scheduler_config`] and [`executor_config`]
//! (the `ballista_scheduler` and `ballista_executor` examples are such
//! programs).
//!
//! # How the work splits across machines
//!
//! Ballista cuts a plan into stages at its exchanges and runs each stage's
//! partitions as tasks on the executors. For detach:
//!
//! 1. The client reads the small node tables, resolves the requested ids
//!    (as in memory) and puts the targeted node ids in the plan as a
//!    literal list.
//! 2. The `products` and `product_nodes` files are split into byte ranges
//!    (row groups), one task each; the filter (native expressions and the
//!    evaluator's UDFs alike) runs in the task that reads the range, and
//!    the targeted memberships are filtered the same way. Nothing crosses
//!    the network before this.
//! 3. The matching product ids meet the targeted memberships in a join on
//!    the product id. DataFusion picks its form from the sizes: a
//!    broadcast (the matching ids collected once and sent to every task
//!    reading memberships: what it picks when few products match), or a
//!    join partitioned by hash of the product id, where each executor joins
//!    one hash range of both sides. Only matching ids and targeted
//!    memberships are exchanged.
//!
//! With N machines, the work of step 2 divides by N (it is most of the
//! cost); step 3 grows with the matches, not the catalog. Writing the
//! tables partitioned by product id (one file per id range, so a range's
//! products and memberships are read by the same task) would make the join
//! local to each machine and remove the exchange.

use super::Error;
use super::codec::{LogicalCodec, PhysicalCodec};
use ::ballista::prelude::{SessionConfigExt, SessionContextExt};
use ::datafusion::execution::SessionStateBuilder;
use ::datafusion::execution::context::SessionState;
use ::datafusion::prelude::{SessionConfig, SessionContext};
use ballista_core::config::TaskSchedulingPolicy;
use ballista_core::registry::BallistaFunctionRegistry;
use ballista_core::serde::protobuf::scheduler_grpc_client::SchedulerGrpcClient;
use ballista_executor::executor_process::ExecutorProcessConfig;
use ballista_scheduler::config::SchedulerConfig;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// A session state for Ballista with the crate's [`codec`](super::codec)s:
/// what a client context, a scheduler and executors are built from.
///
/// Ballista's adaptive planner is off: in Ballista 55 it re-plans the
/// left join of `products` with the removals that
/// [`apply_to_dir`](super::detach::apply_to_dir) writes without end (a new
/// stage every few milliseconds); the static planner runs every plan of
/// this back end.
pub fn session_state() -> SessionState {
    state_from(session_config())
}

/// The config of [`session_state`]: the codecs, the adaptive planner off.
fn session_config() -> SessionConfig {
    SessionConfig::new_with_ballista()
        .with_ballista_adaptive_query_planner(false)
        .with_ballista_logical_extension_codec(Arc::new(LogicalCodec::default()))
        .with_ballista_physical_extension_codec(Arc::new(PhysicalCodec::default()))
}

/// A session state with DataFusion's default functions and `config`.
fn state_from(config: SessionConfig) -> SessionState {
    SessionStateBuilder::new()
        .with_config(config)
        .with_default_features()
        .build()
}

/// The configuration of a scheduler running in a program of its own
/// (`ballista_scheduler::scheduler_process::start_server`), set as
/// [`session_state`] is: the crate's codecs, its sessions built from that
/// state's config (the client's settings applied), push-based scheduling
/// (what [`executor_config`] asks for). The address, timeouts and the rest
/// are Ballista's defaults, for the caller to set (the fields are public);
/// the `ballista_scheduler` example shows one.
pub fn scheduler_config() -> SchedulerConfig {
    let mut config = SchedulerConfig::default()
        .with_scheduler_policy(TaskSchedulingPolicy::PushStaged)
        .with_override_config_producer(Arc::new(session_config))
        .with_override_session_builder(Arc::new(|config| Ok(state_from(config))));
    config.override_logical_codec = Some(Arc::new(LogicalCodec::default()));
    config.override_physical_codec = Some(Arc::new(PhysicalCodec::default()));
    config
}

/// The configuration of an executor running in a program of its own
/// (`ballista_executor::executor_process::start_executor_process`), set
/// as [`session_state`] is: the crate's codecs, session config and
/// functions (Ballista's default registry lacks DataFusion's list
/// functions, which the list conditions use), push-based scheduling (what
/// [`scheduler_config`] asks for). The
/// addresses, slots, heartbeat and the rest are Ballista's defaults, for
/// the caller to set (the fields are public); the `ballista_executor`
/// example shows one.
pub fn executor_config() -> ExecutorProcessConfig {
    ExecutorProcessConfig {
        task_scheduling_policy: TaskSchedulingPolicy::PushStaged,
        override_config_producer: Some(Arc::new(session_config)),
        override_logical_codec: Some(Arc::new(LogicalCodec::default())),
        override_physical_codec: Some(Arc::new(PhysicalCodec::default())),
        override_function_registry: Some(Arc::new(
            BallistaFunctionRegistry::from(&session_state()),
        )),
        ..ExecutorProcessConfig::default()
    }
}

/// A Ballista scheduler and executors running as tasks of the Tokio
/// runtime that started them, listening on free ports of the loopback
/// interface. They stop when that runtime shuts down (a test or a program
/// gives the cluster a runtime of its own and drops it afterwards).
#[derive(Clone, Debug)]
pub struct LocalCluster {
    scheduler: SocketAddr,
    executors: usize,
}

impl LocalCluster {
    /// Starts a scheduler and `executors` executors (at least one), each
    /// running `slots` tasks at a time (at least one), and waits until the
    /// scheduler answers. Call it inside a multi-threaded Tokio runtime.
    pub async fn start(executors: usize, slots: usize) -> Result<LocalCluster, Error> {
        let state = session_state();
        let scheduler = ballista_scheduler::standalone::new_standalone_scheduler_from_state(&state)
            .await
            .map_err(|e| Error::Ballista(format!("starting the scheduler: {e}")))?;
        let url = format!("http://{scheduler}");
        let mut attempts = 0;
        let client = loop {
            match SchedulerGrpcClient::connect(url.clone()).await {
                Ok(client) => break client,
                Err(e) if attempts >= 100 => {
                    return Err(Error::Ballista(format!(
                        "the scheduler at {scheduler} does not answer: {e}"
                    )));
                }
                Err(_) => {
                    attempts += 1;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        };
        let executors = executors.max(1);
        for _ in 0..executors {
            ballista_executor::new_standalone_executor_from_state(
                client.clone(),
                slots.max(1),
                &state,
            )
            .await
            .map_err(|e| Error::Ballista(format!("starting an executor: {e}")))?;
        }
        Ok(LocalCluster {
            scheduler,
            executors,
        })
    }

    /// The scheduler's address.
    pub fn scheduler(&self) -> SocketAddr {
        self.scheduler
    }

    /// The number of executors.
    pub fn executors(&self) -> usize {
        self.executors
    }

    /// A client context whose queries run on the cluster.
    pub async fn context(&self) -> Result<SessionContext, Error> {
        SessionContext::remote_with_state(&format!("df://{}", self.scheduler), session_state())
            .await
            .map_err(|e| Error::Ballista(format!("connecting to {}: {e}", self.scheduler)))
    }
}
