//! The `unassign` program, run as a process (`--json` and the readable
//! mode on the sample store and on files).

use super::support;
use std::path::PathBuf;

/// The program's usage text.
const USAGE: &str = "usage: unassign [--store FILE] [--category N] [--product ID...]...\n       unassign --json < {\"store\":{...},\"category_id\":N,\"request\":{...},\"scopes\":[...]}";

/// `(exit code, stdout, stderr)` of `unassign ARGS`.
fn unassign(args: &[&str], stdin: &[u8]) -> (Option<i32>, String, String) {
    support::run_text("unassign", args, stdin)
}

/// A file in this build's scratch directory holding `text`.
fn file(name: &str, text: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("cannot write {path:?}: {e}"));
    path
}

const SAMPLE_RUN: &str = "Request:
  POST /api/v3/1003/categories/9691094/unassignProducts
  {\"productIds\":[37208345,37208350,37208347,37208345,99999999]}

Response: 200
  {\"deleteCount\":1}

Unassigning from Sale (9691094):
  product   name             before          after        outcome
  37208345  Canvas Sneakers  Sneakers, Sale  Sneakers     left Sale [listed 2 times, counted once]
  37208350  Clearance Tote   Sale            (top level)  left Sale; no category left, re-homed to top level
  37208347  Trail Runners    Sneakers        Sneakers     unchanged (not in Sale)
  99999999  -                -               -            unknown product, ignored
";

#[test]
fn the_sample_run() {
    let (code, text, _) = unassign(&[], b"");
    assert_eq!(code, Some(0));
    assert_eq!(text, SAMPLE_RUN);
}

#[test]
fn refusals_exit_1() {
    let (code, text, _) = unassign(&["--category", "5", "--product", "1"], b"");
    assert_eq!(code, Some(1));
    assert_eq!(
        text,
        "Request:
  POST /api/v3/1003/categories/5/unassignProducts
  {\"productIds\":[1]}

Response: 404
  {\"errorMessage\":\"Category 5 not found\",\"errorCode\":\"CATEGORY_NOT_FOUND\"}
"
    );
    let store = file(
        "unassign-invalid-store.json",
        "{\"products\":[{\"id\":1,\"name\":\"a\",\"category_ids\":[3]}]}",
    );
    let store = store.to_string_lossy();
    let (code, text, _) = unassign(
        &["--store", &store, "--category", "0", "--product", "1"],
        b"",
    );
    assert_eq!(code, Some(1));
    assert_eq!(
        text,
        "cannot load the store: invalid store snapshot: product 1 is in category 3, which is not a category\n"
    );
}

#[test]
fn the_arguments() {
    // Every option, `--product` repeated with several ids each.
    let store = file(
        "unassign-arguments.json",
        r#"{"store_id":"s-1","categories":[{"id":9,"name":"Nine"}],"products":[{"id":1,"name":"a","category_ids":[9]},{"id":2,"name":"b","category_ids":[9,0]},{"id":3,"name":"c"}]}"#,
    );
    let store = store.to_string_lossy();
    let (code, text, _) = unassign(
        &[
            "--category",
            "9",
            "--product",
            "1",
            "2",
            "--store",
            &store,
            "--product",
            "3",
        ],
        b"",
    );
    assert_eq!(code, Some(0));
    assert!(
        text.starts_with(
            "Request:\n  POST /api/v3/\"s-1\"/categories/9/unassignProducts\n  {\"productIds\":[1,2,3]}\n"
        ),
        "{text}"
    );
    assert!(text.contains("Unassigning from Nine (9):\n"), "{text}");

    // The examples' conventions: `--help` anywhere is the usage on stdout
    // and exit 0; a bad argument `unassign: REASON` and the usage on
    // stderr, exit 2; an unreadable file `unassign: REASON`, exit 2.
    support::assert_conventions(
        "unassign",
        USAGE,
        &[
            &["--help"][..],
            &["-h"],
            &["--category", "9", "--help"],
            &["--json", "--help"],
            &["--frobnicate", "--help"],
        ],
        &[
            (&["--product"][..], "--product needs at least one id"),
            (
                &["--product", "--category", "1"][..],
                "--product needs at least one id",
            ),
            (&["--category"][..], "--category needs an id"),
            (
                &["--category", "-1"][..],
                "`-1` is not an id (a non-negative integer)",
            ),
            (
                &["--product", "1", "x"][..],
                "`x` is not an id (a non-negative integer)",
            ),
            (&["--frobnicate"][..], "unknown argument `--frobnicate`"),
            // Issue 27 D12: a repeated option is refused, not "last wins".
            (
                &["--category", "1", "--category", "2"][..],
                "--category given twice",
            ),
            (
                &["--json", "--category", "1"][..],
                "--json takes no other arguments",
            ),
            (
                &["--category", "1", "--json"][..],
                "--json takes no other arguments",
            ),
        ],
    );
    let (code, text, err) = unassign(&["--store", "/nonexistent/store.json"], b"");
    assert_eq!((code, text.as_str()), (Some(2), ""));
    assert!(
        err.starts_with("unassign: cannot read /nonexistent/store.json: ")
            && !err.contains("usage"),
        "{err}"
    );
}

#[test]
fn json_mode_reads_stdin_and_prints_one_line() {
    let input = br#"{"store":{"categories":[{"id":20,"name":"Sale"}],"products":[{"id":1,"name":"a","category_ids":[20]}]},"category_id":20,"request":{"productIds":[1]},"scopes":["update_catalog"]}"#;
    let (code, text, _) = unassign(&["--json"], input);
    assert_eq!(code, Some(0));
    assert_eq!(
        text,
        "{\"status\":200,\"body\":{\"deleteCount\":1},\"store\":{\"categories\":[{\"id\":20,\"name\":\"Sale\"}],\"products\":[{\"id\":1,\"name\":\"a\",\"category_ids\":[0]}]}}\n"
    );
    // Errors are answers too: exit 0, the status in the line.
    let (code, text, _) = unassign(&["--json"], b"nope");
    assert_eq!(code, Some(0));
    assert!(text.starts_with("{\"status\":400,"), "{text}");
}
