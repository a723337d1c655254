//! Properties of plan and apply over generated stores, and of writing
//! stores back as read.

use super::*;
use proptest::prelude::*;

// ---------------------------------------------------------------- properties

/// A valid store (categories 1..=n, each parented by 0 or a smaller id;
/// products with distinct ids and any subset of 0..=n as categories), a
/// category that exists, and a request mixing known and unknown ids.
fn scenario() -> impl Strategy<Value = (Store, CategoryId, UnassignProductsRequest)> {
    (0usize..6)
        .prop_flat_map(|n| {
            let max = n as u64;
            (
                proptest::collection::vec(any::<proptest::sample::Index>(), n),
                proptest::collection::btree_map(
                    1u64..30,
                    proptest::collection::vec(0..=max, 0..4),
                    0..12,
                ),
                0..=max,
                proptest::collection::vec(0u64..35, 1..10),
            )
        })
        .prop_map(|(parents, products, category, ids)| {
            let categories = parents
                .iter()
                .enumerate()
                .map(|(i, parent)| {
                    serde_json::json!({"id": i + 1, "parent_id": parent.index(i + 1), "name": format!("c{}", i + 1)})
                })
                .collect::<Vec<_>>();
            let products = products
                .into_iter()
                .map(|(id, mut category_ids)| {
                    category_ids.sort_unstable();
                    category_ids.dedup();
                    category_ids.reverse();
                    serde_json::json!({"id": id, "name": format!("p{id}"), "category_ids": category_ids})
                })
                .collect::<Vec<_>>();
            let store = load(&serde_json::json!({"categories": categories, "products": products}).to_string());
            (store, category, UnassignProductsRequest::new(ids))
        })
}

proptest! {
    #[test]
    fn after_apply_every_product_has_a_category_and_the_store_stays_valid(
        (store, category, request) in scenario()
    ) {
        let plan = ecwid::plan(&store, category, &request, &Limits::default());
        prop_assert!(plan.is_ok());
        let plan = plan.unwrap_or_else(|e| panic!("{e}"));
        let mut after = store.clone();
        ecwid::apply(&mut after, &plan);
        for product in after.products() {
            prop_assert!(!product.category_ids.is_empty());
        }
        prop_assert_eq!(Store::new(after.snapshot().clone()), Ok(after.clone()));
    }

    #[test]
    fn the_set_of_products_is_unchanged_and_unlisted_products_are_untouched(
        (store, category, request) in scenario()
    ) {
        let plan = ecwid::plan(&store, category, &request, &Limits::default())
            .unwrap_or_else(|e| panic!("{e}"));
        let mut after = store.clone();
        ecwid::apply(&mut after, &plan);
        let ids = |s: &Store| s.products().iter().map(|p| p.id).collect::<Vec<_>>();
        prop_assert_eq!(ids(&store), ids(&after));
        prop_assert_eq!(store.categories(), after.categories());
        for (p, q) in store.products().iter().zip(after.products()) {
            prop_assert_eq!(&p.name, &q.name);
            if !request.product_ids.contains(&p.id) {
                prop_assert_eq!(p, q);
            }
        }
    }

    #[test]
    fn delete_count_is_1_exactly_when_a_listed_product_left_the_category(
        (store, category, request) in scenario()
    ) {
        let plan = ecwid::plan(&store, category, &request, &Limits::default())
            .unwrap_or_else(|e| panic!("{e}"));
        let mut after = store.clone();
        ecwid::apply(&mut after, &plan);
        let left = request.product_ids.iter().any(|&id| {
            let was = store.product(id).is_some_and(|p| p.category_ids.contains(&category));
            let is = after.product(id).is_some_and(|p| p.category_ids.contains(&category));
            was && !is
        });
        prop_assert_eq!(plan.response.delete_count, u32::from(left));
        prop_assert_eq!(plan.changes.is_empty(), !left);
        // The category is gone from every listed product, except one left
        // only in the top level when unassigning from the top level.
        for &id in &request.product_ids {
            if let Some(p) = after.product(id) {
                prop_assert!(!p.category_ids.contains(&category) || p.category_ids == [0]);
            }
        }
    }

    #[test]
    fn planning_is_deterministic_pure_and_idempotent(
        (store, category, request) in scenario()
    ) {
        let before = store.clone();
        let first = ecwid::plan(&store, category, &request, &Limits::default());
        let second = ecwid::plan(&store, category, &request, &Limits::default());
        prop_assert_eq!(&first, &second);
        prop_assert_eq!(&store, &before);
        let plan = first.unwrap_or_else(|e| panic!("{e}"));

        // Every distinct listed id lands in exactly one list, in request order.
        let mut distinct = Vec::new();
        for &id in &request.product_ids {
            if !distinct.contains(&id) {
                distinct.push(id);
            }
        }
        let unknown: Vec<ProductId> =
            distinct.iter().copied().filter(|&id| store.product(id).is_none()).collect();
        prop_assert_eq!(&plan.unknown_product_ids, &unknown);
        let known: Vec<ProductId> =
            distinct.iter().copied().filter(|&id| store.product(id).is_some()).collect();
        let mut covered: Vec<ProductId> = plan.changes.iter().map(|c| c.product_id).collect();
        covered.extend(&plan.unchanged);
        covered.sort_unstable();
        let mut known_sorted = known.clone();
        known_sorted.sort_unstable();
        prop_assert_eq!(covered, known_sorted);

        let mut once = store.clone();
        ecwid::apply(&mut once, &plan);
        let mut twice = once.clone();
        ecwid::apply(&mut twice, &plan);
        prop_assert_eq!(&once, &twice);
        for change in &plan.changes {
            prop_assert_eq!(once.product(change.product_id).map(|p| &p.category_ids), Some(&change.after));
        }
    }

    #[test]
    fn stores_round_trip_through_json((store, _category, _request) in scenario()) {
        let text = serde_json::to_string(&store).unwrap_or_else(|e| panic!("{e}"));
        prop_assert_eq!(load(&text), store);
    }
}

