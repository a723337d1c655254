//! The `detach` program, run as a process.

use super::support;
use catalog_filter::catalog::Catalog;
use std::path::PathBuf;

/// The sample catalog the program embeds.
const SAMPLE: &str = include_str!("../../examples/data/catalog.json");

/// The program's usage text.
const USAGE: &str = "usage: detach [--catalog FILE] [--filter FILTER] [--node ID...]...\n       detach --json < {\"catalog\":{...},\"request\":{\"data\":{...}},\"grant\":\"client_credentials\"}";

/// `(exit code, stdout, stderr)` of `detach ARGS`.
fn detach(args: &[&str], stdin: &[u8]) -> (Option<i32>, String, String) {
    support::run_text("detach", args, stdin)
}

/// A file in this build's scratch directory holding `text`.
fn file(name: &str, text: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("cannot write {path:?}: {e}"));
    path
}

#[test]
fn the_example_sample_run() {
    let (code, text, _) = detach(&[], b"");
    assert_eq!(code, Some(0));
    let before = Catalog::from_json(SAMPLE).unwrap();
    assert!(before.products().len() >= 30);
    assert_eq!(before.hierarchies().len(), 2);
    for expected in [
        r#"{"data":{"filter":"eq(templates,book):eq(status,live)","node_ids":["a1b2c3d4-0000-4000-8000-00000000a002","node-fiction","node-does-not-exist","node-fiction"]}}"#,
        "Response: 200\n  {\"meta\":{\"nodes_detached\":2,\"nodes_not_found\":[\"node-does-not-exist\"]}}\n",
        "a1b2c3d4-0000-4000-8000-00000000a002  hierarchy \"Seasonal\": all its 4 node(s)\n",
        "node-fiction                          node \"Fiction\" and the 2 node(s) below it\n",
        "node-does-not-exist                   not found\n",
        "node-fiction                          repeated: counted once\n",
        "Changed: 8 product(s) lost 13 membership(s); the other 22 product(s) are untouched.\n",
        "  BOOK-006   Sapiens                    Books on Sale (node-sale-books)                                Non-fiction (node-nonfiction)\n",
    ] {
        assert!(text.contains(expected), "{expected}\n---\n{text}");
    }
    // A draft book and a bundle are not matched.
    assert!(!text.contains("Neuromancer"), "{text}");
    assert!(!text.contains("Sci-Fi Starter Bundle"), "{text}");
}

#[test]
fn the_example_reports_refusals() {
    // A blank filter (the command line cannot give an empty `--node`).
    let (code, text, _) = detach(&["--filter", " "], b"");
    assert_eq!(code, Some(1));
    assert!(text.ends_with("Response: 422\n  {\"errors\":[{\"status\":\"422\",\"title\":\"Failed Validation\",\"detail\":\"filter can not be empty\",\"source\":{\"pointer\":\"/data/filter\"}}]}\n"), "{text}");
    let catalog = file(
        "detach-missing-node.json",
        r#"{"products":[{"id":"00000000-0000-4000-8000-000000000001","node_ids":["x"]}]}"#,
    );
    let (code, text, _) = detach(
        &[
            "--catalog",
            &catalog.to_string_lossy(),
            "--filter",
            "eq(sku,book)",
            "--node",
            "x",
        ],
        b"",
    );
    assert_eq!(code, Some(1));
    assert!(text.contains("\nResponse: 500\n"), "{text}");
    assert!(text.contains(r#""missing_ids":["x"]"#), "{text}");
}

#[test]
fn the_example_arguments() {
    // Every option; `--node` takes several ids and is repeatable.
    let catalog = file(
        "detach-arguments.json",
        r#"{"hierarchies":[{"id":"h"}],"nodes":[{"id":"a","hierarchy_id":"h"}],"products":[]}"#,
    );
    let (code, text, _) = detach(
        &[
            "--filter",
            "eq(sku,x)",
            "--node",
            "a",
            "b",
            "--node",
            "c",
            "--catalog",
            &catalog.to_string_lossy(),
        ],
        b"",
    );
    assert_eq!(code, Some(0));
    assert!(
        text.contains(r#"{"data":{"filter":"eq(sku,x)","node_ids":["a","b","c"]}}"#),
        "{text}"
    );
    // The examples' conventions: `--help` anywhere is the usage on stdout
    // and exit 0; a bad argument `detach: REASON` and the usage on stderr,
    // exit 2; an unreadable file `detach: REASON`, exit 2.
    support::assert_conventions(
        "detach",
        USAGE,
        &[
            &["--help"][..],
            &["-h"],
            &["--filter", "eq(sku,x)", "--help"],
            &["--json", "--help"],
            &["--what", "--help"],
        ],
        &[
            (&["--node"][..], "--node needs at least one id"),
            (
                &["--node", "--filter", "x"][..],
                "--node needs at least one id",
            ),
            (&["--filter"][..], "--filter needs a FILTER"),
            (&["--catalog"][..], "--catalog needs a FILE"),
            (&["--what"][..], "unknown argument `--what`"),
            // Issue 27 D12: a repeated option is refused, not "last wins".
            (
                &["--filter", "eq(sku,a)", "--filter", "eq(sku,b)"][..],
                "--filter given twice",
            ),
            (&["--json", "--what"][..], "--json takes no other arguments"),
            (
                &["--filter", "x", "--json"][..],
                "--json takes no other arguments",
            ),
        ],
    );
    let (code, text, err) = detach(&["--catalog", "/nonexistent/catalog.json"], b"");
    assert_eq!((code, text.as_str()), (Some(2), ""));
    assert!(
        err.starts_with("detach: cannot read /nonexistent/catalog.json: ")
            && !err.contains("usage"),
        "{err}"
    );
}

#[test]
fn json_mode_reads_stdin_and_prints_one_line() {
    let input = br#"{"catalog":{"products":[]},"request":{"data":{"filter":"eq(sku,a)","node_ids":["n"]}}}"#;
    let (code, text, _) = detach(&["--json"], input);
    assert_eq!(code, Some(0));
    assert_eq!(
        text,
        "{\"status\":200,\"body\":{\"meta\":{\"nodes_detached\":0,\"nodes_not_found\":[\"n\"]}},\"catalog\":{\"products\":[]}}\n"
    );
    let (code, text, _) = detach(&["--json"], b"nope");
    assert_eq!(code, Some(0));
    assert!(text.starts_with("{\"status\":400,"), "{text}");
}
