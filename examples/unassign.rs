//! Ecwid `unassignProducts` on a store snapshot.
//!
//! ```text
//! cargo run --example unassign
//!     the main job on the embedded sample store (examples/data/store.json):
//!     prints the request, the response and a table of what changed
//! cargo run --example unassign -- [--store FILE] [--category N] [--product ID...]
//!     the same on your own store, category or product ids (any option left
//!     out falls back to the sample's; the token has the update_catalog scope)
//! cargo run --example unassign -- --json
//!     reads {"store":{...},"category_id":N,"request":{"productIds":[...]},"scopes":[...]}
//!     on stdin and prints one line {"status":200,"body":{"deleteCount":1},"store":{...}}
//! ```
//!
//! With `--json`, `body` is exactly what the API would answer (the response,
//! or Ecwid's `{"errorMessage","errorCode"}` error) and `store` the snapshot
//! after the request: the input's store as written (compact), with only the
//! changed `category_ids` lists spliced in. On an error `store` is the
//! input's `store` value unchanged (`null` if there is none). Checks run in
//! the API's order: scope (403), the store (500 `INVALID_STORE`, for a wrong
//! shape or failed integrity checks), category (404), then the
//! `request` value (400). `scopes` may be left out (no scopes: 403);
//! `request` may be left out (400). Input that is not such an object (not
//! JSON, not UTF-8, a missing `store` or `category_id`, wrong JSON types) is
//! a 400 `INVALID_REQUEST_BODY`; input over `Limits::max_snapshot_bytes`
//! (1 GiB) a 400 `LIMIT_EXCEEDED`, answered after reading one byte past the
//! limit (the rest left unread). The work is
//! `common::unassign_json::answer_document`; this program reads
//! stdin and streams the answer to stdout. It exits 0 whenever it printed an
//! answer; the status is in the output.
//!
//! Without `--json` it exits 0 on success, 1 when the store cannot be
//! loaded or the request is refused, 2 on bad arguments or an unreadable
//! file. Arguments follow the examples' conventions (options in any order;
//! `--help` anywhere prints the usage on stdout and exits 0; a bad argument
//! prints `unassign: REASON` and the usage on stderr and exits 2); `--json`
//! takes no other argument.

mod common;

use catalog_filter::Limits;
use catalog_filter::ecwid::{
    self, CategoryId, ProductId, Store, UnassignPlan, UnassignProductsRequest,
};
use common::{Args, Mode, Program};
use std::collections::HashMap;
use std::process::ExitCode;

/// The embedded sample store.
const SAMPLE_STORE: &str = include_str!("data/store.json");
/// The sample run's category ("Sale", the seed's category id).
const SAMPLE_CATEGORY: CategoryId = 9691094;
/// The sample run's product ids: one that keeps another category, one that
/// is re-homed to the top level, one not in the category, a duplicate and an
/// unknown id.
const SAMPLE_PRODUCTS: [ProductId; 5] = [37208345, 37208350, 37208347, 37208345, 99999999];

const PROGRAM: Program = Program {
    name: "unassign",
    usage: "usage: unassign [--store FILE] [--category N] [--product ID...]...\n       unassign --json < {\"store\":{...},\"category_id\":N,\"request\":{...},\"scopes\":[...]}",
};

fn main() -> ExitCode {
    let options = match PROGRAM.mode(Options::parse) {
        Ok(Mode::Text(options)) => options,
        Ok(Mode::Json) => return PROGRAM.json_pipe(common::unassign_json::answer_document),
        Err(code) => return code,
    };
    let store_text = match &options.store {
        None => SAMPLE_STORE.to_owned(),
        Some(path) => match common::read_file(path) {
            Ok(text) => text,
            Err(reason) => return PROGRAM.fail(&reason),
        },
    };
    let category = options.category.unwrap_or(SAMPLE_CATEGORY);
    let products = options.products.unwrap_or_else(|| SAMPLE_PRODUCTS.to_vec());
    let (text, ok) = text_mode(&store_text, category, &products);
    print!("{text}");
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Command-line options of the readable mode.
#[derive(Debug, Default, PartialEq)]
struct Options {
    /// `--store FILE`.
    store: Option<String>,
    /// `--category N`.
    category: Option<CategoryId>,
    /// `--product ID...` (each takes one or more ids; repeatable).
    products: Option<Vec<ProductId>>,
}

impl Options {
    /// Parses the arguments (`--help` and `--json` are the caller's).
    fn parse(args: &mut Args) -> Result<Options, String> {
        let mut options = Options::default();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--store" => common::once(
                    &mut options.store,
                    "--store",
                    args.value("--store", "a FILE")?,
                )?,
                "--category" => {
                    common::once(
                        &mut options.category,
                        "--category",
                        parse_id(&args.value("--category", "an id")?)?,
                    )?;
                }
                "--product" => {
                    let ids = args.values("--product")?;
                    let ids: Vec<ProductId> = ids
                        .iter()
                        .map(|id| parse_id(id))
                        .collect::<Result<_, _>>()?;
                    options.products.get_or_insert_with(Vec::new).extend(ids);
                }
                other => return Err(common::unknown(other)),
            }
        }
        Ok(options)
    }
}

