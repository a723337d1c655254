//! Fails a test whose code under test does not finish in time, instead of
//! letting it hang: a regression (or a mutant) that makes a loop run forever
//! must fail `cargo test` in seconds, naming what hung.
//!
//! Use it from any test file without pulling in the rest of `support/`
//! (whose PostgreSQL helpers need the `postgres` feature):
//!
//! ```ignore
//! #[path = "support/deadline.rs"]
//! mod deadline;
//! let catalog = deadline::within("loading the catalog", move || Catalog::from_value(json));
//! ```
//!
//! The closure runs on its own thread. When it is late the test panics; the
//! thread cannot be stopped and keeps running until the test binary exits.

use std::sync::mpsc;
use std::time::Duration;

/// The default limit: generous for a debug build on a loaded 2-core machine,
/// short enough that a hang is noticed. `CATALOG_FILTER_TEST_DEADLINE_SECS`
/// overrides it (for very slow machines or a debugger).
pub fn default_limit() -> Duration {
    let secs = std::env::var("CATALOG_FILTER_TEST_DEADLINE_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    Duration::from_secs(secs)
}

/// Runs `f` with the [`default_limit`]; see [`within_limit`].
#[track_caller]
pub fn within<T, F>(what: &str, f: F) -> T
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    within_limit(default_limit(), what, f)
}

/// Runs `f` on a new thread and returns its result; panics (saying `what`
/// did not finish) when it takes longer than `limit`, and passes on the
/// panic when `f` panics.
#[track_caller]
pub fn within_limit<T, F>(limit: Duration, what: &str, f: F) -> T
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let (tx, rx) = mpsc::channel();
    let handle = std::thread::Builder::new()
        .name(format!("deadline: {what}"))
        .spawn(move || {
            // A send error means the test gave up waiting: nothing to do.
            let _ = tx.send(f());
        })
        .unwrap_or_else(|e| panic!("spawning a thread for {what}: {e}"));
    match rx.recv_timeout(limit) {
        Ok(value) => {
            let _ = handle.join();
            value
        }
        // The sender was dropped without sending: `f` panicked.
        Err(mpsc::RecvTimeoutError::Disconnected) => match handle.join() {
            Err(payload) => std::panic::resume_unwind(payload),
            Ok(()) => unreachable!("{what}: thread ended without a result"),
        },
        Err(mpsc::RecvTimeoutError::Timeout) => panic!(
            "{what} did not finish within {limit:?}: an endless loop? \
             (set CATALOG_FILTER_TEST_DEADLINE_SECS to allow longer)"
        ),
    }
}
