//! Replays the fuzz seeds (and, in a checkout, any fuzz crash artifacts)
//! through the same checks the fuzz targets make, as an ordinary test: a
//! seed that starts failing fails `cargo test`, without nightly or
//! cargo-fuzz.
//!
//! The seeds live in `tests/data/fuzz-seeds/`, the one seed directory:
//! cargo-fuzz starts from it too (see the README), and it ships in the
//! package, where `fuzz/` does not. In a checkout,
//! `fuzz/artifacts/<target>/crash-*` files are replayed too.
//!
//! The checks are `tests/support/fuzz_checks.rs`, the one copy the fuzz
//! targets include too, so the two cannot drift apart.

#[path = "support/fuzz_checks.rs"]
mod checks;

use checks::{compile as fuzz_compile, detach as fuzz_detach, parse as fuzz_parse};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The regular files of `dir`, sorted; empty when `dir` does not exist.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .map(|e| e.unwrap_or_else(|e| panic!("reading {}: {e}", dir.display())))
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => panic!("reading {}: {e}", dir.display()),
    };
    out.sort();
    out
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// Runs `check` on every file, catching panics; fails naming every file that
/// panicked.
fn replay<T>(what: &str, paths: &[PathBuf], check: impl Fn(&[u8]) -> T) -> Vec<T> {
    let mut results = Vec::new();
    let mut failed = Vec::new();
    for path in paths {
        let data = read(path);
        match catch_unwind(AssertUnwindSafe(|| check(&data))) {
            Ok(r) => results.push(r),
            Err(_) => failed.push(path.display().to_string()),
        }
    }
    assert!(
        failed.is_empty(),
        "fuzz target `{what}` fails on (panic messages above):\n{}",
        failed.join("\n")
    );
    results
}

fn seeds() -> Vec<PathBuf> {
    let seeds = files(&manifest_dir().join("tests/data/fuzz-seeds"));
    assert!(
        !seeds.is_empty(),
        "tests/data/fuzz-seeds/ is missing or empty"
    );
    seeds
}

/// Every target runs on every seed, as the README's `cargo fuzz run <target>
/// ... tests/data/fuzz-seeds` commands do.
#[test]
fn seeds_pass_the_parse_target() {
    let parsed = replay("parse", &seeds(), fuzz_parse);
    assert!(parsed.iter().any(|&ok| ok), "no seed parses");
}

#[test]
fn seeds_pass_the_compile_target() {
    let compiled = replay("compile", &seeds(), fuzz_compile);
    assert!(compiled.iter().any(|&ok| ok), "no seed compiles");
}

#[test]
fn seeds_pass_the_schema_target() {
    replay("schema", &seeds(), checks::schema);
}

#[test]
fn seeds_pass_the_detach_target() {
    let statuses = replay("detach", &seeds(), fuzz_detach);
    assert!(
        statuses.contains(&Some(200)),
        "no seed reaches a successful detach: {statuses:?}"
    );
}

/// Crashes cargo-fuzz found and saved locally (`fuzz/artifacts/` is not
/// committed): each must be fixed, then turned into a seed or a named test.
#[test]
fn fuzz_crash_artifacts_no_longer_crash() {
    type Target = fn(&[u8]);
    let targets: [(&str, Target); 3] = [
        ("parse", |d| {
            fuzz_parse(d);
        }),
        ("compile", |d| {
            fuzz_compile(d);
        }),
        ("detach", |d| {
            fuzz_detach(d);
        }),
    ];
    let artifacts = manifest_dir().join("fuzz/artifacts");
    if !artifacts.is_dir() {
        eprintln!("{} is absent: no crashes to replay", artifacts.display());
        return;
    }
    for (name, target) in targets {
        let crashes: Vec<PathBuf> = files(&artifacts.join(name))
            .into_iter()
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("crash-"))
            })
            .collect();
        eprintln!("replaying {} crash artifact(s) of `{name}`", crashes.len());
        replay(name, &crashes, target);
    }
}

/// The shipped schema files pass the schema target's checks (they load,
/// and write back to equal schemas as JSON and TOML).
#[test]
fn shipped_schemas_pass_the_schema_target() {
    let schemas = files(&manifest_dir().join("examples/data/schemas"));
    assert!(schemas.len() >= 2, "{schemas:?}");
    replay("schema", &schemas, checks::schema);
}
