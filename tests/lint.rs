//! The `lint` program run as a process: argument conventions, exit codes,
//! and what each mode prints. (What `--json` answers per line is tested in
//! the example's own unit tests.)

#[path = "support/program.rs"]
#[allow(dead_code)]
mod support;

/// `(exit code, stdout, stderr)` of `lint ARGS`.
fn lint(args: &[&str], stdin: &[u8]) -> (Option<i32>, String, String) {
    support::run_text("lint", args, stdin)
}

const USAGE: &str =
    "usage: lint [--schema FILE] 'FILTER'\n       lint [--schema FILE] --json < filters.txt";

const ORDERS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/data/schemas/orders.json"
);

#[test]
fn options_in_any_order() {
    let filter = "(eq(status,complete)|like(email,*@x.com))";
    let expected = (
        Some(0),
        "eq(status,complete)|like(email,*@x.com)\n".to_owned(),
        String::new(),
    );
    assert_eq!(lint(&["--schema", ORDERS, filter], b""), expected);
    assert_eq!(lint(&[filter, "--schema", ORDERS], b""), expected);
    let json =
        "{\"filter\":\"eq(status,complete)\",\"ok\":true,\"canonical\":\"eq(status,complete)\"}\n";
    for args in [
        ["--json", "--schema", ORDERS],
        ["--schema", ORDERS, "--json"],
    ] {
        assert_eq!(
            lint(&args, b"eq(status,complete)\n"),
            (Some(0), json.to_owned(), String::new()),
            "{args:?}"
        );
    }
}

#[test]
fn the_conventions_help_and_bad_arguments() {
    support::assert_conventions(
        "lint",
        USAGE,
        &[
            &["--help"],
            &["-h"],
            &["eq(sku,x)", "--help"],
            &["--json", "--help"],
            &["--what", "--help"],
        ],
        &[
            (&["--what", "eq(sku,x)"], "unknown argument `--what`"),
            (&[], "a FILTER or --json is needed"),
            (&["eq(sku,x)", "eq(sku,y)"], "one FILTER at a time"),
            (
                &["--json", "eq(sku,x)"],
                "--json reads the filters from stdin, not FILTER",
            ),
            (&["eq(sku,x)", "--schema"], "--schema needs a FILE"),
        ],
    );
    // An unreadable schema: the reason alone, exit 2.
    let (code, out, err) = lint(&["--schema", "/nonexistent.json", "eq(sku,x)"], b"");
    assert_eq!((code, out.as_str()), (Some(2), ""));
    assert!(
        err.starts_with("lint: cannot read /nonexistent.json: ") && !err.contains("usage"),
        "{err}"
    );
    // A schema file that is not UTF-8: where (issue 27, D12).
    let path = std::env::temp_dir().join(format!("lint-not-utf8-{}.json", std::process::id()));
    std::fs::write(
        &path,
        b"{\"name\": \"x\",\n  \"attributes\": {\"\xff\": 1}}",
    )
    .unwrap();
    let file = path.to_string_lossy().into_owned();
    let (code, out, err) = lint(&["--schema", &file, "eq(sku,x)"], b"");
    std::fs::remove_file(&path).unwrap();
    assert_eq!(
        (code, out.as_str(), err),
        (
            Some(2),
            "",
            format!(
                "lint: {file}: JSON schema, line 2, column 19: not UTF-8: invalid utf-8 sequence of 1 bytes from index 32\n"
            )
        )
    );
}

#[test]
fn a_blank_filter_is_detachs_422_in_both_modes() {
    for filter in ["", "   "] {
        assert_eq!(
            lint(&[filter], b""),
            (
                Some(1),
                String::new(),
                "filter can not be empty\n".to_owned()
            ),
            "{filter:?}"
        );
    }
    assert_eq!(
        lint(&["--json"], b"  \n"),
        (
            Some(0),
            "{\"filter\":\"  \",\"ok\":false,\"errors\":[{\"status\":\"422\",\"title\":\"Failed Validation\",\"detail\":\"filter can not be empty\",\"source\":{\"pointer\":\"/data/filter\"}}]}\n".to_owned(),
            String::new()
        )
    );
}

#[test]
fn readable_mode_renders_carets_and_exits_1() {
    assert_eq!(
        lint(&["eqq(sku,x)"], b""),
        (
            Some(1),
            String::new(),
            "error: unknown operator `eqq`; did you mean `eq`?\n  eqq(sku,x)\n  ^^^\n".to_owned()
        )
    );
}
