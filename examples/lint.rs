//! Checks filters: prints the canonical form, or caret diagnostics.
//!
//! ```sh
//! cargo run --example lint -- 'eq(sku,book):like(name,*shoe*)'
//! printf 'eq(sku,book)\neqq(sku,x)\n' | cargo run --example lint -- --json
//! cargo run --example lint -- --schema examples/data/schemas/orders.json 'eq(status,complete)|like(email,*@x.com)'
//! ```
//!
//! `--schema FILE` validates against a schema loaded from JSON, or TOML
//! when the file name ends in `.toml`, instead of detach_nodes; the
//! schema's own limits apply. Options come in any order; `--help` anywhere
//! prints the usage on stdout and exits 0; a bad argument prints
//! `lint: REASON` and the usage on stderr and exits 2; a schema that cannot
//! be read or loaded prints `lint: REASON` (without the usage) and exits 2.
//!
//! With a filter argument: prints the canonical form and exits 0, or prints
//! every problem with a caret line under it and exits 1.
//!
//! With `--json`: reads one filter a line on stdin (a `\r` before the `\n`
//! is dropped) and prints one JSON line each:
//! `{"filter":"...","ok":true,"canonical":"..."}` or
//! `{"filter":"...","ok":false,"errors":[...]}`, the errors being the JSON:API
//! error objects `detach_nodes` would answer (each with `meta.message` and
//! `meta.span`, byte offsets into the printed `filter`). Exits 0 once all
//! lines are answered, whatever they held.
//!
//! Both modes answer a blank filter (empty or only spaces:
//! [`detach::is_blank_filter`]) as detach_nodes does, whatever the schema:
//! the 422 `filter can not be empty` ([`detach::blank_filter_error`]; the
//! readable mode prints its detail and exits 1).
//!
//! A line that is not UTF-8 is not a filter (no request could carry it):
//! its `filter` is printed with each invalid byte sequence replaced by one
//! U+FFFD (as `String::from_utf8_lossy` does), and it is answered with one
//! 400 error for each such sequence, spanning its U+FFFD in the printed
//! `filter` and naming the bytes and their offset in the line. The rest of
//! the line is not parsed.

mod common;
use catalog_filter::elasticpath::detach;
use catalog_filter::elasticpath::envelope::{ApiError, filter_errors};
use catalog_filter::schema::{Format, Schema};
use catalog_filter::syntax::Span;
use common::{Args, Program};
use serde::Serialize;
use std::io::{self, BufRead, Write};
use std::process::ExitCode;

const PROGRAM: Program = Program {
    name: "lint",
    usage: "usage: lint [--schema FILE] 'FILTER'\n       lint [--schema FILE] --json < filters.txt",
};

/// One line of `--json` output.
#[derive(Serialize)]
struct LintResult<'a> {
    filter: &'a str,
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    canonical: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<Vec<ApiError>>,
}

impl<'a> LintResult<'a> {
    /// A refused filter.
    fn refused(filter: &'a str, errors: Vec<ApiError>) -> LintResult<'a> {
        LintResult {
            filter,
            ok: false,
            canonical: None,
            errors: Some(errors),
        }
    }
}

/// Lints one filter into its JSON result.
fn lint<'a>(filter: &'a str, schema: &Schema) -> LintResult<'a> {
    if detach::is_blank_filter(filter) {
        return LintResult::refused(filter, vec![detach::blank_filter_error()]);
    }
    match (schema).compile(filter) {
        Ok(valid) => LintResult {
            filter,
            ok: true,
            canonical: Some(valid.to_string()),
            errors: None,
        },
        Err(err) => LintResult::refused(filter, filter_errors(&err)),
    }
}

/// A line as printed (each invalid UTF-8 sequence replaced by one U+FFFD,
/// as `String::from_utf8_lossy` does) and one error per such sequence,
/// spanning its U+FFFD in the printed text.
fn decode(line: &[u8]) -> (String, Vec<ApiError>) {
    let mut text = String::with_capacity(line.len());
    let mut errors = Vec::new();
    let mut offset = 0;
    for chunk in line.utf8_chunks() {
        text.push_str(chunk.valid());
        offset += chunk.valid().len();
        let bad = chunk.invalid();
        if bad.is_empty() {
            continue;
        }
        let bytes: Vec<String> = bad.iter().map(|b| format!("0x{b:02X}")).collect();
        let start = text.len();
        text.push(char::REPLACEMENT_CHARACTER);
        errors.push(ApiError::bad_filter(
            format!(
                "not UTF-8: {} at byte {offset} of the line (printed as U+FFFD)",
                bytes.join(" ")
            ),
            Span::new(start, text.len()),
        ));
        offset += bad.len();
    }
    (text, errors)
}

/// `--json`: one filter per input line, one JSON result per output line.
fn json_mode(schema: &Schema, input: impl BufRead, mut out: impl Write) -> io::Result<()> {
    for line in input.split(b'\n') {
        let line = line?;
        let line = line.strip_suffix(b"\r").unwrap_or(&line);
        let (text, not_utf8) = decode(line);
        let result = if not_utf8.is_empty() {
            lint(&text, schema)
        } else {
            LintResult::refused(&text, not_utf8)
        };
        let json = serde_json::to_string(&result).map_err(io::Error::other)?;
        writeln!(out, "{json}")?;
    }
    out.flush()
}

