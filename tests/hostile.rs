//! Hostile bodies through what `detach --json` and `unassign --json` run
//! (`examples/common/detach_json.rs` and `unassign_json.rs`): each gets an answer
//! (200 or 400), never an abort (stack overflow, allocation failure).
//!
//! The bodies are `HOSTILE_MB` megabytes (default 4, so a debug build stays
//! within seconds); run them at full size in release by hand:
//! `HOSTILE_MB=50 cargo test --release --test hostile` (and `200`).

/// The example programs' shared module, with their `--json` line protocol.
#[path = "../examples/common/mod.rs"]
mod common;

use catalog_filter::Limits;
use common::detach_json as detach_mode;
use common::unassign_json as ecwid_mode;

/// The body size to aim at, in bytes.
fn target() -> usize {
    let mb: usize = std::env::var("HOSTILE_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4);
    mb << 20
}

/// `[{"a":[{"a":...}]}]` nested until it is about `bytes` long.
fn deep(bytes: usize) -> String {
    let depth = bytes / 12;
    let mut s = String::with_capacity(depth * 12);
    for _ in 0..depth {
        s.push_str("[{\"a\":");
    }
    s.push('1');
    for _ in 0..depth {
        s.push_str("}]");
    }
    s
}

/// `count` distinct product UUIDs.
fn uuid(i: usize) -> String {
    format!("00000000-0000-4000-8000-{i:012x}")
}

const DETACH_REQUEST: &str =
    r#""request":{"data":{"filter":"like(name,*Shoe*)","node_ids":["h"]}}"#;

/// The status of an answer line: `{"status":NNN,...}` (the rest echoes
/// the input, too deep for serde_json to read back).
fn status(line: &str) -> u64 {
    let head = line.get(..14).unwrap_or(line);
    assert!(
        head.starts_with("{\"status\":") && line.ends_with('}'),
        "not an answer line: {}",
        line.get(..200).unwrap_or(line)
    );
    head.get(10..13).and_then(|s| s.parse().ok()).unwrap_or(0)
}

fn detach(body: String) -> u64 {
    let len = body.len();
    let line = detach_mode::answer_string(body.into_bytes(), &Limits::default());
    let s = status(&line);
    assert!(s == 200 || s == 400, "status {s} for a {len}-byte body");
    s
}

fn unassign(body: String) -> u64 {
    let len = body.len();
    let line = ecwid_mode::answer_string(body.into_bytes(), &Limits::default());
    let s = status(&line);
    assert!(s == 200 || s == 400, "status {s} for a {len}-byte body");
    s
}

#[test]
fn detach_deep_unknown_fields_are_answered() {
    let n = target();
    // In an unknown member of the top level, of the catalog, of a
    // hierarchy, of a node and of a product.
    let nest = deep(n / 5);
    let product = format!(r#"{{"id":"{}","x":{nest}}}"#, uuid(1));
    let catalog = format!(
        r#"{{"x":{nest},"hierarchies":[{{"id":"h","x":{nest}}}],"nodes":[{{"id":"n","hierarchy_id":"h","x":{nest}}}],"products":[{product}]}}"#
    );
    // Unknown members are skipped without recursion: read and kept (200);
    // a refusal (400) would be an answer too.
    detach(format!(
        r#"{{"junk":{nest},"catalog":{catalog},{DETACH_REQUEST}}}"#
    ));
    detach(format!(r#"{{"catalog":{catalog},{DETACH_REQUEST}}}"#));
    // Deep in the request only.
    let ok = r#"{"hierarchies":[{"id":"h"}],"products":[]}"#;
    let request =
        format!(r#""request":{{"data":{{"filter":"eq(sku,a)","node_ids":["h"],"x":{nest}}}}}"#);
    detach(format!(r#"{{"catalog":{ok},{request}}}"#));
}

#[test]
fn detach_wide_unknown_fields_are_answered() {
    // Millions of one-key objects side by side (no depth): read and kept.
    let count = target() / 10;
    let wide = vec![r#"{"a":1}"#; count].join(",");
    let body = format!(
        r#"{{"catalog":{{"x":[{wide}],"hierarchies":[{{"id":"h"}}],"products":[{{"id":"{}","x":[{wide}]}}]}},{DETACH_REQUEST}}}"#,
        uuid(1)
    );
    assert_eq!(detach(body), 200);
}

#[test]
fn detach_millions_of_tiny_products_are_answered() {
    let count = target() / 50;
    let mut products = String::with_capacity(count * 50);
    for i in 0..count {
        if i > 0 {
            products.push(',');
        }
        products.push_str(&format!(r#"{{"id":"{}"}}"#, uuid(i)));
    }
    let body = format!(
        r#"{{"catalog":{{"hierarchies":[{{"id":"h"}}],"products":[{products}]}},{DETACH_REQUEST}}}"#
    );
    assert_eq!(detach(body), 200);
}

#[test]
fn detach_one_huge_string_is_answered() {
    let name = "Shoe ".repeat(target() / 5);
    let body = format!(
        r#"{{"catalog":{{"hierarchies":[{{"id":"h"}}],"nodes":[{{"id":"n","hierarchy_id":"h"}}],"products":[{{"id":"{}","name":"{name}","node_ids":["n"]}}]}},{DETACH_REQUEST}}}"#,
        uuid(1)
    );
    assert_eq!(detach(body), 200);
    // The same string as a filter is refused by the filter limits.
    let body = format!(
        r#"{{"catalog":{{"products":[]}},"request":{{"data":{{"filter":"eq(name,{name})","node_ids":["h"]}}}}}}"#
    );
    assert_eq!(detach(body), 400);
}

const UNASSIGN_TAIL: &str =
    r#""category_id":20,"request":{"productIds":[1]},"scopes":["update_catalog"]"#;

#[test]
fn unassign_hostile_bodies_are_answered() {
    let n = target();
    let nest = deep(n / 3);
    let store = format!(
        r#"{{"x":{nest},"categories":[{{"id":20,"name":"c","x":{nest}}}],"products":[{{"id":1,"name":"p","category_ids":[20],"x":{nest}}}]}}"#
    );
    unassign(format!(r#"{{"store":{store},{UNASSIGN_TAIL}}}"#));

    let count = n / 40;
    let mut products = String::with_capacity(count * 40);
    for i in 1..=count {
        if i > 1 {
            products.push(',');
        }
        products.push_str(&format!(r#"{{"id":{i},"name":"p","category_ids":[20]}}"#));
    }
    let body = format!(
        r#"{{"store":{{"categories":[{{"id":20,"name":"c"}}],"products":[{products}]}},{UNASSIGN_TAIL}}}"#
    );
    assert_eq!(unassign(body), 200);

    let name = "x".repeat(n);
    let body = format!(
        r#"{{"store":{{"categories":[{{"id":20,"name":"c"}}],"products":[{{"id":1,"name":"{name}","category_ids":[20]}}]}},{UNASSIGN_TAIL}}}"#
    );
    assert_eq!(unassign(body), 200);
}
