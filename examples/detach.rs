//! The crate's main program: Elastic Path `detach_nodes` on a catalog snapshot.
//!
//! ```sh
//! cargo run --example detach                       # the embedded sample catalog
//! cargo run --example detach -- --catalog catalog.json --filter 'eq(sku,book)' --node 123 --node 456
//! echo '{"catalog":{...},"request":{"data":{...}}}' | cargo run --example detach -- --json
//! ```
//!
//! Without `--json` it prints the request, the response (status and JSON
//! body) and a table of the memberships removed, and exits 0 on success, 1
//! when the request is refused, 2 on bad arguments or an unreadable file.
//!
//! With `--json` it reads `{"catalog":{...},"request":{"data":{...}}}` on
//! stdin and prints one line `{"status":200,"body":{...},"catalog":{...}}`:
//! `body` is exactly what the API would answer (success or error envelope)
//! and `catalog` the snapshot after the request (unchanged on error). An
//! optional `"grant"` member models the caller's token:
//! `"client_credentials"` (an admin token, the default when absent, since
//! this is a local tool), `"implicit"` (a storefront token: 403) or `null`
//! (no token: 401). A catalog that fails its integrity checks is answered
//! with the vendor's 500 envelope (`meta.missing_ids`) and echoed as given;
//! stdin that is not a JSON object is a 400. It always exits 0 once it has
//! printed an answer.

use catalog_filter::Limits;
use catalog_filter::catalog::Catalog;
use catalog_filter::detach::{self, Answer, DetachNodesRequest, Grant};
use catalog_filter::error::{ApiError, ErrorEnvelope, ErrorMeta};
use serde_json::{Value, json};
use std::io::Read;
use std::process::ExitCode;

/// The embedded sample: two hierarchies with nested nodes, 30 products.
const SAMPLE: &str = include_str!("data/catalog.json");

/// The sample request: take the live books out of the whole "Seasonal"
/// hierarchy and out of "Fiction" (and the nodes below it); one id is
/// unknown and one is repeated.
const SAMPLE_FILTER: &str = "eq(templates,book):eq(status,live)";
const SAMPLE_NODES: [&str; 4] = [
    "a1b2c3d4-0000-4000-8000-00000000a002",
    "node-fiction",
    "node-does-not-exist",
    "node-fiction",
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--json") {
        let mut input = String::new();
        if let Err(e) = std::io::stdin().read_to_string(&mut input) {
            eprintln!("detach: cannot read stdin: {e}");
            return ExitCode::from(2);
        }
        println!("{}", json_mode(&input));
        return ExitCode::SUCCESS;
    }
    match Args::parse(&args) {
        Ok(args) => human_mode(&args),
        Err(message) => {
            eprintln!("detach: {message}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

const USAGE: &str = "usage: detach [--catalog FILE] [--filter FILTER] [--node ID]...\n       detach --json < input.json";

/// Command-line options of the readable mode.
#[derive(Debug, PartialEq)]
struct Args {
    catalog: Option<String>,
    filter: Option<String>,
    nodes: Vec<String>,
}

impl Args {
    fn parse(args: &[String]) -> Result<Args, String> {
        let mut out = Args {
            catalog: None,
            filter: None,
            nodes: Vec::new(),
        };
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            let mut value = || {
                it.next()
                    .cloned()
                    .ok_or_else(|| format!("{flag} needs a value"))
            };
            match flag.as_str() {
                "--catalog" => out.catalog = Some(value()?),
                "--filter" => out.filter = Some(value()?),
                "--node" => out.nodes.push(value()?),
                "-h" | "--help" => return Err("help".into()),
                other => return Err(format!("unknown argument `{other}`")),
            }
        }
        Ok(out)
    }
}

fn human_mode(args: &Args) -> ExitCode {
    let text = match &args.catalog {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) => {
                eprintln!("detach: cannot read {path}: {e}");
                return ExitCode::from(2);
            }
        },
        None => SAMPLE.to_string(),
    };
    let mut catalog = match Catalog::from_json(&text) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("detach: the catalog cannot be loaded:\n{e}");
            return ExitCode::from(2);
        }
    };
    let filter = args.filter.as_deref().unwrap_or(SAMPLE_FILTER);
    let nodes: Vec<String> = if args.nodes.is_empty() && args.filter.is_none() {
        SAMPLE_NODES.iter().map(|s| s.to_string()).collect()
    } else {
        args.nodes.clone()
    };
    let request = DetachNodesRequest::new(filter, nodes);
    let body = serde_json::to_string(&request).unwrap_or_default();
    let before = catalog.clone();
    let (text, status) = report(&before, &mut catalog, &body);
    print!("{text}");
    if status == 200 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Runs the request on `catalog` (a copy of `before`) and renders the