/// A category or product id from the command line.
fn parse_id(text: &str) -> Result<u64, String> {
    text.parse()
        .map_err(|_| format!("`{text}` is not an id (a non-negative integer)"))
}

/// Runs one request on `store_text` and renders it for people; the flag is
/// false when the store or the request was refused.
fn text_mode(store_text: &str, category: CategoryId, products: &[ProductId]) -> (String, bool) {
    let mut out = String::new();
    let store = match Store::from_json(store_text) {
        Ok(store) => store,
        Err(e) => {
            out.push_str(&format!("cannot load the store: {e}\n"));
            return (out, false);
        }
    };
    let store_id = store
        .snapshot()
        .other
        .get("store_id")
        .map_or_else(|| "{storeId}".to_owned(), |id| id.json_text());
    let request = UnassignProductsRequest::new(products.iter().copied());
    out.push_str(&format!(
        "Request:\n  POST /api/v3/{store_id}/categories/{category}/unassignProducts\n  {}\n\n",
        serde_json::to_string(&request).unwrap_or_default()
    ));

    let planned = ecwid::authorize(&[ecwid::UPDATE_CATALOG_SCOPE])
        .and_then(|()| ecwid::plan(&store, category, &request, &Limits::default()));
    let plan = match planned {
        Ok(plan) => plan,
        Err(e) => {
            out.push_str(&format!(
                "Response: {}\n  {}\n",
                e.status(),
                serde_json::to_string(&e.body()).unwrap_or_default()
            ));
            return (out, false);
        }
    };
    let mut after = store.clone();
    ecwid::apply(&mut after, &plan);

    out.push_str(&format!(
        "Response: 200\n  {}\n\n",
        serde_json::to_string(&plan.response).unwrap_or_default()
    ));
    out.push_str(&format!(
        "Unassigning from {}:\n",
        category_label(&store, category)
    ));
    out.push_str(&table(&store, &after, &plan, products));
    (out, true)
}

fn category_label(store: &Store, id: CategoryId) -> String {
    if id == ecwid::TOP_LEVEL_CATEGORY {
        return "top level (0)".to_owned();
    }
    match store.category(id) {
        Some(category) => format!("{} ({id})", category.name),
        None => format!("#{id}"),
    }
}

fn category_names(store: &Store, ids: &[CategoryId]) -> String {
    ids.iter()
        .map(|&id| match store.category(id) {
            Some(category) => category.name.clone(),
            None if id == ecwid::TOP_LEVEL_CATEGORY => "(top level)".to_owned(),
            None => format!("#{id}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// One row per distinct listed id, in request order.
fn table(store: &Store, after: &Store, plan: &UnassignPlan, products: &[ProductId]) -> String {
    let mut times: HashMap<ProductId, usize> = HashMap::new();
    let mut order = Vec::new();
    for &id in products {
        let n = times.entry(id).or_insert(0);
        if *n == 0 {
            order.push(id);
        }
        *n += 1;
    }
    let category = if plan.category_id == ecwid::TOP_LEVEL_CATEGORY {
        "the top level".to_owned()
    } else {
        category_names(store, &[plan.category_id])
    };
    let mut rows = vec![[
        "product".to_owned(),
        "name".to_owned(),
        "before".to_owned(),
        "after".to_owned(),
        "outcome".to_owned(),
    ]];
    for id in order {
        let mut outcome = match plan.changes.iter().find(|c| c.product_id == id) {
            Some(change) if change.rehomed => {
                format!("left {category}; no category left, re-homed to top level")
            }
            Some(_) => format!("left {category}"),
            None if plan.unknown_product_ids.contains(&id) => "unknown product, ignored".to_owned(),
            None => format!("unchanged (not in {category})"),
        };
        let only_top_level = store
            .product(id)
            .is_some_and(|p| p.category_ids == [ecwid::TOP_LEVEL_CATEGORY]);
        if plan.category_id == ecwid::TOP_LEVEL_CATEGORY && only_top_level {
            outcome = "unchanged (only in the top level)".to_owned();
        }
        if let Some(&n) = times.get(&id).filter(|&&n| n > 1) {
            outcome.push_str(&format!(" [listed {n} times, counted once]"));
        }
        let (name, before_text, after_text) = match (store.product(id), after.product(id)) {
            (Some(p), Some(q)) => (
                p.name.clone(),
                category_names(store, &p.category_ids),
                category_names(store, &q.category_ids),
            ),
            _ => ("-".to_owned(), "-".to_owned(), "-".to_owned()),
        };
        rows.push([id.to_string(), name, before_text, after_text, outcome]);
    }
    common::table(&rows)
}