// ------------------------------------------------- faithful stores

/// A JSON value as written: a literal's exact text, or a container.
#[derive(Clone, Debug)]
enum J {
    Lit(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

/// How a document is spaced: after `,`, around `:`, inside brackets.
#[derive(Clone, Copy, Debug)]
struct Style {
    comma: &'static str,
    colon: &'static str,
    inner: &'static str,
}

const COMPACT: Style = Style {
    comma: ",",
    colon: ":",
    inner: "",
};

impl J {
    fn render(&self, style: Style, out: &mut String) {
        match self {
            J::Lit(text) => out.push_str(text),
            J::Arr(items) => {
                out.push('[');
                out.push_str(style.inner);
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(style.comma);
                    }
                    item.render(style, out);
                }
                out.push_str(style.inner);
                out.push(']');
            }
            J::Obj(members) => {
                out.push('{');
                out.push_str(style.inner);
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push_str(style.comma);
                    }
                    out.push_str(&serde_json::to_string(key).unwrap_or_default());
                    out.push_str(style.colon);
                    value.render(style, out);
                }
                out.push_str(style.inner);
                out.push('}');
            }
        }
    }
}

/// A JSON number, string, literal or small container, in every form the
/// writer must keep: big integers, exponents, `-0`, 17-digit doubles,
/// escapes, `null`, empty lists and objects.
fn value() -> impl Strategy<Value = J> {
    let number = prop_oneof![
        Just("-0".to_owned()),
        Just("1e2".to_owned()),
        Just("1E400".to_owned()),
        Just("-1.5e-7".to_owned()),
        Just("12345678901234567890123".to_owned()),
        Just("0.9455199068242589".to_owned()),
        Just("59.0".to_owned()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| format!("{f:e}")),
        (1u64..1000, 0u32..20).prop_map(|(m, e)| format!(
            "{m}.{:0>width$}1",
            0,
            width = e as usize
        )),
    ];
    let string = prop_oneof![
        any::<String>().prop_map(|s| serde_json::to_string(&s).unwrap_or_default()),
        Just(r#""\u00e9\"\\\/\n""#.to_owned()),
        Just(r#""""#.to_owned()),
    ];
    let leaf = prop_oneof![
        3 => number.prop_map(J::Lit),
        2 => string.prop_map(J::Lit),
        1 => prop_oneof![Just("null"), Just("true"), Just("false"), Just("[]"), Just("{}")]
            .prop_map(|s| J::Lit(s.to_owned())),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..3).prop_map(J::Arr),
            proptest::collection::vec(("[a-z]{1,3}", inner), 0..3).prop_map(|members| {
                let mut seen = std::collections::HashSet::new();
                J::Obj(
                    members
                        .into_iter()
                        .filter(|(k, _)| seen.insert(k.clone()))
                        .collect(),
                )
            }),
        ]
    })
}

/// Up to three unknown members (keys that name nothing known, distinct).
fn unknown_members() -> impl Strategy<Value = Vec<(String, J)>> {
    proptest::collection::btree_map("x[a-z0-9_]{0,4}", value(), 0..3)
        .prop_map(|members| members.into_iter().collect())
}