/// Loads `--schema FILE`: TOML for `.toml`, else JSON.
fn load_schema(path: &str) -> Result<Schema, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let format = if path.ends_with(".toml") {
        Format::Toml
    } else {
        Format::Json
    };
    Schema::from_slice(&bytes, format).map_err(|e| format!("{path}: {e}"))
}

/// Command-line options.
#[derive(Debug, Default, PartialEq)]
struct Options {
    /// `--schema FILE`.
    schema: Option<String>,
    /// `--json`.
    json: bool,
    /// The filter argument (exactly one, unless `--json`).
    filter: Option<String>,
}

impl Options {
    /// Parses the arguments (`--help` is the caller's).
    fn parse(args: &mut Args) -> Result<Options, String> {
        let mut options = Options::default();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--schema" => common::once(
                    &mut options.schema,
                    "--schema",
                    args.value("--schema", "a FILE")?,
                )?,
                "--json" if options.json => return Err("--json given twice".to_owned()),
                "--json" => options.json = true,
                other if other.starts_with('-') => return Err(common::unknown(other)),
                _ if options.filter.is_some() => {
                    return Err("one FILTER at a time".to_owned());
                }
                _ => options.filter = Some(arg),
            }
        }
        match (options.json, &options.filter) {
            (true, Some(_)) => Err("--json reads the filters from stdin, not FILTER".to_owned()),
            (false, None) => Err("a FILTER or --json is needed".to_owned()),
            _ => Ok(options),
        }
    }
}

