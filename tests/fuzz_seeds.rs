//! Replays the fuzz seeds (and, in a checkout, any fuzz crash artifacts)
//! through the same checks the fuzz targets make, as an ordinary test: a
//! seed that starts failing fails `cargo test`, without nightly or
//! cargo-fuzz.
//!
//! The seeds are read from `tests/data/fuzz-seeds/`, a copy of `fuzz/seeds/`
//! kept inside the package (`fuzz/` is excluded from it). In a checkout,
//! where `fuzz/` exists, the two directories must hold the same files, and
//! `fuzz/artifacts/<target>/crash-*` files are replayed too.
//!
//! The bodies below are copies of `fuzz/fuzz_targets/*.rs`'s
//! `fuzz_target!` closures. TODO: once `src/` is restructured, move each body
//! into a `#[doc(hidden)]` library function that both the fuzz target and
//! this test call, so they cannot drift apart.

use catalog_filter::Limits;
use catalog_filter::catalog::Catalog;
use catalog_filter::compile;
use catalog_filter::detach::{self, Grant};
use catalog_filter::syntax::parse;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

/// `fuzz/fuzz_targets/parse.rs`. Returns whether the input parsed.
fn fuzz_parse(data: &[u8]) -> bool {
    let Ok(input) = std::str::from_utf8(data) else {
        return false;
    };
    match parse(input) {
        Ok(filter) => {
            let printed = filter.to_string();
            let again = parse(&printed).expect("canonical form must parse");
            assert!(again.same_shape(&filter), "{input:?} -> {printed:?}");
            assert_eq!(again.to_string(), printed);
            true
        }
        Err(err) => {
            assert!(input.get(err.span().range()).is_some());
            let _ = err.render(input);
            false
        }
    }
}

/// `fuzz/fuzz_targets/compile.rs`. Returns whether the input compiled.
fn fuzz_compile(data: &[u8]) -> bool {
    let Ok(input) = std::str::from_utf8(data) else {
        return false;
    };
    match compile(input) {
        Ok(valid) => {
            let printed = valid.to_string();
            let again = compile(&printed).expect("canonical form must compile");
            assert_eq!(again.to_string(), printed);
            assert_eq!(again.conditions().len(), valid.conditions().len());
            for (a, b) in again.conditions().iter().zip(valid.conditions()) {
                assert_eq!(
                    (a.field(), a.op(), a.values()),
                    (b.field(), b.op(), b.values())
                );
            }
            true
        }
        Err(err) => {
            let _ = err.render(input);
            let envelope = err.into_envelope();
            assert!(!envelope.errors.is_empty());
            let _ = serde_json::to_string(&envelope);
            false
        }
    }
}

/// `fuzz/fuzz_targets/detach.rs`. Returns the answer's status when the
/// catalog loaded.
fn fuzz_detach(data: &[u8]) -> Option<u16> {
    let Ok(text) = std::str::from_utf8(data) else {
        return None;
    };
    // "<catalog JSON>\n<request body>"; without a newline, a fixed request.
    let (catalog, body) = text.split_once('\n').unwrap_or((
        text,
        r#"{"data":{"filter":"like(sku,*)","node_ids":["n1","h1"]}}"#,
    ));
    let mut catalog = match Catalog::from_json(catalog) {
        Ok(c) => c,
        Err(e) => {
            if let Some(errors) = e.integrity() {
                let _ = serde_json::to_string(&detach::integrity_error(errors));
            }
            return None;
        }
    };
    let before = catalog.clone();
    let answer = detach::handle(
        &mut catalog,
        Some(Grant::ClientCredentials),
        body,
        &Limits::default(),
    );
    assert!(
        matches!(answer.status, 200 | 400 | 422),
        "{}",
        answer.status
    );
    if answer.status != 200 {
        assert!(catalog == before);
    }
    let _ = catalog.to_json();
    Some(answer.status)
}

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
/// ... fuzz/seeds` commands do.
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
fn seeds_pass_the_detach_target() {
    let statuses = replay("detach", &seeds(), fuzz_detach);
    assert!(
        statuses.contains(&Some(200)),
        "no seed reaches a successful detach: {statuses:?}"
    );
}

/// In a checkout, `fuzz/seeds/` (what cargo-fuzz starts from) and the copy
/// the tests replay hold the same files.
#[test]
fn packaged_seeds_are_a_copy_of_fuzz_seeds() {
    let fuzz = manifest_dir().join("fuzz/seeds");
    if !fuzz.is_dir() {
        eprintln!(
            "{} is absent (a packaged crate): nothing to compare",
            fuzz.display()
        );
        return;
    }
    let names = |paths: Vec<PathBuf>| -> Vec<(String, Vec<u8>)> {
        paths
            .into_iter()
            .map(|p| {
                (
                    p.file_name().unwrap().to_string_lossy().into_owned(),
                    read(&p),
                )
            })
            .collect()
    };
    assert!(
        names(files(&fuzz)) == names(seeds()),
        "fuzz/seeds/ and tests/data/fuzz-seeds/ differ: copy them again \
         (rm -r tests/data/fuzz-seeds && cp -r fuzz/seeds tests/data/fuzz-seeds)"
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
