//! Properties of catalog snapshots (Elastic Path): generated snapshots with
//! numbers of every form (big integers, exponents, `-0`, 17-digit doubles),
//! unknown members on every object (top level, hierarchies, nodes,
//! products), nulls, empty lists and timestamps with offsets and long
//! fractions.
//!
//! - load -> write is byte-identical for compact input, and identical up to
//!   whitespace outside strings for pretty input;
//! - after detach, the output is the input with exactly the memberships the
//!   plan names taken out of the changed products' `node_ids`.

use catalog_filter::Limits;
use catalog_filter::catalog::Catalog;
use catalog_filter::elasticpath::detach::{self, DetachNodesRequest};
use proptest::prelude::*;
use std::collections::HashSet;

/// A JSON number in one of many forms, as text.
fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("12345678901234567890123".to_owned()),
        Just("-0".to_owned()),
        Just("1e2".to_owned()),
        Just("1E400".to_owned()),
        Just("-1.5e-7".to_owned()),
        Just("0.9455199068242589".to_owned()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>()
            .prop_filter("finite", |x| x.is_finite())
            .prop_map(|x| format!("{x:.16e}")),
        any::<f64>()
            .prop_filter("finite", |x| x.is_finite())
            .prop_map(|x| format!("{x}")),
    ]
}

/// A JSON string literal, with escapes sometimes.
fn string() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z ]{0,8}".prop_map(|s| format!("\"{s}\"")),
        Just(r#""\u00e9\n\"q\"\\""#.to_owned()),
        Just("\"ünï ✓\"".to_owned()),
    ]
}

/// Any JSON value (small), as text.
fn value() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_owned()),
        Just("true".to_owned()),
        Just("false".to_owned()),
        number(),
        string(),
        Just("[]".to_owned()),
        Just("{}".to_owned()),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(|v| format!("[{}]", v.join(","))),
            prop::collection::vec(inner, 0..3).prop_map(|v| {
                let members: Vec<String> = v
                    .iter()
                    .enumerate()
                    .map(|(i, x)| format!("\"k{i}\":{x}"))
                    .collect();
                format!("{{{}}}", members.join(","))
            }),
        ]
    })
}

/// Unknown members (`"u0":...`), to put into any object.
fn unknown() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(value(), 0..3).prop_map(|v| {
        v.iter()
            .enumerate()
            .map(|(i, x)| format!("\"u{i}\":{x}"))
            .collect()
    })
}

fn timestamp() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("\"2024-01-15T10:00:00Z\"".to_owned()),
        Just("\"2024-01-15T10:00:00.000Z\"".to_owned()),
        Just("\"2024-01-15T10:00:00.123456789123-00:00\"".to_owned()),
        Just("\"2020-02-29T23:59:59.5+05:30\"".to_owned()),
        Just("\"2021-06-01t08:00:00-12:00\"".to_owned()),
    ]
}

/// A product's known members besides `id` and `node_ids`.
fn known() -> impl Strategy<Value = Vec<String>> {
    (
        prop::option::of(prop_oneof![Just("\"a\""), Just("\"b\""), Just("\"ab\"")]),
        prop::option::of(prop_oneof![Just("null".to_owned()), string()]),
        prop::option::of(prop_oneof![
            Just("[]".to_owned()),
            Just("null".to_owned()),
            Just("[\"x\",\"y\"]".to_owned())
        ]),
        prop::option::of(timestamp()),
        prop::option::of(timestamp()),
        prop::option::of(
            (number(), value())
                .prop_map(|(n, v)| format!("{{\"t\":{{\"f\":{n},\"v\":{v}}},\"e\":{{}}}}")),
        ),
        prop::option::of(prop_oneof![
            Just("\"live\""),
            Just("\"draft\""),
            Just("null")
        ]),
    )
        .prop_map(|(sku, description, tags, created, updated, ext, status)| {
            let mut out = Vec::new();
            if let Some(s) = sku {
                out.push(format!("\"sku\":{s}"));
            }
            if let Some(d) = description {
                out.push(format!("\"description\":{d}"));
            }
            if let Some(t) = tags {
                out.push(format!("\"tags\":{t}"));
            }
            if let Some(t) = created {
                out.push(format!("\"created_at\":{t}"));
            }
            if let Some(t) = updated {
                out.push(format!("\"updated_at\":{t}"));
            }
            if let Some(e) = ext {
                out.push(format!("\"extensions\":{e}"));
            }
            if let Some(s) = status {
                out.push(format!("\"status\":{s}"));
            }
            out
        })
}

const NODES: usize = 5;

/// A generated product: its members in order, `node_ids` (absent, `null`
/// never: a list of distinct node ids) at `slot`.
#[derive(Clone, Debug)]
struct GenProduct {
    id: usize,
    members: Vec<String>,
    node_ids: Option<Vec<usize>>,
    slot: usize,
}

