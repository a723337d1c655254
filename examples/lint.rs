//! Checks filters: prints the canonical form, or caret diagnostics.
//!
//! ```sh
//! cargo run --example lint -- 'eq(sku,book):like(name,*shoe*)'
//! printf 'eq(sku,book)\neqq(sku,x)\n' | cargo run --example lint -- --json
//! cargo run --example lint -- --schema examples/data/schemas/orders.json '(eq(status,complete)|like(email,*@x.com))'
//! ```
//!
//! `--schema FILE` (first) validates against a schema loaded from JSON, or
//! TOML when the file name ends in `.toml`, instead of detach_nodes; the
//! schema's own limits apply.
//!
//! With a filter argument: prints the canonical form and exits 0, or prints
//! every problem with a caret line under it and exits 1.
//!
//! With `--json`: reads one filter a line on stdin and prints one JSON line
//! each: `{"filter":"...","ok":true,"canonical":"..."}` or
//! `{"filter":"...","ok":false,"errors":[...]}`, the errors being the JSON:API
//! error objects `detach_nodes` would answer (each with `meta.message` and
//! `meta.span`, byte offsets into the filter). Exits 0 once all lines are
//! answered, whatever they held; a line that is not UTF-8 is answered as a
//! filter of its lossy decoding, which then fails on the replacement character.

use catalog_filter::compile_with_schema;
use catalog_filter::elasticpath::envelope::{ApiError, filter_errors};
use catalog_filter::schema::Schema;
use serde::Serialize;
use std::io::{self, BufRead, Write};
use std::process::ExitCode;

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

/// Lints one filter into its JSON result.
fn lint<'a>(filter: &'a str, schema: &Schema) -> LintResult<'a> {
    match compile_with_schema(filter, schema) {
        Ok(valid) => LintResult {
            filter,
            ok: true,
            canonical: Some(valid.to_string()),
            errors: None,
        },
        Err(err) => LintResult {
            filter,
            ok: false,
            canonical: None,
            errors: Some(filter_errors(&err)),
        },
    }
}

/// `--json`: one filter per input line, one JSON result per output line.
fn json_mode(schema: &Schema, input: impl BufRead, mut out: impl Write) -> io::Result<()> {
    for line in input.split(b'\n') {
        let line = line?;
        let line = line.strip_suffix(b"\r").unwrap_or(&line);
        let text = String::from_utf8_lossy(line);
        let json = serde_json::to_string(&lint(&text, schema)).map_err(io::Error::other)?;
        writeln!(out, "{json}")?;
    }
    out.flush()
}

/// Loads `--schema FILE`: TOML for `.toml`, else JSON.
fn load_schema(path: &str) -> Result<Schema, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let loaded = if path.ends_with(".toml") {
        Schema::from_toml(&text)
    } else {
        Schema::from_json(&text)
    };
    loaded.map_err(|e| format!("{path}: {e}"))
}

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let schema = match args.as_slice() {
        [flag, file, ..] if flag == "--schema" => match load_schema(file) {
            Ok(schema) => {
                args.drain(..2);
                schema
            }
            Err(e) => {
                eprintln!("lint: {e}");
                return ExitCode::from(2);
            }
        },
        _ => Schema::detach_nodes(),
    };
    match args.as_slice() {
        [flag] if flag == "--json" => {
            match json_mode(&schema, io::stdin().lock(), io::stdout().lock()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("lint: {e}");
                    ExitCode::from(2)
                }
            }
        }
        [filter] if !filter.starts_with("--") => match compile_with_schema(filter, &schema) {
            Ok(valid) => {
                println!("{valid}");
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprint!("{}", err.render(filter));
                ExitCode::FAILURE
            }
        },
        _ => {
            eprintln!(
                "usage: lint [--schema FILE] 'FILTER'\n       lint [--schema FILE] --json < filters.txt"
            );
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(input: &str) -> String {
        let mut out = Vec::new();
        json_mode(&Schema::detach_nodes(), input.as_bytes(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
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
    fn other_schemas_from_files() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/schemas/");
        let orders = load_schema(&format!("{dir}orders.json")).unwrap();
        let mut out = Vec::new();
        json_mode(
            &orders,
            &b"(eq(status,complete)|like(email,*@x.com))\neq(sku,x)\n"[..],
            &mut out,
        )
        .unwrap();
        let lines: Vec<serde_json::Value> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines[0]["ok"], true);
        assert_eq!(lines[1]["ok"], false);
        let toml = std::env::temp_dir().join(format!("lint-{}.toml", std::process::id()));
        std::fs::write(&toml, orders.to_toml()).unwrap();
        let loaded = load_schema(toml.to_str().unwrap());
        let _ = std::fs::remove_file(&toml);
        assert_eq!(loaded.unwrap(), orders);
        assert!(load_schema("/nonexistent.json").is_err());
    }

    #[test]
    fn bad_utf8_and_crlf_lines() {
        let mut out = Vec::new();
        json_mode(
            &Schema::detach_nodes(),
            &b"eq(a,\xff)\r\neq(sku,x)\r\n"[..],
            &mut out,
        )
        .unwrap();
        let lines: Vec<serde_json::Value> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["ok"], false);
        assert_eq!(lines[1]["canonical"], "eq(sku,x)");
    }
}