/// A name, with escapes sometimes.
fn name() -> impl Strategy<Value = J> {
    prop_oneof![
        "[A-Za-z ]{0,8}".prop_map(|s| format!("\"{s}\"")),
        Just(r#""Caf\u00e9 \"Sale\"""#.to_owned()),
    ]
    .prop_map(J::Lit)
}

/// A generated store document and what it holds.
#[derive(Clone, Debug)]
struct Doc {
    /// Top-level members; `categories` and `products` among them.
    top: Vec<(String, J)>,
    /// Per product (in document order): its id, and where its
    /// `category_ids` member is in `top`'s products (member index), if any.
    products: Vec<(ProductId, Option<usize>)>,
    /// Category ids that exist (0 included).
    categories: Vec<CategoryId>,
}

impl Doc {
    /// The document, with the `category_ids` of the products in `changed`
    /// replaced by that list written compactly (as the store splices it).
    fn render(&self, style: Style, changed: &[(ProductId, Vec<CategoryId>)]) -> String {
        let mut top = self.top.clone();
        for (key, value) in &mut top {
            if key != "products" {
                continue;
            }
            let J::Arr(products) = value else { continue };
            for (product, &(id, list)) in products.iter_mut().zip(&self.products) {
                let (Some(after), J::Obj(members), Some(at)) = (
                    changed.iter().find(|(c, _)| *c == id).map(|(_, a)| a),
                    product,
                    list,
                ) else {
                    continue;
                };
                if let Some((_, list)) = members.get_mut(at) {
                    *list = J::Lit(serde_json::to_string(after).unwrap_or_default());
                }
            }
        }
        let mut out = String::new();
        J::Obj(top).render(style, &mut out);
        out
    }
}

fn store_doc() -> impl Strategy<Value = Doc> {
    (0usize..5)
        .prop_flat_map(|n| {
            let max = n as u64;
            let category = (0..=max, 0u8..4, name(), unknown_members());
            let product = (
                proptest::collection::vec(0..=max, 0..4),
                0u8..4,
                name(),
                unknown_members(),
            );
            (
                proptest::collection::vec(category, n),
                proptest::collection::btree_map(1u64..40, product, 0..8),
                unknown_members(),
                0u8..3,
                0u8..3,
                any::<proptest::sample::Index>(),
            )
        })
        .prop_flat_map(
            |(categories, products, top_unknown, cats_form, prods_form, seed)| {
                let n = categories.len() as u64;
                let categories: Vec<J> = categories
                    .into_iter()
                    .enumerate()
                    .map(|(i, (parent, form, name, mut members))| {
                        let id = i as u64 + 1;
                        // A parent below the category's own id: no cycles.
                        let parent = parent % id;
                        members.push(("id".to_owned(), J::Lit(id.to_string())));
                        members.push(("name".to_owned(), name));
                        match (form, parent) {
                            (0, 0) => {}
                            (1, 0) => {
                                members.push(("parent_id".to_owned(), J::Lit("null".to_owned())))
                            }
                            _ => members.push(("parent_id".to_owned(), J::Lit(parent.to_string()))),
                        }
                        J::Obj(members)
                    })
                    .collect();
                let products: Vec<(ProductId, Vec<(String, J)>)> = products
                    .into_iter()
                    .map(|(id, (mut ids, form, name, mut members))| {
                        ids.sort_unstable();
                        ids.dedup();
                        if seed.index(2) == 1 {
                            ids.reverse();
                        }
                        members.push(("id".to_owned(), J::Lit(id.to_string())));
                        members.push(("name".to_owned(), name));
                        match form {
                            0 if ids.is_empty() => {}
                            1 if ids.is_empty() => {
                                members.push(("category_ids".to_owned(), J::Lit("null".to_owned())))
                            }
                            _ => members.push((
                                "category_ids".to_owned(),
                                J::Arr(ids.iter().map(|c| J::Lit(c.to_string())).collect()),
                            )),
                        }
                        (id, members)
                    })
                    .collect();
                // Shuffle every object's members, and the top level's.
                let shuffled_products: Vec<_> = products
                    .into_iter()
                    .map(|(id, members)| (Just(id), Just(members).prop_shuffle()))
                    .collect();
                let shuffled_categories: Vec<_> = categories
                    .into_iter()
                    .map(|c| match c {
                        J::Obj(members) => Just(members).prop_shuffle().prop_map(J::Obj).boxed(),
                        other => Just(other).boxed(),
                    })
                    .collect();
                let mut top = top_unknown;
                let cats_value = match (cats_form, n) {
                    (0, 0) => None,
                    (1, 0) => Some(J::Lit("null".to_owned())),
                    _ => Some(J::Arr(Vec::new())),
                };
                (
                    shuffled_categories,
                    shuffled_products,
                    Just((top.split_off(0), cats_value, prods_form, n)),
                    any::<proptest::sample::Index>(),
                )
            },
        )
        .prop_flat_map(
            |(categories, products, (unknown, cats_value, prods_form, n), _)| {
                let mut top = unknown;
                match cats_value {
                    Some(J::Arr(_)) => top.push(("categories".to_owned(), J::Arr(categories))),
                    Some(lit) => top.push(("categories".to_owned(), lit)),
                    None => {}
                }
                let list: Vec<(ProductId, Option<usize>)> = products
                    .iter()
                    .map(|(id, members)| {
                        (*id, members.iter().position(|(k, _)| k == "category_ids"))
                    })
                    .collect();
                let objects: Vec<J> = products.into_iter().map(|(_, m)| J::Obj(m)).collect();
                match (prods_form, objects.is_empty()) {
                    (0, true) => {}
                    (1, true) => top.push(("products".to_owned(), J::Lit("null".to_owned()))),
                    _ => top.push(("products".to_owned(), J::Arr(objects))),
                }
                let categories: Vec<CategoryId> = (0..=n).collect();
                Just(top).prop_shuffle().prop_map(move |top| Doc {
                    top,
                    products: list.clone(),
                    categories: categories.clone(),
                })
            },
        )
}

fn style() -> impl Strategy<Value = Style> {
    prop_oneof![
        Just(COMPACT),
        Just(Style {
            comma: ", ",
            colon: ": ",
            inner: ""
        }),
        Just(Style {
            comma: ",\n  ",
            colon: " : ",
            inner: "\n "
        }),
        Just(Style {
            comma: "\t,\r\n",
            colon: ":\t",
            inner: " "
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn stores_are_written_back_exactly_as_read(doc in store_doc(), style in style()) {
        let text = doc.render(style, &[]);
        let store = Store::from_json(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        // Compact input comes back byte for byte; any input, as read.
        let compact = doc.render(COMPACT, &[]);
        prop_assert_eq!(store.to_json(), compact.clone());
        prop_assert_eq!(super::compact(&text), compact);
        let mut as_read = Vec::new();
        store.write_json_as_read(&mut as_read).unwrap_or_else(|e| panic!("{e}"));
        prop_assert_eq!(String::from_utf8_lossy(&as_read), text.as_str());
        prop_assert_eq!(store.products().len(), doc.products.len());
    }

    #[test]
    fn after_unassign_only_the_planned_category_ids_differ(
        doc in store_doc(),
        style in style(),
        category in any::<proptest::sample::Index>(),
        from_a_pick in any::<bool>(),
        picks in proptest::collection::vec((any::<proptest::sample::Index>(), any::<bool>()), 1..6),
    ) {
        let text = doc.render(style, &[]);
        let mut store = Store::from_json(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let ids: Vec<ProductId> = picks
            .iter()
            .map(|(pick, known)| match (known, doc.products.is_empty()) {
                (true, false) => doc.products[pick.index(doc.products.len())].0,
                _ => 1000 + pick.index(5) as u64,
            })
            .collect();
        // Often a category that a listed product is in, so that some leave.
        let in_first = ids
            .first()
            .and_then(|&id| store.product(id))
            .map(|p| p.category_ids[category.index(p.category_ids.len())]);
        let category = match (from_a_pick, in_first) {
            (true, Some(c)) => c,
            _ => doc.categories[category.index(doc.categories.len())],
        };
        let plan = ecwid::plan(&store, category, &req(&ids), &Limits::default())
            .unwrap_or_else(|e| panic!("{e}"));
        ecwid::apply(&mut store, &plan);
        let changed: Vec<(ProductId, Vec<CategoryId>)> =
            plan.changes.iter().map(|c| (c.product_id, c.after.clone())).collect();
        // Exactly the planned lists differ, written compactly; every other
        // byte is as read.
        prop_assert_eq!(store.to_json(), doc.render(COMPACT, &changed));
        let mut as_read = Vec::new();
        store.write_json_as_read(&mut as_read).unwrap_or_else(|e| panic!("{e}"));
        prop_assert_eq!(String::from_utf8_lossy(&as_read), doc.render(style, &changed));
        // And what is written loads as the store in memory (unknown
        // containers compare by text, so compare the memberships).
        let reloaded = Store::from_json(&store.to_json()).unwrap_or_else(|e| panic!("{e}"));
        let lists = |s: &Store| {
            s.products().iter().map(|p| (p.id, p.category_ids.clone())).collect::<Vec<_>>()
        };
        prop_assert_eq!(lists(&reloaded), lists(&store));
        prop_assert_eq!(reloaded.to_json(), store.to_json());
    }
}
