//! The crate's main program: Elastic Path `detach_nodes` on a catalog snapshot.
//!
//! ```text
//! cargo run --example detach
//!     the main job on the embedded sample catalog (examples/data/catalog.json):
//!     prints the request, the response and a table of what changed
//! cargo run --example detach -- [--catalog FILE] [--filter FILTER] [--node ID...]
//!     the same on your own catalog, filter or node ids (`--node` takes one or
//!     more ids and may be repeated; any option left out falls back to the
//!     sample's; the caller holds an admin token)
//! cargo run --example detach -- --json
//!     reads {"catalog":{...},"request":{"data":{...}},"grant":...} on stdin and
//!     prints one line {"status":200,"body":{...},"catalog":{...}}
//! ```
//!
//! With `--json`, `body` is exactly what the API would answer (the
//! `{"meta":{...}}` response or a JSON:API error envelope) and `catalog` the
//! snapshot after the request: the input's catalog as written (compact),
//! with only the changed `node_ids` lists spliced in. The work is
//! `common::detach_json::answer_document`; this program
//! reads stdin (at most one byte past `Limits::max_snapshot_bytes`, 1 GiB:
//! a longer input is the 400 naming that limit, the rest left unread) and
//! streams the answer to stdout. The optional `"grant"` member models the caller's
//! token: `"client_credentials"` (an admin token; the default when the member
//! is absent, since this is a local tool run by whoever owns the data),
//! `"implicit"` (a storefront token: 403) or `null` (no token: 401).
//!
//! Checks run in the API's order: the token (401/403), then the catalog, then
//! the `request` value (422, then 400). A catalog that fails its integrity
//! checks is the vendor's 500 envelope with `meta.missing_ids`. Input that is
//! not such an object (not UTF-8, not JSON, a missing `catalog`, a catalog of
//! the wrong shape, a `grant` that is none of the above) is a 400
//! `Bad Request` with the reason in `meta.message`; a missing `request` is
//! the 400 of a body that is not an object. On every error `catalog` is the
//! snapshot unchanged: the loaded one, or the input's `catalog` value as
//! given (`null` if there is none) when it could not be loaded. The program
//! exits 0 whenever it printed an answer; the status is in the output.
//!
//! Without `--json` it exits 0 on success, 1 when the request is refused (or
//! the catalog fails its integrity checks), 2 on bad arguments or an
//! unreadable file. Arguments follow the examples' conventions (options in
//! any order; `--help` anywhere prints the usage on stdout and exits 0; a
//! bad argument prints `detach: REASON` and the usage on stderr and exits
//! 2); `--json` takes no other argument.

mod common;

use catalog_filter::Limits;
use catalog_filter::catalog::Catalog;
use catalog_filter::elasticpath::detach::{self, DetachNodesRequest, DetachPlan, Grant};
use common::{Args, Mode, Program, table};
use std::collections::HashSet;
use std::process::ExitCode;

/// The embedded sample: two hierarchies with nested nodes, 30 products
/// (books with ISBNs, shoes, bundles, a parent with its children).
const SAMPLE: &str = include_str!("data/catalog.json");

/// The sample run's filter: the live books.
const SAMPLE_FILTER: &str = "eq(templates,book):eq(status,live)";

/// The sample run's node ids: the whole "Seasonal" hierarchy, "Fiction" (and
/// the nodes below it), an unknown id and a repeat.
const SAMPLE_NODES: [&str; 4] = [
    "a1b2c3d4-0000-4000-8000-00000000a002",
    "node-fiction",
    "node-does-not-exist",
    "node-fiction",
];

const PROGRAM: Program = Program {
    name: "detach",
    usage: "usage: detach [--catalog FILE] [--filter FILTER] [--node ID...]...\n       detach --json < {\"catalog\":{...},\"request\":{\"data\":{...}},\"grant\":\"client_credentials\"}",
};

fn main() -> ExitCode {
    let options = match PROGRAM.mode(Options::parse) {
        Ok(Mode::Text(options)) => options,
        Ok(Mode::Json) => return PROGRAM.json_pipe(common::detach_json::answer_document),
        Err(code) => return code,
    };
    let text = match &options.catalog {
        Some(path) => match common::read_file(path) {
            Ok(text) => text,
            Err(reason) => return PROGRAM.fail(&reason),
        },
        None => SAMPLE.to_owned(),
    };
    let filter = options.filter.as_deref().unwrap_or(SAMPLE_FILTER);
    let nodes: Vec<String> = match options.nodes {
        Some(nodes) => nodes,
        None => SAMPLE_NODES.iter().map(|&s| s.to_owned()).collect(),
    };
    let (report, status) = text_mode(&text, filter, &nodes);
    print!("{report}");
    match status {
        200 => ExitCode::SUCCESS,
        _ => ExitCode::FAILURE,
    }
}

/// Command-line options of the readable mode.
#[derive(Debug, Default, PartialEq)]
struct Options {
    /// `--catalog FILE`.
    catalog: Option<String>,
    /// `--filter FILTER`.
    filter: Option<String>,
    /// `--node ID...` (each takes one or more ids; repeatable).
    nodes: Option<Vec<String>>,
}

