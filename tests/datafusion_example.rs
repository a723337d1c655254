//! The `detach_parquet` example as a user runs it: the same answer line as
//! `detach --json` for the same catalog and request, the snapshot after the
//! request written back as the same JSON, on DataFusion and on Ballista;
//! refusals, a catalog that fails its checks, and bad arguments.
#![cfg(feature = "datafusion")]

#[path = "support/program.rs"]
mod program;

use program::{assert_conventions, run_text};
use serde_json::Value;
use std::path::PathBuf;

const USAGE: &str = "usage: detach_parquet --dir DIR --filter FILTER --node ID... [--out OUT]\n                      [--from-json FILE [--partitions N]] [--to-json FILE]\n                      [--removals] [--memory-limit MIB] [--timeout SECS]\n                      [--ballista | --scheduler HOST:PORT]";

/// A fresh directory for one case.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "catalog-filter-detach-parquet-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `detach --json`'s answer line for `catalog` (JSON text) and the request.
fn detach_json(catalog: &str, filter: &str, nodes: &[&str]) -> Value {
    serde_json::from_str(&detach_json_text(catalog, filter, nodes)).unwrap()
}

/// `detach --json`'s answer line for `catalog` and the request, as text.
fn detach_json_text(catalog: &str, filter: &str, nodes: &[&str]) -> String {
    let input = serde_json::json!({
        "request": {"data": {"filter": filter, "node_ids": nodes}},
    });
    let input = input
        .to_string()
        .replacen('{', &format!("{{\"catalog\":{catalog},"), 1);
    let (code, stdout, stderr) = run_text("detach", &["--json"], input.as_bytes());
    assert_eq!(code, Some(0), "{stderr}");
    stdout
}

/// Runs `detach_parquet` on `catalog` (JSON text): its answer line and the
/// snapshot it wrote with `--to-json`.
fn detach_parquet(
    catalog: &str,
    filter: &str,
    nodes: &[&str],
    extra: &[&str],
    case: &str,
) -> (Value, String) {
    let dir = scratch(case);
    let input = dir.join("catalog.json");
    std::fs::write(&input, catalog).unwrap();
    let tables = dir.join("tables");
    let out = dir.join("after.json");
    let mut args = vec![
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
    args.extend(extra);
    let (code, stdout, stderr) = run_text("detach_parquet", &args, b"");
    assert_eq!(code, Some(0), "{stderr}");
    let after = std::fs::read_to_string(&out).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&dir);
    let answer: Value = serde_json::from_str(&stdout).unwrap();
    // A detach says on stderr what it removed: the memberships the
    // snapshot lost, in the partitions asked for (one file: one).
    let expected = if answer["status"] == 200 {
        let partitions = extra
            .iter()
            .position(|&a| a == "--partitions")
            .and_then(|i| extra.get(i + 1))
            .map_or(1, |n| n.parse::<usize>().unwrap());
        let removed = memberships(catalog) - memberships(&after);
        format!("detach_parquet: {removed} memberships removed in {partitions} partitions\n")
    } else {
        String::new()
    };
    assert_eq!(stderr, expected);
    (answer, after)
}