#[derive(Clone, Debug)]
struct GenSnapshot {
    top: Vec<String>,
    hierarchy_unknown: Vec<Vec<String>>,
    /// Per node: hierarchy, parent (an earlier node of that hierarchy),
    /// unknown members.
    nodes: Vec<(usize, Option<usize>, Vec<String>)>,
    products: Vec<GenProduct>,
}

fn product(id: usize) -> impl Strategy<Value = GenProduct> {
    (
        known(),
        unknown(),
        prop::option::of(Just(()).prop_perturb(|_, mut rng| {
            let mut ids: Vec<usize> = (0..NODES).filter(|_| rng.random_bool(0.4)).collect();
            // Shuffle: memberships keep their order as written.
            for i in (1..ids.len()).rev() {
                ids.swap(i, rng.random_range(0..=i));
            }
            ids
        })),
        0usize..10,
    )
        .prop_map(move |(mut members, unknown, node_ids, slot)| {
            members.extend(unknown);
            let slot = slot % (members.len() + 1);
            GenProduct {
                id,
                members,
                node_ids,
                slot,
            }
        })
}

fn snapshot() -> impl Strategy<Value = GenSnapshot> {
    (
        unknown(),
        prop::collection::vec(unknown(), 2),
        prop::collection::vec(
            (any::<bool>(), any::<prop::sample::Index>(), unknown()),
            NODES,
        ),
        (0usize..6).prop_flat_map(|n| (0..n).map(product).collect::<Vec<_>>()),
    )
        .prop_map(|(top, hierarchy_unknown, raw_nodes, products)| {
            // Node i is in hierarchy i % 2; its parent, if any, an earlier
            // node of the same hierarchy.
            let nodes = raw_nodes
                .into_iter()
                .enumerate()
                .map(|(i, (has_parent, pick, unknown))| {
                    let earlier: Vec<usize> = (0..i).filter(|j| j % 2 == i % 2).collect();
                    let parent = (has_parent && !earlier.is_empty())
                        .then(|| earlier[pick.index(earlier.len())]);
                    (i % 2, parent, unknown)
                })
                .collect();
            GenSnapshot {
                top,
                hierarchy_unknown,
                nodes,
                products,
            }
        })
}

fn uuid(i: usize) -> String {
    format!("00000000-0000-4000-8000-{i:012x}")
}

fn object(members: &[String]) -> String {
    format!("{{{}}}", members.join(","))
}

impl GenSnapshot {
    /// The compact text; `keep(product, node)` says which memberships are
    /// written.
    fn render(&self, keep: &dyn Fn(usize, usize) -> bool) -> String {
        let hierarchies: Vec<String> = self
            .hierarchy_unknown
            .iter()
            .enumerate()
            .map(|(h, unknown)| {
                let mut m = vec![format!("\"id\":\"h{h}\"")];
                m.extend(unknown.iter().cloned());
                object(&m)
            })
            .collect();
        let nodes: Vec<String> = self
            .nodes
            .iter()
            .enumerate()
            .map(|(i, (h, parent, unknown))| {
                let mut m = vec![
                    format!("\"id\":\"n{i}\""),
                    format!("\"hierarchy_id\":\"h{h}\""),
                ];
                match parent {
                    Some(p) => m.push(format!("\"parent_id\":\"n{p}\"")),
                    None if i % 3 == 0 => m.push("\"parent_id\":null".to_owned()),
                    None => {}
                }
                m.extend(unknown.iter().cloned());
                object(&m)
            })
            .collect();
        let products: Vec<String> = self
            .products
            .iter()
            .map(|p| {
                let mut m = vec![format!("\"id\":\"{}\"", uuid(p.id))];
                let mut rest = p.members.clone();
                if let Some(ids) = &p.node_ids {
                    let list: Vec<String> = ids
                        .iter()
                        .filter(|&&n| keep(p.id, n))
                        .map(|n| format!("\"n{n}\""))
                        .collect();
                    rest.insert(p.slot, format!("\"node_ids\":[{}]", list.join(",")));
                }
                m.extend(rest);
                object(&m)
            })
            .collect();
        let mut top = vec![format!("\"hierarchies\":[{}]", hierarchies.join(","))];
        top.extend(self.top.iter().cloned());
        top.push(format!("\"nodes\":[{}]", nodes.join(",")));
        top.push(format!("\"products\":[{}]", products.join(",")));
        object(&top)
    }
}

/// The JSON text with a space and a newline around every `,` and `:`
/// outside strings.
fn pretty(text: &str) -> String {
    let mut out = String::new();
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        out.push(c);
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        } else if c == ',' || c == ':' || c == '{' {
            out.push_str("\n ");
        }
    }
    out
}