impl Options {
    /// Parses the arguments (`--help` and `--json` are the caller's).
    fn parse(args: &mut Args) -> Result<Options, String> {
        let mut options = Options::default();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--catalog" => common::once(
                    &mut options.catalog,
                    "--catalog",
                    args.value("--catalog", "a FILE")?,
                )?,
                "--filter" => common::once(
                    &mut options.filter,
                    "--filter",
                    args.value("--filter", "a FILTER")?,
                )?,
                "--node" => {
                    let ids = args.values("--node")?;
                    options.nodes.get_or_insert_with(Vec::new).extend(ids);
                }
                other => return Err(common::unknown(other)),
            }
        }
        Ok(options)
    }
}

/// Runs one request on the catalog `text` and renders it for people: the
/// request, the response, how each requested id resolved, and a table of the
/// memberships removed. Also returns the response's HTTP status.
fn text_mode(text: &str, filter: &str, nodes: &[String]) -> (String, u16) {
    let mut out = String::new();
    let before = match Catalog::from_json(text) {
        Ok(catalog) => catalog,
        Err(e) => {
            out.push_str(&format!("The catalog cannot be loaded:\n{e}\n"));
            let envelope = match e.integrity() {
                Some(errors) => detach::integrity_error(errors),
                None => return (out, 400),
            };
            let json = serde_json::to_string(&envelope).unwrap_or_default();
            out.push_str(&format!("\nResponse: 500\n  {json}\n"));
            return (out, 500);
        }
    };
    let request = DetachNodesRequest::new(filter, nodes.iter().cloned());
    let body = serde_json::to_string(&request).unwrap_or_default();
    out.push_str(&format!(
        "Request:\n  POST /pcm/products/detach_nodes\n  {body}\n"
    ));

    let mut after = before.clone();
    let answer = detach::handle(
        &mut after,
        Some(Grant::ClientCredentials),
        &body,
        &Limits::default(),
    );
    out.push_str(&format!(
        "\nResponse: {}\n  {}\n",
        answer.status,
        answer.body_json()
    ));
    if answer.status != 200 {
        return (out, answer.status);
    }
    // The plan `handle` applied (planning is pure: this is the same plan).
    let Ok(plan) = detach::plan(&before, &request, &Limits::default()) else {
        return (out, answer.status);
    };
    out.push_str("\nRequested ids:\n");
    out.push_str(&resolutions(&before, nodes));
    out.push_str(&changes(&before, &after, &plan));
    (out, answer.status)
}

/// A node's name and id, `Novels (node-novels)`.
fn node_label(catalog: &Catalog, id: &str) -> String {
    match catalog.node(id).and_then(|n| n.name.as_deref()) {
        Some(name) => format!("{name} ({id})"),
        None => id.to_owned(),
    }
}

/// One line per requested id: what it names and how many nodes that covers.
fn resolutions(catalog: &Catalog, nodes: &[String]) -> String {
    let mut seen = HashSet::new();
    let mut rows = Vec::new();
    for id in nodes {
        let what = if !seen.insert(id.as_str()) {
            "repeated: counted once".to_owned()
        } else {
            let count = catalog.resolve(id).map_or(0, |r| r.len());
            if let Some(h) = catalog.hierarchy(id) {
                let name = h.name.as_deref().unwrap_or("(unnamed)");
                format!("hierarchy \"{name}\": all its {count} node(s)")
            } else if let Some(n) = catalog.node(id) {
                let name = n.name.as_deref().unwrap_or("(unnamed)");
                match count.saturating_sub(1) {
                    0 => format!("node \"{name}\""),
                    below => format!("node \"{name}\" and the {below} node(s) below it"),
                }
            } else {
                "not found".to_owned()
            }
        };
        rows.push([id.clone(), what]);
    }
    table(&rows)
}

/// The summary line and one row per product that lost memberships.
fn changes(before: &Catalog, after: &Catalog, plan: &DetachPlan) -> String {
    let mut rows = vec![[
        "sku".to_owned(),
        "name".to_owned(),
        "detached from".to_owned(),
        "still in".to_owned(),
    ]];
    for change in plan.changes() {
        let (Some(product), Some(now)) = (
            before.products().get(change.index),
            after.products().get(change.index),
        ) else {
            continue;
        };
        let removed: Vec<String> = change
            .removed_node_ids(before)
            .map(|id| node_label(before, id))
            .collect();
        let kept: Vec<String> = now
            .node_ids
            .iter()
            .map(|id| node_label(after, id))
            .collect();
        rows.push([
            product.sku.as_deref().unwrap_or("-").to_owned(),
            product.name.as_deref().unwrap_or("-").to_owned(),
            removed.join(", "),
            if kept.is_empty() {
                "(no node)".to_owned()
            } else {
                kept.join(", ")
            },
        ]);
    }
    let changed = plan.changes().len();
    let mut out = format!(
        "\nChanged: {changed} product(s) lost {} membership(s); the other {} product(s) are untouched.\n",
        plan.removed_count(),
        before.products().len() - changed,
    );
    if changed > 0 {
        out.push_str(&table(&rows));
    }
    out
}