/// The memberships (`node_ids` entries) of a snapshot's products.
fn memberships(snapshot: &str) -> usize {
    let v: Value = serde_json::from_str(snapshot).unwrap();
    v["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["node_ids"].as_array().map_or(0, Vec::len))
        .sum()
}

fn sample() -> String {
    let request: Value =
        serde_json::from_str(include_str!("../examples/data/request.json")).unwrap();
    request["catalog"].to_string()
}

#[test]
fn answers_and_writes_what_detach_json_does() {
    let catalog = sample();
    let nodes = [
        "a1b2c3d4-0000-4000-8000-00000000a002",
        "node-fiction",
        "node-does-not-exist",
        "node-fiction",
    ];
    for (filter, extra, case) in [
        ("eq(templates,book):eq(status,live)", &[][..], "local"),
        ("like(name,*a*)", &["--ballista"][..], "ballista"),
        (
            "eq(templates,book):eq(status,live)",
            &["--partitions", "3", "--removals", "--memory-limit", "64"][..],
            "partitioned",
        ),
        // Refused: the answer, and the snapshot unchanged.
        ("eqq(sku,x)", &[][..], "refused"),
    ] {
        let want = detach_json(&catalog, filter, &nodes);
        let (answer, after) = detach_parquet(&catalog, filter, &nodes, extra, case);
        assert_eq!(answer["status"], want["status"], "{filter}");
        assert_eq!(answer["body"], want["body"], "{filter}");
        assert_eq!(after, want["catalog"].to_string(), "{filter}");
    }
    let (answer, _) = detach_parquet(
        &catalog,
        "eq(templates,book):eq(status,live)",
        &nodes,
        &[],
        "count",
    );
    assert_eq!(
        answer.to_string(),
        r#"{"body":{"meta":{"nodes_detached":2,"nodes_not_found":["node-does-not-exist"]}},"status":200}"#
    );
}

#[test]
fn the_generated_catalog_of_20000_products_answers_as_detach_json() {
    // The catalog of `benches/gen_catalog.py` (its seed is fixed), in 4
    // partitions: the same answer line and snapshot as `detach --json`.
    let dir = scratch("generated");
    let catalog = dir.join("catalog.json");
    let generated = std::process::Command::new("python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/benches/gen_catalog.py"
        ))
        .arg("20000")
        .arg(&catalog)
        .output();
    match generated {
        Ok(out) if out.status.success() => {}
        other => {
            eprintln!("skipped: python3 benches/gen_catalog.py did not run: {other:?}");
            return;
        }
    }
    let catalog = std::fs::read_to_string(&catalog).unwrap();
    let nodes = ["h0", "h1", "n2-7", "n3-0", "n3-404", "no-such-node"];
    for filter in ["eq(status,live)", "like(name,*Boot*):in(tags,wool,oak)"] {
        let want = detach_json(&catalog, filter, &nodes);
        let (answer, after) = detach_parquet(
            &catalog,
            filter,
            &nodes,
            &["--partitions", "4"],
            "generated-run",
        );
        assert_eq!(answer["status"], 200, "{filter}");
        assert_eq!(answer["body"], want["body"], "{filter}");
        assert_ne!(after, catalog, "{filter}: something was detached");
        // As text: the generated numbers (`4.2`, `1e-05`) are compared as
        // written, not as serde_json would print them again.
        let want = detach_json_text(&catalog, filter, &nodes);
        let want = want
            .split_once(r#","catalog":"#)
            .and_then(|(_, rest)| rest.trim_end().strip_suffix('}'))
            .unwrap();
        assert!(after == want, "{filter}: the snapshots differ");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_catalog_that_fails_its_checks_is_the_500() {
    let catalog = r#"{"hierarchies":[],"nodes":[{"id":"n1","hierarchy_id":"h9"}],"products":[]}"#;
    let want = detach_json(catalog, "eq(sku,a)", &["n1"]);
    assert_eq!(want["status"], 500);
    let (answer, after) = detach_parquet(catalog, "eq(sku,a)", &["n1"], &[], "broken");
    assert_eq!(answer["body"], want["body"]);
    assert_eq!(answer["status"], 500);
    assert_eq!(after, "", "nothing is written");
}

#[test]
fn arguments_and_files_follow_the_conventions() {
    assert_conventions(
        "detach_parquet",
        USAGE,
        &[&["--help"], &["--dir", "x", "-h"]],
        &[
            (
                &["--filter", "eq(sku,a)", "--node", "n"],
                "--dir is required",
            ),
            (&["--dir", "d", "--node", "n"], "--filter is required"),
            (&["--dir", "d", "--filter", "f"], "--node is required"),
            (
                &["--dir", "d", "--filter", "f", "--node"],
                "--node needs at least one id",
            ),
            (
                &["--dir", "d", "--filter", "f", "--node", "n", "--fast"],
                "unknown argument `--fast`",
            ),
            (
                &[
                    "--dir",
                    "d",
                    "--filter",
                    "f",
                    "--node",
                    "n",
                    "--ballista",
                    "--scheduler",
                    "h:1",
                ],
                "--ballista and --scheduler exclude each other",
            ),
            (
                &[
                    "--dir",
                    "d",
                    "--filter",
                    "f",
                    "--node",
                    "n",
                    "--partitions",
                    "2",
                ],
                "--partitions needs --from-json (it is how the tables are written)",
            ),
            (
                &[
                    "--dir",
                    "d",
                    "--filter",
                    "f",
                    "--node",
                    "n",
                    "--from-json",
                    "c",
                    "--partitions",
                    "0",
                ],
                "--partitions takes a positive number, not `0`",
            ),
            (
                &[
                    "--dir",
                    "d",
                    "--filter",
                    "f",
                    "--node",
                    "n",
                    "--memory-limit",
                    "-1",
                ],
                "--memory-limit takes a size in MiB, not `-1`",
            ),
            (
                &[
                    "--dir",
                    "d",
                    "--filter",
                    "f",
                    "--node",
                    "n",
                    "--removals",
                    "--removals",
                ],
                "--removals given twice",
            ),
        ],
    );
    // The output directory is the input one (spelt otherwise): refused
    // before anything is written, the input untouched.
    let dir = scratch("same");
    let input = dir.join("catalog.json");
    std::fs::write(&input, sample()).unwrap();
    let tables = dir.join("tables");
    let args = |out: &str| {
        vec![
            "--from-json".to_owned(),
            input.display().to_string(),
            "--dir".to_owned(),
            tables.display().to_string(),
            "--out".to_owned(),
            out.to_owned(),
            "--filter".to_owned(),
            "like(name,*)".to_owned(),
            "--node".to_owned(),
            "node-books".to_owned(),
        ]
    };
    let same = format!("{}/../tables/", tables.display());
    let args = args(&same);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, stdout, stderr) = run_text("detach_parquet", &args, b"");
    assert_eq!((code, stdout.as_str()), (Some(2), ""));
    assert_eq!(
        stderr,
        format!(
            "detach_parquet: {}: an input table is read from here; the output must go elsewhere\n",
            tables.canonicalize().unwrap().display()
        )
    );
    let _ = std::fs::remove_dir_all(&dir);

    // A directory without the tables: the file is named.
    let dir = scratch("missing");
    let (code, stdout, stderr) = run_text(
        "detach_parquet",
        &[
            "--dir",
            dir.to_str().unwrap(),
            "--filter",
            "eq(sku,a)",
            "--node",
            "n1",
        ],
        b"",
    );
    assert_eq!((code, stdout.as_str()), (Some(2), ""));
    assert_eq!(
        stderr,
        format!(
            "detach_parquet: {}: no such file (expected the `products` table)\n",
            dir.join("products.parquet").display()
        )
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[path = "support/faults.rs"]
mod faults;

/// `detach_parquet` on the tables of `dir` (see `faults::prepare`),
/// detaching every product from every hierarchy, as a child process.
fn spawn_detach(
    dir: &std::path::Path,
    hierarchies: &[String],
    extra: &[&str],
) -> std::process::Child {
    let mut command = std::process::Command::new(program::example("detach_parquet"));
    command
        .args(["--dir", dir.join("tables").to_str().unwrap()])
        .args(["--out", dir.join("out").to_str().unwrap()])
        .args(["--filter", "like(name,*)"])
        .args(extra)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for h in hierarchies {
        command.args(["--node", h]);
    }
    command.spawn().unwrap()
}

#[test]
fn a_killed_or_stopped_job_leaves_the_previous_output_and_the_inputs() {
    use std::time::Duration;
    let dir = scratch("faults");
    let detach_parquet = program::example("detach_parquet");
    let catalog = faults::prepare(&detach_parquet, &dir, 40_000);
    let hierarchies = faults::hierarchies(&catalog);
    let inputs = faults::files(&dir.join("tables"));
    let previous = faults::files(&dir.join("out"));
    let out = dir.join("out");

    // SIGTERM while it writes: exit 2 with the reason, the previous output
    // and the inputs as they were, no staging directory left.
    let mut job = spawn_detach(&dir, &hierarchies, &[]);
    if faults::wait_writing(&mut job, &out) {
        let status = std::process::Command::new("kill")
            .args(["-TERM", &job.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let (code, stdout, stderr) = faults::finish(job, Duration::from_secs(60));
        assert_eq!((code, stdout.as_str()), (Some(2), ""), "{stderr}");
        assert_eq!(
            stderr,
            format!(
                "detach_parquet: terminated; {} is left as it was\n",
                out.display()
            )
        );
        assert_eq!(faults::partials(&out), Vec::<std::path::PathBuf>::new());
    } else {
        eprintln!("note: the job ended before it could be stopped");
    }
    assert_eq!(faults::files(&out), previous);
    assert_eq!(faults::files(&dir.join("tables")), inputs);

    // SIGKILL while it writes: nothing can clean up, but the previous
    // output and the inputs are intact; the next job removes the staging
    // directory left behind and replaces the output.
    let mut job = spawn_detach(&dir, &hierarchies, &[]);
    if faults::wait_writing(&mut job, &out) {
        job.kill().unwrap();
        let _ = job.wait();
        assert_eq!(faults::partials(&out).len(), 1);
    }
    assert_eq!(faults::files(&out), previous);
    assert_eq!(faults::files(&dir.join("tables")), inputs);
    let (code, stdout, stderr) = faults::finish(
        spawn_detach(&dir, &hierarchies, &[]),
        Duration::from_secs(300),
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.starts_with(r#"{"status":200,"#), "{stdout}");
    assert_eq!(faults::partials(&out), Vec::<std::path::PathBuf>::new());
    assert!(!out.join("previous.txt").exists());
    assert!(out.join("products").is_dir());
    assert_eq!(faults::files(&dir.join("tables")), inputs);
    let _ = std::fs::remove_dir_all(&dir);
}