fn main() -> ExitCode {
    let options = match PROGRAM.options(Options::parse) {
        Ok(options) => options,
        Err(code) => return code,
    };
    let schema = match &options.schema {
        Some(path) => match load_schema(path) {
            Ok(schema) => schema,
            Err(reason) => return PROGRAM.fail(&reason),
        },
        None => Schema::detach_nodes(),
    };
    let Some(filter) = options.filter else {
        return match json_mode(&schema, io::stdin().lock(), io::stdout().lock()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => PROGRAM.fail(&e.to_string()),
        };
    };
    if detach::is_blank_filter(&filter) {
        eprintln!("{}", detach::blank_filter_error().detail);
        return ExitCode::FAILURE;
    }
    match schema.compile(&filter) {
        Ok(valid) => {
            println!("{valid}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprint!("{}", err.render(&filter));
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `--json`'s output for `input`, against `schema`.
    fn run_with(schema: &Schema, input: &[u8]) -> String {
        let mut out = Vec::new();
        json_mode(schema, input, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn run(input: &str) -> String {
        run_with(&Schema::detach_nodes(), input.as_bytes())
    }

    /// The output lines, parsed.
    fn lines(out: &str) -> Vec<serde_json::Value> {
        out.lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[test]
    fn json_lines() {
        assert_eq!(
            run("eq( sku ,book)\neqq(sku,x)\n"),
            concat!(
                r#"{"filter":"eq( sku ,book)","ok":true,"canonical":"eq(sku,book)"}"#,
                "\n",
                r#"{"filter":"eqq(sku,x)","ok":false,"errors":[{"status":"400","title":"Bad Request","detail":"Could not parse the supplied filter","source":{"pointer":"/data/filter"},"meta":{"message":"unknown operator `eqq`; did you mean `eq`?","span":{"start":0,"end":3}}}]}"#,
                "\n"
            )
        );
    }

    #[test]
    fn every_validation_problem_is_reported() {
        let out = run("eq(skus,x):like(status,live):eq(id,nope)");
        let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
        let spans: Vec<(u64, u64)> = v["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let s = &e["meta"]["span"];
                (s["start"].as_u64().unwrap(), s["end"].as_u64().unwrap())
            })
            .collect();
        assert_eq!(spans, [(3, 7), (16, 22), (35, 39)]);
    }

    #[test]
    fn blank_lines_are_detachs_422() {
        // Empty and all-space lines, as detach answers a blank filter (with
        // any schema); a tab is no blank: the parser refuses it.
        let blank = |filter: &str| {
            format!(
                r#"{{"filter":"{filter}","ok":false,"errors":[{{"status":"422","title":"Failed Validation","detail":"filter can not be empty","source":{{"pointer":"/data/filter"}}}}]}}"#
            )
        };
        let out = run("\n   \r\n\t\n");
        let got: Vec<&str> = out.lines().collect();
        assert_eq!(got[..2], [blank(""), blank("   ")]);
        assert_eq!(lines(&out)[2]["errors"][0]["status"], "400");
        assert_eq!(got.len(), 3);
        let orders = load_schema(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/data/schemas/orders.json"
        ))
        .unwrap();
        assert_eq!(run_with(&orders, b" "), format!("{}\n", blank(" ")));
    }

    #[test]
    fn other_schemas_from_files() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/schemas/");
        let orders = load_schema(&format!("{dir}orders.json")).unwrap();
        let out = run_with(
            &orders,
            b"(eq(status,complete)|like(email,*@x.com))\neq(sku,x)\n",
        );
        let lines = lines(&out);
        assert_eq!(lines[0]["ok"], true);
        assert_eq!(lines[1]["ok"], false);
        let toml = std::env::temp_dir().join(format!("lint-{}.toml", std::process::id()));
        std::fs::write(&toml, orders.to_toml()).unwrap();
        let loaded = load_schema(toml.to_str().unwrap());
        let _ = std::fs::remove_file(&toml);
        assert_eq!(loaded.unwrap(), orders);
        assert!(
            load_schema("/nonexistent.json")
                .unwrap_err()
                .starts_with("cannot read /nonexistent.json: ")
        );
    }

    #[test]
    fn lines_that_are_not_utf8_are_refused_where_printed() {
        // `eq(sku,"\xff")` would compile as `eq(sku,"\u{FFFD}")`: it is
        // refused instead, one error per bad sequence, spanning its U+FFFD
        // (3 bytes) in the printed filter; CRLF is dropped.
        let out = run_with(
            &Schema::detach_nodes(),
            b"eq(sku,\"\xff\")\r\neq(sku,\xe2\x82x\xc3)\neq(sku,x)\r\n",
        );
        let bad = |message: &str, start: usize| {
            format!(
                r#"{{"status":"400","title":"Bad Request","detail":"Could not parse the supplied filter","source":{{"pointer":"/data/filter"}},"meta":{{"message":"not UTF-8: {message} (printed as U+FFFD)","span":{{"start":{start},"end":{}}}}}}}"#,
                start + 3
            )
        };
        let expected = [
            format!(
                r#"{{"filter":"eq(sku,\"�\")","ok":false,"errors":[{}]}}"#,
                bad("0xFF at byte 8 of the line", 8)
            ),
            format!(
                r#"{{"filter":"eq(sku,�x�)","ok":false,"errors":[{},{}]}}"#,
                bad("0xE2 0x82 at byte 7 of the line", 7),
                bad("0xC3 at byte 10 of the line", 11),
            ),
            r#"{"filter":"eq(sku,x)","ok":true,"canonical":"eq(sku,x)"}"#.to_owned(),
        ];
        assert_eq!(out.lines().collect::<Vec<_>>(), expected);
        // The spans index the printed filter: they cover its U+FFFDs.
        for line in lines(&out).iter().take(2) {
            let filter = line["filter"].as_str().unwrap();
            for e in line["errors"].as_array().unwrap() {
                let span = &e["meta"]["span"];
                let (start, end) = (
                    span["start"].as_u64().unwrap(),
                    span["end"].as_u64().unwrap(),
                );
                assert_eq!(filter.get(start as usize..end as usize), Some("\u{fffd}"));
            }
        }
    }

    proptest::proptest! {
        /// The printed text is exactly the lossy decoding; there is one
        /// error per U+FFFD that stands for bad bytes, spanning it; a UTF-8
        /// line has none.
        #[test]
        fn decode_is_the_lossy_text_with_spans_on_its_replacements(
            line in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40),
        ) {
            let (text, errors) = decode(&line);
            proptest::prop_assert_eq!(&text, &String::from_utf8_lossy(&line));
            proptest::prop_assert_eq!(errors.is_empty(), std::str::from_utf8(&line).is_ok());
            let own = std::str::from_utf8(&line).map_or(0, |l| l.matches('\u{FFFD}').count());
            let spans: Vec<&str> = errors
                .iter()
                .filter_map(|e| e.meta.as_ref()?.span)
                .filter_map(|s| text.get(s.start..s.end))
                .collect();
            proptest::prop_assert_eq!(spans.len(), errors.len());
            proptest::prop_assert!(spans.iter().all(|s| *s == char::REPLACEMENT_CHARACTER.to_string()));
            proptest::prop_assert!(own == 0 || errors.is_empty());
        }
    }

    #[test]
    fn options_in_any_order() {
        let parse = |args: &[&str]| {
            let args: Vec<String> = args.iter().map(|&a| a.to_owned()).collect();
            PROGRAM.options_from(args, Options::parse).ok()
        };
        let options = |schema: Option<&str>, json: bool, filter: Option<&str>| Options {
            schema: schema.map(str::to_owned),
            json,
            filter: filter.map(str::to_owned),
        };
        assert_eq!(
            parse(&["--json", "--schema", "s.json"]),
            Some(options(Some("s.json"), true, None))
        );
        assert_eq!(
            parse(&["eq(a,b)", "--schema", "s.toml"]),
            Some(options(Some("s.toml"), false, Some("eq(a,b)")))
        );
        assert_eq!(parse(&["--json"]), Some(options(None, true, None)));
        for bad in [
            &["--json", "eq(a,b)"][..],
            &[],
            &["a", "b"],
            &["--schema"],
            &["--what", "eq(a,b)"],
            // Issue 27 D12: a repeated option is refused, not "last wins".
            &["--json", "--json"],
            &["--schema", "a.json", "--schema", "b.json", "eq(a,b)"],
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }
}