fn request() -> impl Strategy<Value = (String, Vec<String>)> {
    (
        prop_oneof![
            Just("like(sku,*a*)"),
            Just("eq(sku,b)"),
            Just("eq(status,live)"),
            Just("like(name,*)")
        ],
        prop::collection::vec(
            prop_oneof![
                (0..NODES).prop_map(|n| format!("n{n}")),
                Just("h0".to_owned()),
                Just("h1".to_owned()),
                Just("missing".to_owned())
            ],
            1..4,
        ),
    )
        .prop_map(|(f, ids)| (f.to_owned(), ids))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn load_then_write_is_identical(snap in snapshot()) {
        let text = snap.render(&|_, _| true);
        let catalog = Catalog::from_json(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(catalog.to_json(), text.clone());
        // Pretty input: the same compact text, and itself when written as read.
        let spaced = pretty(&text);
        let catalog = Catalog::from_json(&spaced).map_err(|e| TestCaseError::fail(format!("{e}\n{spaced}")))?;
        prop_assert_eq!(catalog.to_json(), text);
        let mut as_read = Vec::new();
        catalog.write_json_as_read(&mut as_read).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(String::from_utf8(as_read).unwrap_or_default(), spaced);
    }

    #[test]
    fn detach_changes_exactly_the_planned_memberships(snap in snapshot(), (filter, ids) in request()) {
        let text = snap.render(&|_, _| true);
        let mut catalog = Catalog::from_json(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        let request = DetachNodesRequest::new(filter, ids);
        let plan = detach::plan(&catalog, &request, &Limits::default())
            .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        // (product number, node number) pairs the plan removes.
        let mut removed: HashSet<(usize, usize)> = HashSet::new();
        for change in plan.changes() {
            let generated = snap.products.get(change.index).map(|p| p.id);
            prop_assert!(generated.is_some());
            for &pos in change.removed_positions {
                let node = catalog.node_at(pos).map(|n| n.id.clone()).unwrap_or_default();
                let number: usize = node.trim_start_matches('n').parse().unwrap_or(usize::MAX);
                removed.insert((generated.unwrap_or_default(), number));
            }
        }
        prop_assert_eq!(removed.len(), plan.removed_count());
        detach::apply(&mut catalog, &plan);
        let expected = snap.render(&|p, n| !removed.contains(&(p, n)));
        prop_assert_eq!(catalog.to_json(), expected);
    }
}

/// The same properties through the DataFusion back end: the snapshot as
/// Parquet tables and back, and a detach planned and applied there.
#[cfg(feature = "datafusion")]
mod datafusion_tables {
    use super::*;
    use catalog_filter::datafusion::{detach as tables_detach, tables};
    use datafusion::prelude::SessionContext;
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A fresh directory under the system's temporary directory.
    fn scratch() -> PathBuf {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "catalog-filter-snapshot-props-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    /// The snapshot the Parquet tables of `dir` hold, as JSON.
    async fn json_of(dir: &std::path::Path) -> Result<String, TestCaseError> {
        let ctx = SessionContext::new();
        tables::register_parquet(&ctx, dir)
            .await
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut out = Vec::new();
        tables::write_json(&ctx, &mut out)
            .await
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        String::from_utf8(out).map_err(|e| TestCaseError::fail(e.to_string()))
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        #[test]
        fn parquet_tables_give_back_the_same_text(snap in snapshot()) {
            let text = snap.render(&|_, _| true);
            let catalog = Catalog::from_json(&pretty(&text)).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
            let dir = scratch();
            tables::export_parquet(&catalog, &dir).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let back = runtime().block_on(json_of(&dir));
            let _ = std::fs::remove_dir_all(&dir);
            prop_assert_eq!(back?, text);
        }

        #[test]
        fn a_detach_on_parquet_changes_exactly_what_it_does_in_memory(snap in snapshot(), (filter, ids) in request()) {
            let text = snap.render(&|_, _| true);
            let mut catalog = Catalog::from_json(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
            let request = DetachNodesRequest::new(filter, ids);
            let (dir, out) = (scratch(), scratch());
            tables::export_parquet(&catalog, &dir).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let rt = runtime();
            let result: Result<String, TestCaseError> = rt.block_on(async {
                let ctx = SessionContext::new();
                tables::register_parquet(&ctx, &dir).await.map_err(|e| TestCaseError::fail(e.to_string()))?;
                let plan = tables_detach::plan(&ctx, &request, &Limits::default())
                    .await
                    .map_err(|e| TestCaseError::fail(e.to_string()))?
                    .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
                tables_detach::apply_to_dir(&ctx, &plan, &out).await.map_err(|e| TestCaseError::fail(e.to_string()))?;
                json_of(&out).await
            });
            let (_, _) = (std::fs::remove_dir_all(&dir), std::fs::remove_dir_all(&out));
            let plan = detach::plan(&catalog, &request, &Limits::default())
                .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            detach::apply(&mut catalog, &plan);
            prop_assert_eq!(result?, catalog.to_json());
        }
    }
}
