//! Running the example programs as processes, as a user would.
//!
//! Cargo gives integration tests the path of a package's binaries
//! (`CARGO_BIN_EXE_<name>`) but not of its examples, and `cargo test
//! --test NAME` does not build examples at all. So [`example`] asks Cargo
//! to build the example (once per test binary) with this build's features
//! and profile, into this build's target directory, and takes the
//! executable's path from Cargo's JSON messages: nothing stale is run, and
//! when `cargo test` already built the example, nothing is rebuilt.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Mutex, OnceLock};

/// The path of the example program `name`, built if needed.
pub fn example(name: &str) -> PathBuf {
    static BUILT: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    let built = BUILT.get_or_init(Default::default);
    let mut built = built.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(path) = built.get(name) {
        return path.clone();
    }
    let path = build(name);
    built.insert(name.to_owned(), path.clone());
    path
}

fn build(name: &str) -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let mut cargo = Command::new(env!("CARGO"));
    cargo
        .args([
            "build",
            "--quiet",
            "--message-format=json",
            "--example",
            name,
        ])
        .arg("--manifest-path")
        .arg(&manifest);
    // This test binary is <target>/<profile>/deps/<name>: build there.
    if let Some(target) = std::env::current_exe()
        .ok()
        .as_deref()
        .and_then(Path::parent)
        .and_then(Path::parent)
        .and_then(Path::parent)
    {
        cargo.arg("--target-dir").arg(target);
    }
    let features: Vec<&str> = [
        (cfg!(feature = "postgres"), "postgres"),
        (cfg!(feature = "synthetic"), "synthetic"),
        (cfg!(feature = "miette"), "miette"),
        (cfg!(feature = "datafusion"), "datafusion"),
    ]
    .into_iter()
    .filter_map(|(on, feature)| on.then_some(feature))
    .collect();
    if !features.is_empty() {
        cargo.arg("--features").arg(features.join(","));
    }
    if !cfg!(debug_assertions) {
        cargo.arg("--release");
    }
    let output = cargo
        .stderr(Stdio::inherit())
        .output()
        .unwrap_or_else(|e| panic!("cannot run cargo: {e}"));
    assert!(
        output.status.success(),
        "cargo build --example {name} failed"
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == name)
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .unwrap_or_else(|| panic!("cargo reported no executable for example {name}"))
}

/// Runs example `name` with `args` and `stdin`.
pub fn run(name: &str, args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(example(name))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run example {name}: {e}"));
    if let Some(mut input) = child.stdin.take() {
        input
            .write_all(stdin)
            .unwrap_or_else(|e| panic!("cannot write stdin: {e}"));
    }
    child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("example {name} did not finish: {e}"))
}

/// `(exit code, stdout, stderr)` of [`run`].
pub fn run_text(name: &str, args: &[&str], stdin: &[u8]) -> (Option<i32>, String, String) {
    let output = run(name, args, stdin);
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Checks the example programs' argument conventions on program `name`:
/// each argument list of `help` prints `usage` (and a newline) on stdout
/// and exits 0; each `(args, reason)` of `bad` prints `NAME: REASON`, then
/// the usage, on stderr and exits 2.
pub fn assert_conventions(name: &str, usage: &str, help: &[&[&str]], bad: &[(&[&str], &str)]) {
    for args in help {
        assert_eq!(
            run_text(name, args, b""),
            (Some(0), format!("{usage}\n"), String::new()),
            "{name} {args:?}"
        );
    }
    for (args, reason) in bad {
        assert_eq!(
            run_text(name, args, b""),
            (
                Some(2),
                String::new(),
                format!("{name}: {reason}\n{usage}\n")
            ),
            "{name} {args:?}"
        );
    }
}