/// readable report: the request, the answer, and a table of removed
/// memberships. Also returns the answer's HTTP status.
fn report(before: &Catalog, catalog: &mut Catalog, body: &str) -> (String, u16) {
    let mut out = String::new();
    out.push_str("Request:\n  POST /pcm/products/detach_nodes\n  ");
    out.push_str(body);
    out.push('\n');
    let plan = DetachNodesRequest::from_json(body)
        .and_then(|r| detach::plan(before, &r, &Limits::default()));
    let answer = detach::handle(
        catalog,
        Some(Grant::ClientCredentials),
        body,
        &Limits::default(),
    );
    out.push_str(&format!(
        "\nResponse: {}\n  {}\n",
        answer.status,
        serde_json::to_string(&answer.body).unwrap_or_default()
    ));
    let Ok(plan) = plan else {
        return (out, answer.status);
    };
    let name_of = |id: &str| {
        before
            .node(id)
            .and_then(|n| n.name.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let rows: Vec<[String; 3]> = plan
        .changes()
        .filter_map(|change| {
            let product = before.products().get(change.index)?;
            let removed: Vec<String> = change.removed_node_ids(before).map(name_of).collect();
            Some([
                product.sku.clone().unwrap_or_else(|| "-".into()),
                product.name.clone().unwrap_or_else(|| "-".into()),
                removed.join(", "),
            ])
        })
        .collect();
    let matched_untouched = before.products().len() - rows.len();
    out.push_str(&format!(
        "\nChanged: {} product(s) lost {} membership(s); {} product(s) untouched.\n",
        rows.len(),
        plan.removed_count(),
        matched_untouched
    ));
    if rows.is_empty() {
        return (out, answer.status);
    }
    let header = ["sku", "name", "detached from"];
    let width = |i: usize| {
        rows.iter()
            .map(|r| r[i].chars().count())
            .chain([header[i].len()])
            .max()
            .unwrap_or(0)
    };
    let (w0, w1) = (width(0), width(1));
    out.push_str(&format!(
        "  {:w0$}  {:w1$}  {}\n",
        header[0], header[1], header[2]
    ));
    for [sku, name, removed] in &rows {
        out.push_str(&format!("  {sku:w0$}  {name:w1$}  {removed}\n"));
    }
    (out, answer.status)
}

/// `--json`: one input document in, one answer line out.
fn json_mode(input: &str) -> Value {
    let bad_input = |message: String| {
        let envelope = ErrorEnvelope::single(
            ApiError::bad_request("Bad Request").with_meta(ErrorMeta::message(message)),
        );
        json!({"status": 400, "body": envelope, "catalog": Value::Null})
    };
    let doc: Value = match serde_json::from_str(input) {
        Ok(doc @ Value::Object(_)) => doc,
        Ok(_) => return bad_input("stdin must be a JSON object".into()),
        Err(e) => return bad_input(format!("stdin is not valid JSON: {e}")),
    };
    let given_catalog = doc.get("catalog").cloned().unwrap_or(Value::Null);
    let grant = match doc.get("grant") {
        None => Some(Grant::ClientCredentials),
        Some(Value::Null) => None,
        Some(g) => match serde_json::from_value::<Grant>(g.clone()) {
            Ok(g) => Some(g),
            Err(_) => {
                return bad_input(
                    "`grant` must be \"client_credentials\", \"implicit\" or null".into(),
                );
            }
        },
    };
    let mut catalog = match Catalog::from_value(given_catalog.clone()) {
        Ok(c) => c,
        Err(e) => {
            let envelope = match e.integrity() {
                Some(errors) => detach::integrity_error(errors),
                None => ErrorEnvelope::single(
                    ApiError::internal().with_meta(ErrorMeta::message(e.to_string())),
                ),
            };
            return json!({"status": 500, "body": envelope, "catalog": given_catalog});
        }
    };
    let body = doc
        .get("request")
        .cloned()
        .unwrap_or(Value::Null)
        .to_string();
    let Answer { status, body } = detach::handle(&mut catalog, grant, &body, &Limits::default());
    json!({"status": status, "body": body, "catalog": catalog})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_json(input: Value) -> Value {
        json_mode(&input.to_string())
    }

    fn sample() -> Value {
        serde_json::from_str(SAMPLE).unwrap()
    }

    #[test]
    fn sample_loads_and_the_default_run_changes_something() {
        let before = Catalog::from_json(SAMPLE).unwrap();
        assert!(before.products().len() >= 30);
        assert_eq!(before.hierarchies().len(), 2);
        let mut after = before.clone();
        let body =
            serde_json::to_string(&DetachNodesRequest::new(SAMPLE_FILTER, SAMPLE_NODES)).unwrap();
        let (text, status) = report(&before, &mut after, &body);
        assert_eq!(status, 200);
        assert!(
            text.contains(
                r#"{"meta":{"nodes_detached":2,"nodes_not_found":["node-does-not-exist"]}}"#
            ),
            "{text}"
        );
        assert!(text.contains("Response: 200"), "{text}");
        assert!(text.contains("War and Peace"), "{text}");
        // Drafts are not matched, bundles are not books.
        assert!(!text.contains("Neuromancer"), "{text}");
        assert!(!text.contains("Sci-Fi Starter Bundle"), "{text}");
        assert_ne!(before, after);
    }

    #[test]
    fn json_success_applies_and_echoes_the_catalog() {
        let out = run_json(json!({
            "catalog": sample(),
            "request": {"data": {"filter": "eq(sku,book)", "node_ids": ["node-books", "123"]}}
        }));
        assert_eq!(out["status"], 200);
        assert_eq!(
            out["body"],
            json!({"meta": {"nodes_detached": 1, "nodes_not_found": ["123"]}})
        );
        let products = out["catalog"]["products"].as_array().unwrap();
        let book = products.iter().find(|p| p["sku"] == "book").unwrap();
        assert!(book.get("node_ids").is_none_or(|n| n == &json!([])));
    }

    #[test]
    fn json_errors_leave_the_catalog_unchanged() {
        let catalog = Catalog::from_json(SAMPLE).unwrap();
        let unchanged = serde_json::to_value(&catalog).unwrap();
        let out = run_json(json!({
            "catalog": sample(),
            "request": {"data": {"filter": "eqq(sku,book)", "node_ids": ["node-books"]}}
        }));
        assert_eq!(out["status"], 400);
        assert_eq!(
            out["body"]["errors"][0]["meta"]["span"],
            json!({"start": 0, "end": 3})
        );
        assert_eq!(out["catalog"], unchanged);

        let out = run_json(json!({"catalog": sample(), "request": {"data": {}}}));
        assert_eq!(out["status"], 422);
        assert_eq!(out["body"]["errors"].as_array().unwrap().len(), 2);
        assert_eq!(out["catalog"], unchanged);

        let out = run_json(json!({"catalog": sample(), "grant": null, "request": {}}));
        assert_eq!(out["status"], 401);
        let out = run_json(json!({"catalog": sample(), "grant": "implicit", "request": {}}));
        assert_eq!(out["status"], 403);
    }

    #[test]
    fn json_integrity_failure_is_the_vendors_500() {
        let catalog = json!({"hierarchies": [], "nodes": [], "products": [
            {"id": "e7d50bd5-1833-43c0-9848-f9d325b08be8", "node_ids": ["ghost"]}
        ]});
        let out = run_json(json!({"catalog": catalog, "request": {}}));
        assert_eq!(out["status"], 500);
        assert_eq!(
            out["body"]["errors"][0]["meta"]["missing_ids"],
            json!(["ghost"])
        );
        assert_eq!(out["body"]["errors"][0]["title"], "Internal server error");
        assert_eq!(out["catalog"], catalog);
    }

    #[test]
    fn json_bad_stdin() {
        assert_eq!(json_mode("nope")["status"], 400);
        assert_eq!(json_mode("[1]")["status"], 400);
        assert_eq!(json_mode("{\"grant\": 5}")["status"], 400);
    }

    #[test]
    fn arguments() {
        let args = |a: &[&str]| Args::parse(&a.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(
            args(&["--filter", "eq(sku,x)", "--node", "a", "--node", "b"]),
            Ok(Args {
                catalog: None,
                filter: Some("eq(sku,x)".into()),
                nodes: vec!["a".into(), "b".into()]
            })
        );
        assert_eq!(args(&["--node"]), Err("--node needs a value".into()));
        assert_eq!(args(&["--what"]), Err("unknown argument `--what`".into()));
    }
}
